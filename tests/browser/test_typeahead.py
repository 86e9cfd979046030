"""Suggestions under the header's search box, in a real browser (issue 16): typing on any
page opens a listbox of artists, releases and tracks that the keyboard drives as the
WAI-ARIA combobox pattern says, a late answer for older text is never shown, and the
box still searches without JavaScript. Screenshots of the open list."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, settle
from .test_accessibility import AXE, RUN_AXE, TAGS, described
from .test_journey import RADIOHEAD

playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
expect = playwright.expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

BOX = "#site-search-q"
LISTBOX = "#site-search-suggestions"
STATUS = "#site-search-status"
SUGGESTIONS = re.compile(r"/search/\?q=")
# Every option text the listbox has shown while the test watched.
WATCH = """() => {
    window.shownOptions = [];
    const listbox = document.getElementById("site-search-suggestions");
    new MutationObserver(() => {
        if (listbox.hidden) return;
        for (const option of listbox.querySelectorAll('[role="option"]')) {
            window.shownOptions.push(option.textContent.trim());
        }
    }).observe(listbox, {childList: true, subtree: true, attributes: true});
}"""


def open_suggestions(page, text: str):
    box = page.locator(BOX)
    box.click()
    box.press_sequentially(text, delay=40)
    listbox = page.locator(LISTBOX)
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    return box, listbox


def test_typing_radio_on_the_home_page_suggests_radiohead_and_the_keys_drive_the_list(desktop):
    page = desktop
    page.goto("/")
    settle(page)
    page.evaluate("window.sameDocument = true")

    box, listbox = open_suggestions(page, "radio")
    expect(listbox.get_by_role("option", name="Radiohead", exact=True)).to_be_visible()
    expect(page.locator(STATUS)).to_have_text(re.compile(r"^\d+ suggestions?$"))
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    screenshot(page, "typeahead-open")

    # ArrowDown: the first option is active; the box keeps focus and points at it.
    box.press("ArrowDown")
    first = listbox.get_by_role("option").first
    first_id = first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    second_id = listbox.get_by_role("option").nth(1).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", second_id)
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)

    # Escape: closed, and what was typed is still there.
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(box).to_have_value("radio")

    # ArrowDown opens it again; Enter follows the active option, in place.
    box.press("ArrowDown")
    expect(listbox).to_be_visible()
    radiohead = listbox.get_by_role("option", name="Radiohead", exact=True)
    for _ in range(10):
        if radiohead.get_attribute("aria-selected") == "true":
            break
        box.press("ArrowDown")
    expect(radiohead).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/artists/{RADIOHEAD}/$"))
    expect(page.locator("h1")).to_have_text("Radiohead")
    assert page.evaluate("window.sameDocument"), "the suggestion was followed with a page load"


def test_the_list_has_no_axe_violation_while_open(desktop):
    page = desktop
    page.goto("/")
    settle(page)
    box, _ = open_suggestions(page, "radio")
    box.press("ArrowDown")
    page.add_script_tag(path=str(AXE))
    problems = page.evaluate(RUN_AXE, TAGS)
    assert not problems, "axe-core found violations in the open list:\n" + described(problems)


def test_a_click_elsewhere_closes_the_list_and_a_click_on_an_option_follows_it(desktop):
    page = desktop
    page.goto("/")
    settle(page)
    box, listbox = open_suggestions(page, "radio")
    page.locator(".site-footer p").click()
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.click()
    box.press("End")
    box.press_sequentially("head", delay=40)
    expect(box).to_have_value("radiohead")
    expect(listbox).to_be_visible()
    listbox.get_by_role("option", name="Radiohead", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/artists/{RADIOHEAD}/$"))


def test_a_late_answer_for_older_text_is_never_shown(desktop):
    """The first request is slow (7digital takes two seconds over it); meanwhile the
    visitor types something else. Only the suggestions for the new text appear."""
    from sandbox.state import state

    page = desktop
    page.goto("/")
    settle(page)
    page.evaluate(WATCH)
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "q=" in request.url else None)
    state.add_fault(kind="latency", latency_ms=2_000, endpoint="artist/search", times=1)

    box = page.locator(BOX)
    box.click()
    box.press_sequentially("radiohead", delay=20)
    page.wait_for_function("() => document.querySelector('.htmx-request') !== null")
    box.fill("")
    box.press_sequentially("coldplay", delay=20)

    listbox = page.locator(LISTBOX)
    expect(listbox.get_by_role("option", name="Coldplay", exact=True)).to_be_visible()
    page.wait_for_timeout(2_500)  # past the slow answer's arrival
    expect(listbox.get_by_role("option", name="Coldplay", exact=True)).to_be_visible()
    shown = page.evaluate("window.shownOptions")
    assert shown and not [text for text in shown if "Radiohead" in text], shown
    assert any("radiohead" in url for url in asked) and any("coldplay" in url for url in asked)


def test_typing_steadily_sends_requests_that_replace_each_other_and_shows_the_last(desktop):
    """A pause after each key longer than the debounce, and 7digital slower than the
    pauses: each request is still out when the next starts. The older ones are
    cancelled, and only the suggestions for the whole word are ever shown."""
    from sandbox.state import state

    page = desktop
    page.goto("/")
    settle(page)
    page.evaluate(WATCH)
    sent, cancelled = [], []
    page.on("request", lambda request: sent.append(request.url) if "q=" in request.url else None)
    page.on(
        "requestfailed",
        lambda request: cancelled.append(request.url) if "q=" in request.url else None,
    )
    state.add_fault(kind="latency", latency_ms=500, endpoint="artist/search")

    box = page.locator(BOX)
    box.click()
    box.press_sequentially("radiohead", delay=320)
    listbox = page.locator(LISTBOX)
    expect(listbox.get_by_role("option", name="Radiohead", exact=True)).to_be_visible()
    page.wait_for_timeout(1_000)
    final = listbox.get_by_role("option").all_text_contents()

    assert len(sent) >= 3, sent
    assert cancelled, "no request was cancelled by the next"
    shown = page.evaluate("window.shownOptions")
    stale = {text for text in shown} - {text.strip() for text in final}
    assert not stale, f"suggestions for older text were shown: {stale}"


def test_one_character_shows_nothing_and_enter_without_a_choice_searches(desktop):
    page = desktop
    page.goto(f"/artists/{RADIOHEAD}/")
    settle(page)
    box, listbox = open_suggestions(page, "radio")
    for _ in range(4):
        box.press("Backspace")
    expect(box).to_have_value("r")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("adiohead", delay=20)
    expect(listbox).to_be_visible()
    box.press("Enter")  # no option chosen: the results page
    expect(page).to_have_url(re.compile(r"/search/\?q=radiohead$"))
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Radiohead").first).to_be_visible()


def test_the_suggestions_work_on_the_page_reached_in_place(desktop):
    page = desktop
    page.goto("/")
    settle(page)
    page.evaluate("window.sameDocument = true")
    page.locator(".site-nav").get_by_role("link", name="Artists A\N{EN DASH}Z").click()
    expect(page).to_have_url(re.compile(r"/artists/$"))
    _, listbox = open_suggestions(page, "coldpl")
    expect(listbox.get_by_role("option", name="Coldplay", exact=True)).to_be_visible()
    assert page.evaluate("window.sameDocument")
    assert page.evaluate("window.siteTypeahead") is True


def test_on_a_phone_the_list_fits_the_screen(phone):
    page = phone
    page.goto("/")
    settle(page)
    _, listbox = open_suggestions(page, "radio")
    expect(listbox.get_by_role("option", name="Radiohead", exact=True)).to_be_visible()
    box_of_list = listbox.bounding_box()
    width = page.viewport_size["width"]
    assert box_of_list["x"] >= 0 and box_of_list["x"] + box_of_list["width"] <= width
    screenshot(page, "typeahead-open")


def test_without_javascript_the_box_searches(desktop_without_javascript):
    page = desktop_without_javascript
    page.goto("/")
    page.locator(BOX).fill("radiohead")
    page.locator(BOX).press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=radiohead$"))
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Radiohead").first).to_be_visible()
