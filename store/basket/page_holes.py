"""The basket link in the header, filled in for each visitor on a stored catalogue page
(store/catalogue/page_cache.py): the page is everyone's, the count is theirs."""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf

from store.catalogue.lru import LRU
from store.catalogue.page_cache import fill_hole

from .selectors import basket_count

# The link's markup by count (and the URLs' prefix and URLconf): it depends on nothing
# else, and rendering it was a fifth of what a stored page's answer cost.
_links: LRU[tuple, str] = LRU(64)


@fill_hole("basket")
def basket_link(request: HttpRequest) -> str:
    count = basket_count(request)
    key = (count, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    link = _links.get(key)
    if link is None:
        link = render_to_string("basket/partials/basket_link.html", {"basket_count": count})
        _links.keep(key, link)
    return link


@receiver(setting_changed)
def _forget_links(**kwargs) -> None:
    _links.forget()
