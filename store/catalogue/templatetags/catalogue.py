"""Template helpers of the catalogue: ``{% load catalogue %}``."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext

from sevendigital.models import Price
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
