"""Template helpers other than prices (those are in test_money.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.urls import reverse, set_script_prefix

from sevendigital.models import Price
from store.catalogue.lru import LRU
from store.catalogue.templatetags import catalogue as catalogue_tags


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


@pytest.fixture(autouse=True)
def _no_memos():
    catalogue_tags._memo.forget()
    yield
    catalogue_tags._memo.forget()


class Counter:
    """A template variable that counts how often it is rendered."""

    def __init__(self) -> None:
        self.renders = 0

    def __str__(self) -> str:
        self.renders += 1
        return f"render {self.renders}"


MEMO = Template('{% load catalogue %}{% memo "test-block" country %}[{{ counter }}]{% endmemo %}')


def test_a_memo_block_is_rendered_once_per_process_and_key():
    counter = Counter()
    assert MEMO.render(Context({"counter": counter, "country": "GB"})) == "[render 1]"
    assert MEMO.render(Context({"counter": counter, "country": "GB"})) == "[render 1]"
    assert MEMO.render(Context({"counter": counter, "country": "DE"})) == "[render 2]"
    assert counter.renders == 2


def test_a_memo_block_follows_the_script_prefix_and_the_urlconf(settings):
    template = Template(
        '{% load catalogue %}{% memo "test-links" %}{% cached_url "catalogue:home" %}{% endmemo %}'
    )
    assert template.render(Context()) == "/"
    set_script_prefix("/shop/")
    try:
        assert template.render(Context()) == "/shop/"
    finally:
        set_script_prefix("/")
    settings.ROOT_URLCONF = "tests.store.catalogue.urls_mounted"
    assert template.render(Context()) == "/shop/"


def test_a_memo_block_is_forgotten_when_settings_change(settings):
    counter = Counter()
    MEMO.render(Context({"counter": counter, "country": "FR"}))
    settings.STATIC_URL = "/assets/"
    assert MEMO.render(Context({"counter": counter, "country": "FR"})) == "[render 2]"


def test_a_memo_block_renders_every_time_while_templates_are_being_edited():
    engine = Engine(debug=True, libraries={"catalogue": "store.catalogue.templatetags.catalogue"})
    template = engine.from_string(
        '{% load catalogue %}{% memo "test-debug" %}[{{ counter }}]{% endmemo %}'
    )
    counter = Counter()
    template.render(Context({"counter": counter}))
    assert template.render(Context({"counter": counter})) == "[render 2]"


def test_a_memo_block_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        Template("{% load catalogue %}{% memo %}x{% endmemo %}")


def test_the_memo_keeps_a_bounded_number_of_blocks():
    memo = LRU(size=2)
    for key in ("a", "b", "c"):
        memo.keep((key,), key)
    assert memo.get(("a",)) is None
    assert memo.get(("c",)) == "c"


def test_only_releases_sharing_title_version_and_artist_are_told_apart():
    from sevendigital.models import Artist, Release

    radiohead, other = Artist(id=304, name="Radiohead"), Artist(id=1, name="Other")
    releases = [
        Release(id=1046, title="No Surprises", artist=radiohead),
        Release(id=1047, title="no surprises", artist=radiohead),
        Release(id=1048, title="No Surprises", version="Live", artist=radiohead),
        Release(id=2000, title="No Surprises", artist=other),
        Release(id=3000, title="OK Computer", artist=radiohead),
    ]

    assert catalogue_tags.same_titled(releases) == {1046, 1047}
    assert catalogue_tags.same_titled([]) == set()
