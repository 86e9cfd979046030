"""``{% load playlists %}``: the home page's playlists as far as they are kept (no call to
7digital; the section loads them after the page otherwise). A template tag, so that the
catalogue's home view needs nothing of this app's."""

from __future__ import annotations

from django import template

from store.catalogue.page_cache import page_incomplete
from store.playlists.selectors import home_playlists_kept as kept

register = template.Library()


@register.simple_tag(takes_context=True)
def home_playlists_kept(context):
    playlists = kept()
    request = context.get("request")
    if playlists is None and request is not None:
        page_incomplete(request)  # the section loads later: not a page to store
    return playlists
