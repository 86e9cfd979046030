"""Template helpers of the catalogue: ``{% load catalogue %}``."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from sevendigital.models import Price
from store.catalogue.artwork import artwork as artwork_at
from store.catalogue.money import format_price, locale_for

register = template.Library()


@register.filter
def money(price: Price | None, country: str | None = None) -> str:
    """``{{ price|money:country }}`` -> "£2.49", or "Not sold separately" for a nil price.

    A nil price is 7digital's way of saying a track is sold only with its release.
    """
    if price is None:
        return ""
    if not price.sold_separately:
        return gettext("Not sold separately")
    locale = locale_for(country or settings.SEVENDIGITAL_COUNTRY)
    return format_price(price.amount, price.currency, locale)


@register.simple_tag(takes_context=True)
def price_tag(context, price: Price | None) -> str:
    """``{% price_tag price %}``: the price in a ``<span class="price">`` for the page's
    country, marked ``not-sold-separately`` (and styled as a note, not a price) when
    7digital sells the item only with its release; nothing without a price."""
    if price is None:
        return ""
    classes = "price" if price.sold_separately else "price not-sold-separately"
    return format_html('<span class="{}">{}</span>', classes, money(price, context.get("country")))


@register.filter
def duration(seconds: int | None) -> str:
    """``{{ track.duration|duration }}`` -> "3:42" (or "1:02:03" past an hour)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def standard_price(item) -> Price | None:
    """The price of the standard package (2) of a release or track, if on sale."""
    download = getattr(item, "download", None)
    package = download.package(2) if download else None
    return package.price if package else None


@register.filter
def artwork(url: str | None, size: int) -> str | None:
    """``{{ release.image|artwork:180 }}``: the cover at the size the page draws it."""
    return artwork_at(url, int(size))


@register.simple_tag
def cached_url(name: str, *args: int | str) -> str:
    """``{% cached_url "catalogue:track" track.id %}``: what ``{% url %}`` gives, remembered.

    Every page links its layout's few fixed URLs and each item of its lists, and
    reversing them all was a fifth of the time a release page took to render. A URL
    depends only on its name and arguments, the script prefix and the URLconf, which
    make the key; positional arguments only.
    """
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(name, tuple(map(str, args)), get_script_prefix(), urlconf)


@lru_cache(maxsize=16384)
def _reverse(name: str, args: tuple[str, ...], prefix: str, urlconf: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests only: a module's patterns may differ now
        _reverse.cache_clear()
