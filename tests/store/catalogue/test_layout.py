"""The layout every catalogue page shares: search, country switch, stale notice."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from store.catalogue.context_processors import catalogue
from store.catalogue.selectors import stale_reads

pytestmark = pytest.mark.django_db


def render_base(request, **context) -> str:
    from django.template.loader import render_to_string

    return render_to_string("_base.html", context, request=request)


def layout_request(country="GB"):
    request = RequestFactory().get("/somewhere/?x=1")
    request.country = country
    request.session = {}
    request.COOKIES = {}
    return request


def test_the_header_has_a_labelled_search_box_and_the_country_switch():
    html = render_base(layout_request("US"))
    assert 'role="search"' in html
    assert 'for="site-search-q"' in html and 'id="site-search-q"' in html
    assert 'action="/search/"' in html
    assert 'name="csrfmiddlewaretoken"' in html, "the country switch is a CSRF-protected POST"
    assert '<option value="US" selected>' in html
    assert '<option value="GB">' in html
    assert 'name="next" value="/somewhere/?x=1"' in html


def test_what_differs_per_visit_is_rendered_for_each_visit_around_the_remembered_markup():
    import re

    first = layout_request("DE")
    second = RequestFactory().get("/elsewhere/", {"q": "radiohead"})
    second.country, second.session, second.COOKIES = "FR", {}, {}
    third = layout_request("DE")
    pages = [render_base(first), render_base(second, search_query="radiohead"), render_base(third)]

    assert '<option value="DE" selected>' in pages[0]
    assert '<option value="FR" selected>' in pages[1] and '<option value="DE">' in pages[1]
    assert '<option value="DE" selected>' in pages[2]
    assert 'name="next" value="/elsewhere/?q=radiohead"' in pages[1]
    assert 'value="radiohead"' in pages[1] and 'value="radiohead"' not in pages[2]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1] for page in pages]
    assert len(set(tokens)) == 3, "each visit has its own CSRF token"
    assert all(
        f'"x-csrftoken": "{token}"' in page for token, page in zip(tokens, pages, strict=True)
    )


def test_the_stale_notice_shows_only_when_a_read_was_served_stale():
    request = layout_request()
    assert "stale-notice" not in render_base(request)
    with stale_reads() as reads:
        reads.add("release_get")
        assert catalogue(request)["catalogue_stale"] is True
        assert "7digital is not answering right now" in render_base(request)


@pytest.mark.parametrize(
    ("seconds", "shown"), [(None, ""), (0, "0:00"), (59, "0:59"), (222, "3:42"), (3723, "1:02:03")]
)
def test_durations_read_as_minutes_and_seconds(seconds, shown):
    template = Template("{% load catalogue %}{{ value|duration }}")
    assert template.render(Context({"value": seconds})) == shown


def test_cards_ask_the_cdn_for_artwork_at_the_size_they_draw():
    template = Template("{% load catalogue %}{{ url|artwork:180 }}")
    cover = "http://artwork-cdn.7static.com/static/img/sleeveart/00/000/010/0000001046_50.jpg"
    assert template.render(Context({"url": cover})).endswith("0000001046_180.jpg")
    assert template.render(Context({"url": "http://example.com/x.gif"})) == (
        "http://example.com/x.gif"
    )


# -- the country switch and in-place navigation ------------------------------------------


def _tag(html: str, pattern: str, group: int = 0) -> str:
    import re

    return re.search(pattern, html, re.S).group(group)


def test_choosing_a_country_in_the_list_sends_nothing_until_the_button_is_pressed():
    html = render_base(layout_request())
    form = _tag(html, r'<form class="country-switch".*?</form>')

    select = _tag(form, r"<select[^>]*>")
    assert "hx-" not in select, "the list itself must not send the form (WCAG 3.2.2)"
    assert '<button type="submit" class="country-change">Change</button>' in form
    assert "<noscript>" not in form, "the button is there with JavaScript too"


def test_the_layout_navigates_in_place_and_keeps_no_copies_of_pages(client):
    import json

    html = client.get("/").content.decode()

    assert _tag(html, r"<body[^>]*>").startswith('<body hx-boost="true"')
    config = json.loads(_tag(html, r"<meta name=\"htmx-config\" content='([^']*)'>", 1))
    assert config == {
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": False,
        "historyRestoreAsHxRequest": False,
    }
    assert '<script src="/static/js/navigation.js" defer></script>' in html


@pytest.mark.parametrize(
    ("url", "in_place"),
    [("/", True), ("/search/", True), ("/basket/", True), ("/accounts/login/", False)],
)
def test_only_shop_pages_navigate_in_place_from_their_main_region(client, url, in_place):
    main = _tag(client.get(url).content.decode(), r"<main [^>]*>")

    assert ('hx-boost="false"' not in main) is in_place
