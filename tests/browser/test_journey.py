"""The main journey in a real browser (issue 4): search "radiohead" as you type, open
"No Surprises", press play on a track and hear it; screenshots of home, search results,
artist and release pages, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, settle

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    # The sandbox database is flushed after each test too: conftest.py seeds it again.
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

RADIOHEAD = 304
NO_SURPRISES = 1046
NO_SURPRISES_TRACK = 9525

PLAYING = """() => {
    const audio = document.getElementById("player-audio");
    return !audio.paused && audio.currentTime > 0;
}"""

PAGES = {
    "home": "/",
    "search": "/search/?q=radiohead&kind=release",
    "artist": f"/artists/{RADIOHEAD}/",
    "release": f"/releases/{NO_SURPRISES}/",
}


def test_a_visitor_finds_a_release_by_typing_and_hears_a_preview(desktop):
    from sandbox.state import state

    page = desktop
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, "home")

    page.goto("/search/")
    page.evaluate("window.sameDocument = true")  # gone if a full page load happens
    page.locator("#search-q").press_sequentially("radiohead", delay=50)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Radiohead").first).to_be_visible()
    results.locator(".tabs").get_by_role("link", name="Releases").click()
    release_link = results.locator(f'a[href="/releases/{NO_SURPRISES}/"]')
    expect(release_link).to_contain_text("No Surprises")
    assert page.evaluate("window.sameDocument"), "the results came with a page load"
    expect(page).to_have_url(re.compile(r"/search/\?q=radiohead.*kind=release"))
    screenshot(page, "search")

    release_link.click()
    expect(page).to_have_url(re.compile(rf"/releases/{NO_SURPRISES}/$"))
    expect(page.locator("h1")).to_contain_text("No Surprises")
    settle(page)
    cover = page.locator("img.cover-large")
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0"), "no cover offline"

    play = page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')
    play.click()
    page.wait_for_function(PLAYING, timeout=20_000)
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#player-status")).to_contain_text("Playing No Surprises")
    assert state.entries(endpoint=f"clip/{NO_SURPRISES_TRACK}"), "no clip fetched from 7digital"
    screenshot(page, "release")

    page.locator(".release-artist").get_by_role("link", name="Radiohead").click()
    expect(page).to_have_url(re.compile(rf"/artists/{RADIOHEAD}/$"))
    expect(page.locator("h1")).to_have_text("Radiohead")
    screenshot(page, "artist")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_main_pages_fit_the_screen_and_the_player_covers_nothing(viewport, request):
    page = request.getfixturevalue(viewport)
    for name, path in PAGES.items():
        page.goto(path)
        settle(page)
        # Against the width the window was opened at: a phone's browser widens its layout
        # to fit a page that is too wide, so clientWidth would grow with the overflow.
        overflow = (
            page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px on a {viewport}"
        # The player is fixed to the bottom: the body's padding keeps the end of the page
        # (the footer) above it.
        covered = page.evaluate(
            """() => {
                const player = document.getElementById("player").getBoundingClientRect();
                const padding = parseFloat(getComputedStyle(document.body).paddingBottom);
                return player.height - padding;
            }"""
        )
        assert covered <= 0, f"the player covers {covered} px of {path} on a {viewport}"
        if viewport == "phone":
            screenshot(page, name)
