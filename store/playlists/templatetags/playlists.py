"""``{% load playlists %}``: the home page's playlists as far as they are kept (no call to
7digital; the section loads them after the page otherwise). A template tag, so that the
catalogue's home view needs nothing of this app's."""

from __future__ import annotations

from django import template

from store.playlists.selectors import home_playlists_kept as kept

register = template.Library()


@register.simple_tag
def home_playlists_kept():
    return kept()
