"""Radio in a real browser (issue 19): a visitor tunes in to a tag's station from its
page, hears whole tracks the station chooses, skips within the hour's allowance, and
the track heard is logged with how it ended; the radio keeps playing across pages."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError

from .conftest import screenshot
from .test_journey import PLAYING

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

SOURCE = "() => document.getElementById('player-audio').currentSrc"
# Past 3.5 s played, the player has counted more than 2 whole seconds heard.
HEARD = "() => document.getElementById('player-audio').currentTime > 3.5"


def _catalogue_plays(page, *, settled: bool) -> list:
    from store.playlogs.models import CataloguePlay, EndReason

    plays: list = []
    for _ in range(50):
        with contextlib.suppress(OperationalError):  # see tests/browser/test_playlogs.py
            plays = list(CataloguePlay.objects.order_by("played_at"))
            if plays and (not settled or plays[0].end_reason != EndReason.OTHER):
                return plays
        page.wait_for_timeout(100)
    return plays


def test_a_visitor_tunes_in_skips_and_the_radio_plays_on_across_pages(desktop, storefront):
    page = desktop
    page.goto("/tags/rock/")
    page.get_by_role("link", name="Rock radio").click()
    page.wait_for_url("**/radio/rock/")
    expect(page.get_by_text("You can skip 6 tracks an hour")).to_be_visible()

    page.get_by_role("button", name="Play rock radio").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    page.wait_for_function(HEARD, timeout=30_000)

    assert "/radio/rock/stream?n=1" in page.evaluate(SOURCE)  # names no track
    status = page.locator("#player-status")
    expect(status).to_contain_text("on Rock radio (6 skips left this hour)")
    expect(page.locator("#player-previous")).to_be_disabled()
    expect(page.locator("#player-seek")).to_be_disabled()
    (first,) = _catalogue_plays(page, settled=False)
    screenshot(page, "radio-playing")

    # The station's button is pressed while it plays: pressing it pauses, not re-tunes.
    tune = page.get_by_role("button", name="Play rock radio")
    expect(tune).to_have_attribute("aria-pressed", "true")
    tune.click()
    page.wait_for_function("() => document.getElementById('player-audio').paused")
    expect(tune).to_have_attribute("aria-pressed", "false")
    tune.click()
    page.wait_for_function(PLAYING, timeout=30_000)
    assert "/radio/rock/stream?n=1" in page.evaluate(SOURCE)  # the same track, resumed

    skip = page.get_by_role("button", name="Skip this track")
    skip.click()
    expect(status).to_contain_text("(5 skips left this hour)", timeout=30_000)
    assert "/radio/rock/stream?n=2" in page.evaluate(SOURCE)
    skipped = _catalogue_plays(page, settled=True)[0]
    assert skipped.pk == first.pk
    assert skipped.end_reason == "userSkipped"
    assert skipped.seconds_played >= 2
    assert skipped.listener_id.startswith("device-")

    page.get_by_role("link", name="Rock releases and artists").click()  # a boosted link
    page.wait_for_url("**/tags/rock/")
    page.wait_for_timeout(1500)
    assert not page.evaluate("() => document.getElementById('player-audio').paused")
    expect(status).to_contain_text("Rock radio")
    screenshot(page, "radio-after-navigation")


def test_the_seventh_skip_in_an_hour_is_refused_in_words(desktop, storefront, settings):
    page = desktop
    page.goto("/radio/rock/")
    page.get_by_role("button", name="Play rock radio").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    skip = page.get_by_role("button", name="Skip this track")
    status = page.locator("#player-status")
    for left in (5, 4, 3, 2, 1, 0):
        skip.click()
        expect(status).to_contain_text(f"({left} skip", timeout=30_000)
        page.wait_for_function(PLAYING, timeout=30_000)
    playing = page.evaluate(SOURCE)

    skip.click()

    expect(status).to_contain_text("No skips left: 6 an hour", timeout=30_000)
    assert page.evaluate(SOURCE) == playing
    assert not page.evaluate("() => document.getElementById('player-audio').paused")
    screenshot(page, "radio-no-skips-left")
