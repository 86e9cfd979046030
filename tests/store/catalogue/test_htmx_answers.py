"""One way to answer htmx (integrations/htmx.py): every catalogue URL answers a
boosted navigation and a history restore with the whole page, a targeted swap with its
partial, and says which headers chose (Vary)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from integrations.htmx import wants_partial

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

LAYOUT = '<header class="site-header"'
PLAYER = 'id="player"'

TARGETED = {"HTTP_HX_REQUEST": "true"}
BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}
# htmx 2 sends HX-Request with a history restore unless told not to; the layout tells it
# not to (historyRestoreAsHxRequest), but a page must come back whole either way.
RESTORE_AS_HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
RESTORE = {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}

# Each URL and the start of the partial a targeted swap gets.
PARTIALS = {
    "/": '<h1 class="page-title">',
    "/?section=charts": '<section id="charts"',
    "/artists/?letter=k": '<div id="artists-browse"',
    "/tags/rock/": '<h1 class="page-title">',
    "/tags/rock/?section=new": '<section id="tag-new"',
    "/search/?q=radiohead": '<section id="search-results"',
    "/releases/1046/": '<section id="release-tracks"',
    "/releases/1046/?section=tags": '<section id="release-tags"',
    "/artists/304/": '<section id="artist-releases"',
    "/artists/304/?section=top-tracks": '<section id="artist-top-tracks"',
}
PAGES = [*PARTIALS, "/tracks/9525/"]


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def get(client, url, headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.text[:2000]
    return response


def is_whole_page(text: str) -> bool:
    return "<html" in text and LAYOUT in text and PLAYER in text


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "headers", [BOOSTED, RESTORE, RESTORE_AS_HTMX], ids=["boosted", "restore", "restore-htmx"]
)
def test_a_navigation_gets_the_whole_page(client, sandbox, url, headers):
    assert is_whole_page(get(client, url, headers).text)


@pytest.mark.parametrize(("url", "start"), PARTIALS.items())
def test_a_targeted_swap_gets_only_its_partial(client, sandbox, url, start):
    text = get(client, url, TARGETED).text

    assert "<html" not in text and LAYOUT not in text and PLAYER not in text
    assert text.lstrip().startswith(start)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "headers", [{}, TARGETED, BOOSTED, RESTORE], ids=["plain", "targeted", "boosted", "restore"]
)
def test_every_answer_varies_on_the_headers_that_chose_it(client, sandbox, url, headers):
    vary = {name.strip() for name in get(client, url, headers)["Vary"].split(",")}

    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= vary


def test_the_artists_list_also_varies_on_the_target_it_picks_its_partial_by(client, sandbox):
    response = get(client, "/artists/?letter=k", {**TARGETED, "HTTP_HX_TARGET": "artist-grid"})

    assert response.text.lstrip().startswith('<section id="artist-grid"')
    assert "HX-Target" in response["Vary"]


def test_a_boosted_page_shows_the_stale_notice_once(client, sandbox, monkeypatch):
    from store.catalogue import context_processors

    monkeypatch.setattr(context_processors, "served_stale", lambda: True)

    text = get(client, "/releases/1046/", BOOSTED).text

    assert is_whole_page(text)
    assert text.count('class="stale-notice"') == 1, "the layout's notice, not the fragments'"


@pytest.mark.parametrize(
    ("headers", "partial"),
    [({}, False), (TARGETED, True), (BOOSTED, False), (RESTORE_AS_HTMX, False), (RESTORE, False)],
    ids=["plain", "targeted", "boosted", "restore-htmx", "restore"],
)
def test_only_a_targeted_swap_wants_a_partial(headers, partial):
    request = RequestFactory().get("/", **headers)
    HtmxMiddleware(lambda request: None)(request)

    assert wants_partial(request) is partial


def test_a_request_that_no_middleware_saw_wants_the_page():
    assert wants_partial(RequestFactory().get("/", **TARGETED)) is False
