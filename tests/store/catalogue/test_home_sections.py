"""The home page shows its music in the page whenever the data is kept (issue 16).

Crawlers and browsers without JavaScript never run the sections' ``hx-trigger="load"``:
a section whose read is kept (``selectors.cached_read``) comes with the page, with its
links; only a section whose data is not kept is left to load after the page, and the
page never waits on 7digital for it.
"""

from __future__ import annotations

import html
import re

import pytest

from store.catalogue import selectors
from store.catalogue.views import browse

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FRESH_SECONDS = 432_000  # the sandbox's Cache-Control max-age for the catalogue
HTMX = {"HTTP_HX_REQUEST": "true"}
STALE_NOTICE = 'class="stale-notice"'


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def opening_tag(text: str, element_id: str) -> str:
    return re.search(rf'<section id="{element_id}"[^>]*>', text).group(0)


def loads_later(text: str, element_id: str) -> bool:
    return 'hx-trigger="load"' in opening_tag(text, element_id)


def section(text: str, element_id: str) -> str:
    """The HTML of a section, up to the next home section."""
    start = text.index(f'<section id="{element_id}"')
    following = re.search(r'<section id="(charts|new-[^"]+)"', text[start + 1 :])
    return text[start : start + 1 + following.start()] if following else text[start:]


def card_titles(text: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r'<h3 class="card-title">([^<]*)', text)]


def kept_charts(country: str = "GB"):
    return selectors.charts_get(country=country, page_size=browse.CHART_SIZE)


def kept_new_releases(tag: str):
    return selectors.tag_releases_new(tag=tag, country="GB", page_size=browse.FEATURED_RELEASES)


def test_kept_charts_come_with_the_home_page_without_asking_7digital(client, sandbox):
    charts = kept_charts()
    calls = len(sandbox.entries())

    text = client.get("/").text

    assert not loads_later(text, "charts")
    assert 'aria-busy="true"' not in opening_tag(text, "charts")
    for entry in charts.releases:
        release = entry.item
        assert f'<a href="/releases/{release.id}/">{html.escape(release.title)}</a>' in text
    for entry in charts.tracks:
        assert f'<a href="/tracks/{entry.item.id}/">{html.escape(entry.item.title)}</a>' in text
    for entry in charts.artists:
        assert f'<a href="/artists/{entry.item.id}/">{html.escape(entry.item.name)}</a>' in text
    assert len(sandbox.entries()) == calls


def test_kept_new_releases_come_with_the_home_page_and_the_others_load_later(
    client, sandbox, settings
):
    settings.CATALOGUE_FEATURED_TAGS = ["rock", "pop"]
    rock = kept_new_releases("rock")
    calls = len(sandbox.entries())

    text = client.get("/").text

    assert not loads_later(text, "new-rock")
    assert card_titles(section(text, "new-rock")) == [release.title for release in rock]
    assert 'href="/tags/rock/"' in section(text, "new-rock")
    assert loads_later(text, "new-pop")
    assert loads_later(text, "charts")
    assert len(sandbox.entries()) == calls


def test_a_cold_home_page_asks_7digital_nothing_and_leaves_every_section_to_load(
    client, sandbox, settings
):
    settings.CATALOGUE_FEATURED_TAGS = ["rock", "pop"]

    text = client.get("/").text

    assert sandbox.entries() == []
    for element_id in ("charts", "new-rock", "new-pop"):
        assert loads_later(text, element_id), element_id
    assert 'href="/?section=charts#charts"' in text, "without JavaScript: a link"
    assert 'href="/tags/pop/?section=new#tag-new"' in text
    assert '<div class="charts section-skeleton" aria-hidden="true">' in text, "room kept"


def test_the_home_page_shows_only_the_charts_kept_for_the_visitors_country(client, sandbox):
    kept_charts(country="GB")
    client.cookies["country"] = "US"

    text = client.get("/").text

    assert loads_later(text, "charts")
    assert len(sandbox.entries()) == 3, "only the British charts' three calls"


def test_charts_past_their_max_age_load_after_the_page_without_a_call(client, sandbox, cache_clock):
    kept_charts()
    calls = len(sandbox.entries())
    cache_clock.advance(FRESH_SECONDS + 1)

    text = client.get("/").text

    assert loads_later(text, "charts")
    assert len(sandbox.entries()) == calls


def test_during_an_outage_the_home_page_shows_the_last_good_charts_with_the_notice(
    client, sandbox, cache_clock, queued_refreshes
):
    charts = kept_charts()
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    # The charts' own request meets the outage and answers with the last good copy.
    assert STALE_NOTICE in client.get("/?section=charts", **HTMX).text
    calls = len(sandbox.entries())

    text = client.get("/").text

    assert not loads_later(text, "charts")
    assert html.escape(charts.releases[0].item.title) in section(text, "charts")
    assert text.count(STALE_NOTICE) == 1, "the layout's notice"
    assert len(sandbox.entries()) == calls, "7digital is not asked again while it fails"
