"""The search page: one box over artists, releases and tracks, a plain GET that htmx
enhances, with filters that reach 7digital and stay in the URL."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SEARCH_URL = reverse("catalogue:search")
HTMX = {"HTTP_HX_REQUEST": "true"}
FRESH_SECONDS = 432_000  # the sandbox's Cache-Control max-age for the catalogue


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def _search(client, **params):
    headers = params.pop("headers", {})
    return client.get(SEARCH_URL, params, **headers)


def _api_params(sandbox, endpoint: str) -> list[dict[str, str]]:
    """The query parameters of each call 7digital received at ``endpoint``."""
    return [dict(entry["params"]) for entry in sandbox.entries(endpoint=endpoint)]


def _hrefs(html: str) -> set[str]:
    return {unescape(href) for href in re.findall(r'href="([^"]*)"', html)}


def _tag(html: str, element_id: str) -> str:
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no #{element_id}"
    return match.group(0)


# -- the full page and its fragment ---------------------------------------------------


def test_the_results_page_is_a_normal_get_in_the_site_layout(client, sandbox):
    response = _search(client, q="radiohead")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site-header"' in html
    assert '<section id="search-results"' in html
    assert 'href="/artists/304/"' in html
    assert "Radiohead" in html


def test_the_header_box_keeps_the_query(client, sandbox):
    html = _search(client, q="radiohead").content.decode()

    assert 'value="radiohead"' in _tag(html, "site-search-q")
    assert 'value="radiohead"' in _tag(html, "search-q")


def test_htmx_gets_only_the_results_region(client, sandbox):
    response = _search(client, q="radiohead", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert "<html" not in html
    assert "site-header" not in html
    assert 'id="search-form"' not in html, "the search box is not swapped while typing"
    assert html.startswith('<section id="search-results"')
    assert html.endswith("</section>")
    assert 'href="/artists/304/"' in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, sandbox):
    response = _search(
        client, q="radiohead", headers={**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    )
    assert '<header class="site-header"' in response.content.decode()


def test_the_search_box_searches_as_you_type_and_cancels_the_previous_request(client, sandbox):
    box = _tag(_search(client).content.decode(), "search-q")

    assert 'hx-get="/search/"' in box
    assert 'hx-trigger="input changed delay:300ms, search"' in box
    # The box and its form (Enter) share one queue: a newer request replaces the older.
    assert 'hx-sync="closest form:replace"' in box
    assert 'hx-target="#search-results"' in box
    assert 'hx-push-url="true"' in box
    assert 'name="q"' in box


def test_the_search_form_works_without_javascript(client, sandbox):
    form = _tag(_search(client).content.decode(), "search-form")

    assert 'action="/search/"' in form
    assert 'method="get"' in form
    assert 'hx-sync="this:replace"' in form


def test_going_back_asks_the_server_so_the_box_shows_what_was_searched(client, sandbox):
    # A history snapshot would keep the results but not the text typed in the box: the
    # layout tells htmx to keep none, so going back asks for the whole page.
    html = _search(client, q="radiohead").content.decode()

    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert json.loads(config[1])["historyCacheSize"] == 0


# -- an empty box ---------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_box_shows_a_prompt_and_asks_7digital_nothing(client, sandbox, q):
    response = _search(client, q=q)

    assert response.status_code == 200
    assert "Type the name of an artist, a release or a track" in response.content.decode()
    assert sandbox.entries() == []


def test_the_page_without_a_query_shows_the_prompt_too(client, sandbox):
    response = client.get(SEARCH_URL)

    assert response.status_code == 200
    assert "search-prompt" in response.content.decode()
    assert sandbox.entries() == []


# -- tabs -----------------------------------------------------------------------------


def test_the_artist_tab_is_the_default_and_finds_the_artist(client, sandbox):
    html = _search(client, q="radiohead").content.decode()

    assert _api_params(sandbox, "artist/search")[0]["q"] == "radiohead"
    assert re.search(r'<a class="tab is-current" href="[^"]*kind=artist', html)
    assert 'aria-current="page">Artists</a>' in html


def test_the_release_tab_searches_releases(client, sandbox):
    html = _search(client, q="no surprises", kind="release").content.decode()

    assert len(_api_params(sandbox, "release/search")) == 1
    assert 'href="/releases/1046/"' in html
    assert 'aria-current="page">Releases</a>' in html


def test_the_track_tab_searches_tracks_with_preview_buttons(client, sandbox):
    html = _search(client, q="no surprises", kind="track").content.decode()

    assert len(_api_params(sandbox, "track/search")) == 1
    assert 'href="/tracks/9525/"' in html
    assert 'data-preview-track="9525"' in html


def test_tabs_are_links_that_keep_the_query_and_swap_the_results(client, sandbox):
    html = _search(client, q="radiohead", sort="name").content.decode()

    tab = "/search/?q=radiohead&amp;kind=release&amp;sort=name"
    assert f'href="{tab}"' in html
    assert f'hx-get="{tab}" hx-target="#search-results" hx-swap="outerHTML"' in html


def test_a_tab_asked_by_htmx_is_the_results_region_of_that_kind(client, sandbox):
    html = _search(client, q="radiohead", kind="track", headers=HTMX).content.decode()

    assert html.strip().startswith('<section id="search-results"')
    assert 'data-preview-track="9525"' in html
    assert 'name="kind" value="track" form="search-form"' in html


# -- sort and filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "sent"), [("name", "name asc"), ("popularity", "popularity desc")]
)
def test_the_sort_reaches_7digital_and_stays_in_the_page_links(client, sandbox, sort, sent):
    html = _search(client, q="the", kind="release", sort=sort).content.decode()

    assert _api_params(sandbox, "release/search")[0]["sort"] == sent
    assert f"/search/?q=the&kind=release&sort={sort}&page=2" in _hrefs(html)
    assert f'<option value="{sort}" selected>' in html


def test_relevance_is_7digital_default_and_sends_no_sort(client, sandbox):
    _search(client, q="radiohead", sort="relevance")

    assert "sort" not in _api_params(sandbox, "artist/search")[0]


def test_the_release_type_filter_reaches_7digital_and_stays_in_the_page_links(client, sandbox):
    html = _search(client, q="a", kind="release", type="single").content.decode()

    assert _api_params(sandbox, "release/search")[0]["type"] == "single"
    assert "/search/?q=a&kind=release&type=single&page=2" in _hrefs(html)
    assert '<option value="single" selected>' in html
    assert "67 results" in html


def test_the_explicit_filter_reaches_7digital_and_stays_in_the_page_links(client, sandbox):
    html = _search(client, q="a", kind="track", explicit="0").content.decode()

    assert _api_params(sandbox, "track/search")[0]["explicit"] == "false"
    assert "/search/?q=a&kind=track&explicit=0&page=2" in _hrefs(html)
    assert re.search(r'<input id="search-explicit"[^>]*checked>', html)


def test_the_next_page_keeps_every_filter_and_asks_for_that_page(client, sandbox):
    response = _search(
        client, q="the", kind="release", sort="name", type="album", page="2", headers=HTMX
    )

    sent = _api_params(sandbox, "release/search")[0]
    assert (sent["sort"], sent["type"], sent["page"]) == ("name asc", "album", "2")
    html = response.content.decode()
    assert html.strip().startswith('<section id="search-results"')
    assert "/search/?q=the&kind=release&sort=name&type=album&page=1" in _hrefs(html)


def test_the_filters_are_a_get_form_enhanced_by_htmx(client, sandbox):
    html = _search(client, q="a", kind="release").content.decode()

    filters = re.search(r'<div class="search-filters"[^>]*>', html).group(0)
    assert 'hx-trigger="change"' in filters
    assert 'hx-include="#search-form"' in filters
    assert '<select id="search-sort" name="sort" form="search-form">' in html
    assert '<select id="search-type" name="type" form="search-form">' in html
    assert '<button type="submit" form="search-form">Apply</button>' in html


def test_filters_of_one_kind_are_not_offered_on_another(client, sandbox):
    html = _search(client, q="radiohead", kind="artist").content.decode()

    assert 'name="type"' not in html
    assert 'name="explicit"' not in html


# -- input nobody should send, handled without a 500 ----------------------------------


@pytest.mark.parametrize(
    ("params", "endpoint", "notice"),
    [
        ({"kind": "label"}, "artist/search", "There is no “label” tab"),
        ({"sort": "random"}, "artist/search", "cannot be sorted by “random”"),
        ({"kind": "release", "type": "ep"}, "release/search", "“ep” is not a release type"),
        ({"kind": "track", "explicit": "maybe"}, "track/search", "not an explicit filter"),
        ({"page": "abc"}, "artist/search", "There is no page “abc”"),
        ({"page": "-1"}, "artist/search", "There is no page “-1”"),
        ({"page": "0"}, "artist/search", "There is no page “0”"),
        ({"page": "99999999999999999999"}, "artist/search", "There is no page"),
    ],
)
def test_a_value_7digital_would_refuse_falls_back_to_the_default_and_says_so(
    client, sandbox, params, endpoint, notice
):
    response = _search(client, q="radiohead", **params)

    assert response.status_code == 200
    assert notice in response.content.decode()
    sent = _api_params(sandbox, endpoint)[0]
    assert "sort" not in sent and "type" not in sent and "explicit" not in sent
    assert sent.get("page", "1") == "1"


def test_a_type_filter_on_another_tab_is_ignored(client, sandbox):
    response = _search(client, q="radiohead", kind="track", type="single")

    assert response.status_code == 200
    assert "type" not in _api_params(sandbox, "track/search")[0]


def test_a_very_long_query_is_cut_short(client, sandbox):
    _search(client, q="radiohead " + "x" * 1000)

    assert len(_api_params(sandbox, "artist/search")[0]["q"]) == 200


def test_a_page_past_the_end_is_the_friendly_404(client, sandbox):
    response = _search(client, q="radiohead", page="40")

    assert response.status_code == 404
    assert "We couldn&rsquo;t find that" in response.content.decode()


def test_nothing_found_says_so(client, sandbox):
    html = _search(client, q="zzzqqqxxx").content.decode()

    assert "Nothing matches &ldquo;zzzqqqxxx&rdquo; here" in html


def test_the_query_is_escaped(client, sandbox):
    html = _search(client, q="<script>alert(1)</script>").content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- when 7digital fails --------------------------------------------------------------


def test_a_search_never_made_is_the_friendly_503_while_7digital_fails(client, sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = _search(client, q="radiohead")

    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


def test_a_search_made_before_is_served_with_the_stale_notice(
    client, sandbox, cache_clock, queued_refreshes
):
    assert _search(client, q="radiohead").status_code == 200
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = _search(client, q="radiohead")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="stale-notice"' in html
    assert 'href="/artists/304/"' in html


def test_a_stale_fragment_carries_the_notice_itself(client, sandbox, cache_clock, queued_refreshes):
    _search(client, q="radiohead")
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    html = _search(client, q="radiohead", headers=HTMX).content.decode()

    assert 'class="stale-notice"' in html
