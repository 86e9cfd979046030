"""Prices in the visitor's currency, written the way the visitor's country writes them."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_territory_currencies

LOCALES = {
    "GB": "en_GB",
    "US": "en_US",
    "DE": "de_DE",
    "FR": "fr_FR",
    "IE": "en_IE",
    "CA": "en_CA",
}
DEFAULT_LOCALE = "en_GB"
DEFAULT_CURRENCY = "GBP"


def locale_for(country: str | None) -> str:
    """The Babel locale prices are written in for ``country``."""
    return LOCALES.get((country or "").upper(), DEFAULT_LOCALE)


@lru_cache(maxsize=4096)  # a catalogue has a few price points: formatting each is slow
def format_price(amount: Decimal | None, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``Decimal("2.49"), "GBP"`` -> "£2.49"; "1,29 €" in de_DE; "" for no amount."""
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=locale)


@lru_cache(maxsize=256)
def currency_for(country: str | None) -> str:
    """The currency a visitor from ``country`` pays in: the one legal tender there today
    (Babel's CLDR data: GB -> GBP, DE -> EUR); the shop's default for no country."""
    found = get_territory_currencies((country or "").upper()) if country else []
    return found[0] if found else DEFAULT_CURRENCY
