"""Prices are written in the visitor's currency, the way the visitor's country writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from integrations.money import format_price, locale_for
from sevendigital.models import Price
from store.catalogue.templatetags.catalogue import money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("2.49", "GBP", "en_GB", "£2.49"),
        ("1.29", "USD", "en_US", "$1.29"),
        ("1.29", "EUR", "de_DE", "1,29\xa0€"),
        ("1.29", "EUR", "fr_FR", "1,29\xa0€"),
        ("1.29", "EUR", "en_IE", "€1.29"),
        ("1.29", "CAD", "en_CA", "$1.29"),
        ("1.29", "USD", "en_GB", "US$1.29"),
    ],
)
def test_a_price_is_written_in_the_locale_given(amount, currency, locale, expected):
    assert format_price(Decimal(amount), currency, locale) == expected


def test_a_price_defaults_to_british_english():
    assert format_price(Decimal("10"), "GBP") == "£10.00"


def test_no_amount_is_written_as_nothing():
    assert format_price(None, "GBP", "en_GB") == ""


@pytest.mark.parametrize(
    ("country", "locale"),
    [
        ("GB", "en_GB"),
        ("US", "en_US"),
        ("DE", "de_DE"),
        ("FR", "fr_FR"),
        ("IE", "en_IE"),
        ("CA", "en_CA"),
        ("de", "de_DE"),
        ("JP", "en_GB"),
        (None, "en_GB"),
    ],
)
def test_each_country_writes_prices_in_its_own_locale(country, locale):
    assert locale_for(country) == locale


def test_the_money_filter_writes_a_price_for_the_country():
    assert money(Price(currency="GBP", amount=Decimal("2.49")), "GB") == "£2.49"
    assert money(Price(currency="EUR", amount=Decimal("1.29")), "DE") == "1,29\xa0€"


def test_the_money_filter_says_when_a_track_is_not_sold_separately():
    assert money(Price(currency="GBP", amount=None), "GB") == "Not sold separately"


def test_the_money_filter_writes_nothing_without_a_price():
    assert money(None, "GB") == ""


def test_the_money_filter_defaults_to_the_shop_country(settings):
    settings.SEVENDIGITAL_COUNTRY = "US"
    assert money(Price(currency="USD", amount=Decimal("1.29"))) == "$1.29"


def test_templates_write_prices_with_the_money_filter():
    template = Template("{% load catalogue %}{{ price|money:country }}")
    price = Price(currency="USD", amount=Decimal("1.29"))
    assert template.render(Context({"price": price, "country": "US"})) == "$1.29"
