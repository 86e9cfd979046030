"""Moving around the shop in a real browser (issue 16): links navigate in place, so a
preview plays on from page to page and back; focus lands where a page load or a swap
leaves the visitor, never on <body>; the country list changes nothing until its button
is pressed. Screenshots of the pages the player survived."""

from __future__ import annotations

import contextlib
import re

import pytest

from .conftest import screenshot, settle
from .test_journey import NO_SURPRISES, NO_SURPRISES_TRACK, PLAYING, RADIOHEAD

playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
expect = playwright.expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

# Set on the window once; a page load (rather than a swap) would take it away.
MARK = "window.sameDocument = true"
SAME_DOCUMENT = "window.sameDocument === true"
AUDIO = "document.getElementById('player-audio')"
ARTISTS_A_Z = "Artists A\N{EN DASH}Z"
FOCUSED = """() => {
    const element = document.activeElement;
    return {
        tag: element.tagName,
        text: element.textContent.trim(),
        current: element.getAttribute("aria-current"),
    };
}"""

# A link in the home page's main region, as htmx would find it in a page.
ADD_LINK = """(href) => {
    const link = Object.assign(document.createElement("a"), {href, id: "added"});
    link.textContent = "A link";
    document.getElementById("main").append(link);
    htmx.process(link);
}"""


def focused_after_swap(page) -> dict:
    """What has focus once the swap has settled: navigation.js moves it as htmx settles
    the new region, a moment after the URL changes (or, before, never: then <body>)."""
    with contextlib.suppress(playwright.TimeoutError):
        page.wait_for_function("() => document.activeElement !== document.body", timeout=3_000)
    return page.evaluate(FOCUSED)


def audio_time(page) -> float:
    return page.evaluate(f"{AUDIO}.currentTime")


def assert_still_playing(page, src: str) -> None:
    """The same preview, not paused, and its time moving on."""
    assert page.evaluate(SAME_DOCUMENT), "a page load happened: the player was started again"
    assert page.evaluate(f"{AUDIO}.src") == src
    assert not page.evaluate(f"{AUDIO}.paused")
    before = audio_time(page)
    page.wait_for_function(f"() => {AUDIO}.currentTime > {before}", timeout=5_000)


def test_a_preview_plays_on_through_three_links_and_the_back_button(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.evaluate(MARK)
    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function(PLAYING, timeout=20_000)
    src = page.evaluate(f"{AUDIO}.src")

    # 1. The artist, from the release's header.
    page.locator(".release-artist").get_by_role("link", name="Radiohead").click()
    expect(page).to_have_url(re.compile(rf"/artists/{RADIOHEAD}/$"))
    expect(page).to_have_title(re.compile(r"^Radiohead · "))
    assert_still_playing(page, src)
    expect(page.locator("h1")).to_be_focused()  # announced, as a new page is
    screenshot(page, "navigation-artist")

    # 2. A release far down the artist's page: the next page starts at its top.
    card = page.locator("#artist-releases .release-card a.card-link").last
    card.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    card.click()
    expect(page).to_have_url(re.compile(r"/releases/\d+/$"))
    assert_still_playing(page, src)
    expect(page.locator("h1")).to_be_focused()
    page.wait_for_function("() => window.scrollY === 0")
    release_url, release_title = page.url, page.title()

    # 3. Artists A-Z, from the header, the release scrolled a little way down.
    page.evaluate("window.scrollTo(0, 100)")
    left_at = page.evaluate("window.scrollY")
    assert left_at > 0
    page.locator(".site-nav").get_by_role("link", name=ARTISTS_A_Z).dispatch_event("click")
    expect(page).to_have_url(re.compile(r"/artists/$"))
    expect(page).to_have_title(re.compile(f"^{ARTISTS_A_Z} · "))
    assert_still_playing(page, src)

    # Back: the release again, whole, and the preview still playing.
    page.go_back()
    expect(page).to_have_url(release_url)
    expect(page).to_have_title(release_title)
    expect(page.locator(".release-buy")).to_be_visible()
    assert_still_playing(page, src)
    expect(page.locator("h1")).to_be_focused()
    page.wait_for_function(f"() => window.scrollY === {left_at}")  # where it was left
    expect(page.locator("#player-status")).to_contain_text("Playing No Surprises")
    screenshot(page, "navigation-back")


def test_a_missing_page_reached_in_place_is_shown_with_the_player(desktop):
    page = desktop
    page.goto("/")
    page.evaluate(MARK)
    page.evaluate(ADD_LINK, "/releases/999999999/")
    page.locator("#added").click()
    expect(page.locator("h1")).to_have_text("We couldn\N{RIGHT SINGLE QUOTATION MARK}t find that")
    expect(page).to_have_url(re.compile(r"/releases/999999999/$"))
    assert page.evaluate(SAME_DOCUMENT)
    expect(page.locator("#player")).to_have_count(1)


def test_a_link_to_something_outside_the_layout_is_loaded_by_the_browser(desktop):
    page = desktop
    page.goto("/")
    page.evaluate(MARK)
    page.evaluate(ADD_LINK, "/healthz")
    page.locator("#added").click()
    expect(page).to_have_url(re.compile(r"/healthz$"))
    expect(page.locator("body")).to_contain_text('"status": "ok"')
    assert not page.evaluate(SAME_DOCUMENT), "a JSON answer was swapped into the page"


def test_a_letter_chosen_by_keyboard_keeps_focus_and_scroll(desktop):
    page = desktop
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/artists/?letter=r")
    settle(page)
    page.evaluate(MARK)
    page.evaluate("window.scrollTo(0, 120)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    page.locator(".letter-nav a", has_text=re.compile(r"^T$")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/artists/\?letter=t$"))
    expect(page.locator("#artist-grid-heading")).to_contain_text("“T”")

    focused = focused_after_swap(page)
    assert focused == {"tag": "A", "text": "T", "current": "page"}
    assert page.evaluate("window.scrollY") == scrolled
    # The next Tab goes on from there, not from the top of the page (the skip link).
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "U"
    assert page.evaluate("window.scrollY") == scrolled
    assert page.evaluate(SAME_DOCUMENT)


