"""Suggestions under the header's search box (issue 16): the box on every page is a
combobox whose listbox a targeted swap of ``/search/`` fills with a few artists, releases
and tracks; anyone may ask, from two characters, and nothing they type makes a 500."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SEARCH_URL = "/search/"
# What htmx sends for the header box's request (hx-target="#site-search-suggestions").
SUGGESTING = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "site-search-suggestions"}
RADIOHEAD = 304
NO_SURPRISES = 1046
SEARCH_ENDPOINTS = "*/search"


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def suggest(client, q, **headers):
    return client.get(SEARCH_URL, {"q": q}, **{**SUGGESTING, **headers})


def option_links(html: str) -> list[str]:
    return re.findall(r'<a role="option" id="[^"]+"[^>]*href="([^"]+)"', html)


def searches(sandbox) -> list[dict]:
    return sandbox.entries(endpoint=SEARCH_ENDPOINTS)


def _tag(html: str, element_id: str) -> str:
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no #{element_id}"
    return match.group(0)


def test_the_header_box_on_every_page_is_a_combobox_that_still_submits_to_search():
    from django.template.loader import render_to_string

    request = RequestFactory().get("/releases/1046/")
    request.country, request.session, request.COOKIES = "GB", {}, {}
    html = render_to_string("_base.html", {}, request=request)

    box = _tag(html, "site-search-q")
    for attribute in (
        'role="combobox"',
        'aria-expanded="false"',
        'aria-controls="site-search-suggestions"',
        'aria-autocomplete="list"',
        'hx-get="/search/"',
        'hx-target="#site-search-suggestions"',
        'hx-sync="this:replace"',
    ):
        assert attribute in box
    assert "delay:" in box, "typing is debounced"
    listbox = _tag(html, "site-search-suggestions")
    assert 'role="listbox"' in listbox and "hidden" in listbox
    assert 'role="status"' in _tag(html, "site-search-status")
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert 'action="/search/"' in form and 'method="get"' in form
    assert 'src="/static/js/typeahead.js"' in html


def test_an_anonymous_visitor_typing_radio_is_offered_the_artist_releases_and_tracks(
    client, sandbox
):
    response = suggest(client, "radio")

    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "site-header" not in html, "only the options"
    links = option_links(html)
    assert f"/artists/{RADIOHEAD}/" in links
    assert any(link.startswith("/releases/") for link in links)
    assert any(link.startswith("/tracks/") for link in links)
    assert len(links) <= 9, "a few of each kind"
    assert ">Radiohead<" in html
    assert re.findall(r'class="typeahead-group-label"[^>]*>([^<]+)<', html) == [
        "Artists",
        "Releases",
        "Tracks",
    ]
    ids = re.findall(r'role="option" id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "aria-activedescendant needs unique ids"


def test_two_characters_are_enough(client, sandbox):
    assert option_links(suggest(client, "ra").text)


@pytest.mark.parametrize("q", ["r", " r ", "", "   "])
def test_fewer_than_two_characters_suggest_nothing_and_ask_7digital_nothing(client, sandbox, q):
    response = suggest(client, q)

    assert response.status_code == 200
    assert option_links(response.text) == []
    assert searches(sandbox) == []


def test_the_suggestions_are_the_results_pages_searches_so_enter_finds_them_cached(client, sandbox):
    suggest(client, "radiohead")
    asked = len(searches(sandbox))
    assert asked == 3, "artists, releases and tracks"

    page = client.get(SEARCH_URL, {"q": "radiohead"})

    assert page.status_code == 200 and "Radiohead" in page.text
    assert len(searches(sandbox)) == asked, "the results page asked 7digital again"


def test_the_answer_varies_on_the_htmx_headers_and_the_target(client, sandbox):
    response = suggest(client, "radio")

    vary = {name.strip() for name in response["Vary"].split(",")}
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target"} <= vary


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}],
    ids=["without javascript", "boosted"],
)
def test_the_same_address_followed_as_a_link_is_the_results_page(client, sandbox, headers):
    response = client.get(SEARCH_URL, {"q": "radio"}, **headers)

    assert response.status_code == 200
    assert "<html" in response.text and 'id="search-results"' in response.text
    assert 'role="option"' not in response.text.split('id="search-results"', 1)[1]


@pytest.mark.parametrize(
    "q",
    [
        "\x00",
        "ra\x00dio",
        "r" * 5000,
        "²²",
        "%",
        "%%25",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "радио",
        "😀😀",
        "\u202e\u202e",
        "a\tb\nc",
        "名前",
    ],
)
def test_nothing_typed_makes_a_server_error(client, sandbox, q):
    response = suggest(client, q)

    # 400 for a NUL byte, refused before any view (integrations.http); else 200.
    assert response.status_code in (200, 400)
    assert "<script>alert" not in response.text


def test_7digital_failing_suggests_nothing_and_the_box_still_searches(client, sandbox):
    sandbox.add_fault(kind="status", status=503, endpoint="artist/search")

    response = suggest(client, "radio")

    assert response.status_code == 200
    assert option_links(response.text) == []
    assert sandbox.entries(endpoint="artist/search"), "7digital was asked"
