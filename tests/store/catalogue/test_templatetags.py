"""Template helpers other than prices (those are in test_money.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from sevendigital.models import Price


@pytest.mark.parametrize(
    ("name", "args"),
    [("catalogue:artist", [304]), ("catalogue:track", ["12"]), ("catalogue:home", [])],
)
def test_a_cached_url_is_the_url_the_url_tag_gives(name, args):
    names = " ".join(f"arg{i}" for i in range(len(args)))
    template = Template(f"{{% load catalogue %}}{{% cached_url name {names} %}}")
    context = Context({"name": name, **{f"arg{i}": arg for i, arg in enumerate(args)}})
    assert template.render(context) == reverse(name, args=args)


def test_a_cached_url_follows_the_script_prefix_of_the_request():
    template = Template('{% load catalogue %}{% cached_url "catalogue:release" 1046 %}')
    assert template.render(Context()) == "/releases/1046/"
    set_script_prefix("/shop/")
    try:
        assert template.render(Context()) == "/shop/releases/1046/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/releases/1046/"


def test_a_cached_url_follows_the_urlconf(settings):
    template = Template('{% load catalogue %}{% cached_url "catalogue:home" %}')
    assert template.render(Context()) == "/"
    settings.ROOT_URLCONF = "tests.store.catalogue.urls_mounted"
    assert template.render(Context()) == "/shop/"


@pytest.mark.parametrize(
    ("price", "country", "rendered"),
    [
        (Price("GBP", Decimal("0.99")), "GB", '<span class="price">£0.99</span>'),
        (Price("EUR", Decimal("1.29")), "DE", '<span class="price">1,29\xa0€</span>'),
        (
            Price("GBP", None),
            "GB",
            '<span class="price not-sold-separately">Not sold separately</span>',
        ),
        (None, "GB", ""),
    ],
)
def test_a_price_tag_says_how_an_item_is_sold_in_the_pages_country(price, country, rendered):
    template = Template("{% load catalogue %}{% price_tag price %}")
    assert template.render(Context({"price": price, "country": country})) == rendered