def test_a_search_tab_chosen_by_keyboard_keeps_focus_and_scroll(desktop):
    page = desktop
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/search/?q=radiohead")
    settle(page)
    page.evaluate(MARK)
    page.evaluate("window.scrollTo(0, 100)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    page.locator(".search-tabs").get_by_role("link", name="Releases").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"kind=release"))
    expect(page.locator(".search-releases")).to_be_visible()

    focused = focused_after_swap(page)
    assert focused == {"tag": "A", "text": "Releases", "current": "page"}
    assert page.evaluate("window.scrollY") == scrolled
    assert page.evaluate(SAME_DOCUMENT)


def test_an_artists_release_type_chosen_by_keyboard_keeps_focus_and_scroll(desktop):
    page = desktop
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(f"/artists/{RADIOHEAD}/")
    settle(page)
    page.evaluate(MARK)
    tab = page.locator(".release-type-tabs").get_by_role("link", name="Singles")
    tab.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    tab.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?type=single$"))

    focused = focused_after_swap(page)
    assert focused == {"tag": "A", "text": "Singles", "current": "page"}
    assert page.evaluate("window.scrollY") == scrolled
    assert page.evaluate(SAME_DOCUMENT)


def test_a_sort_chosen_by_keyboard_keeps_focus_on_the_list_and_the_scroll(desktop):
    page = desktop
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/search/?q=radiohead&kind=release")
    settle(page)
    page.evaluate(MARK)
    page.evaluate("window.scrollTo(0, 100)")
    scrolled = page.evaluate("window.scrollY")

    page.locator("#search-sort").focus()
    page.keyboard.press("ArrowDown")  # a select's change: the results follow at once
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(page.locator("#search-sort")).to_have_value("name")

    expect(page.locator("#search-sort")).to_be_focused()
    assert page.evaluate("window.scrollY") == scrolled


def test_the_next_page_of_results_takes_focus_to_their_heading(desktop, monkeypatch):
    from store.catalogue.views import browse

    monkeypatch.setattr(browse, "ARTISTS_PAGE_SIZE", 1)  # the seed has two under X
    page = desktop
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/artists/?letter=x")
    settle(page)
    page.evaluate(MARK)
    next_page = page.locator("#artist-grid .pagination").get_by_role("link", name="Next")
    next_page.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"letter=x&page=2$"))

    expect(page.locator("#artist-grid-heading")).to_be_focused()
    expect(page.locator("#artist-grid-heading")).to_be_in_viewport()
    assert page.evaluate(SAME_DOCUMENT)


def test_the_country_list_changes_nothing_until_its_button_is_pressed(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.evaluate(MARK)
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if "/country/" in request.url else None
    )
    price = page.locator(".release-buy .price").first
    expect(price).to_contain_text("£")

    page.locator("#country-select").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(1_000)
    assert posts == [], "moving through the list sent the form"
    assert page.evaluate(SAME_DOCUMENT)
    expect(price).to_contain_text("£")
    expect(page.locator("#country-select")).to_be_focused()

    page.locator("#country-select").select_option("DE")
    page.locator(".country-switch").get_by_role("button", name="Change").click()
    expect(page.locator(".release-buy .price").first).to_contain_text("€")
    expect(page).to_have_url(re.compile(rf"/releases/{NO_SURPRISES}/$"))
    expect(page.locator("#country-select")).to_have_value("DE")
    assert page.evaluate(SAME_DOCUMENT), "the country changed with a page load"
    screenshot(page, "navigation-country")


def test_the_country_changes_without_javascript(desktop_without_javascript):
    page = desktop_without_javascript
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.locator("#country-select").select_option("DE")
    page.locator(".country-switch").get_by_role("button", name="Change").click()
    expect(page.locator(".release-buy .price").first).to_contain_text("€")
    expect(page).to_have_url(re.compile(rf"/releases/{NO_SURPRISES}/$"))
