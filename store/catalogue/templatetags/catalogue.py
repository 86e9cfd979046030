"""Template helpers of the catalogue: ``{% load catalogue %}``."""

from __future__ import annotations

from django import template
from django.conf import settings
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
