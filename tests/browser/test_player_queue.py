"""The player's queue in a real browser: "Play all" queues a release, next and previous,
the queue survives navigation (and a full page load, ready to resume where it was),
and the keyboard reorders and removes."""

from __future__ import annotations

import pytest

from .conftest import screenshot
from .test_journey import NO_SURPRISES, PLAYING

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

TITLES = ["No Surprises", "Palo Alto", "How I Made My Millions"]
SOURCE = "() => document.getElementById('player-audio').currentSrc"


def _queued(page) -> list[str]:
    return page.locator("#player-queue-list .player-queue-title").all_inner_texts()


def test_play_all_queues_the_release_and_the_queue_outlives_navigation(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")

    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    expect(page.locator("#player-status")).to_contain_text("Playing No Surprises")
    expect(page.locator("#player-queue-count")).to_have_text("3")

    page.get_by_role("button", name="Next track").click()
    expect(page.locator("#player-status")).to_contain_text("Playing Palo Alto", timeout=30_000)

    page.get_by_role("link", name="Radiohead").first.click()  # a boosted navigation
    page.wait_for_url("**/artists/**")
    expect(page.locator("#player-status")).to_contain_text("Palo Alto")
    assert not page.evaluate("() => document.getElementById('player-audio').paused")
    page.get_by_role("button", name="Queue").click()
    assert [t.split(" by ")[0] for t in _queued(page)] == TITLES
    screenshot(page, "player-queue")

    page.evaluate("() => { document.getElementById('player-audio').currentTime = 6; }")
    page.get_by_role("button", name="Previous track").click()  # a few seconds in: restarts
    page.wait_for_function("() => document.getElementById('player-audio').currentTime < 3")
    expect(page.locator("#player-status")).to_contain_text("Palo Alto")
    page.get_by_role("button", name="Previous track").click()  # at its start: goes back
    expect(page.locator("#player-status")).to_contain_text("No Surprises", timeout=30_000)


def test_the_keyboard_reorders_and_removes_and_a_page_load_keeps_the_queue(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    page.get_by_role("button", name="Queue").click()

    page.get_by_role("button", name="Move How I Made My Millions up").focus()
    page.keyboard.press("Enter")
    assert [t.split(" by ")[0] for t in _queued(page)] == [TITLES[0], TITLES[2], TITLES[1]]
    # The focus stays on the moved track's control, so it can go on moving.
    expect(page.get_by_role("button", name="Move How I Made My Millions up")).to_be_focused()
    page.keyboard.press("Enter")
    assert _queued(page)[0].startswith(TITLES[2])
    expect(page.locator("#player-status")).to_contain_text("moved to 1 of 3")

    page.get_by_role("button", name="Remove Palo Alto from the queue").focus()
    page.keyboard.press("Enter")
    assert [t.split(" by ")[0] for t in _queued(page)] == [TITLES[2], TITLES[0]]

    page.evaluate("() => { document.getElementById('player-audio').currentTime = 12; }")
    page.wait_for_timeout(300)
    page.reload()  # a full page load: nothing plays by itself, the queue is still there
    expect(page.locator("#player-status")).to_contain_text("Ready: No Surprises")
    expect(page.locator("#player-queue-count")).to_have_text("2")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(PLAYING, timeout=30_000)
    assert page.evaluate("() => document.getElementById('player-audio').currentTime") >= 11
