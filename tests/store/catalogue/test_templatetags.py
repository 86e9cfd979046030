"""Template helpers other than prices (those are in test_money.py)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix


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
