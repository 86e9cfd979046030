"""Playlists in a real browser (issue 20): a visitor finds the editors' playlist from
the footer, plays it all into the player's queue, and sees greyed what does not play
in their country."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest

from .conftest import PHONE, opened_page, screenshot
from .test_journey import PLAYING

SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


def _editorial() -> str:
    from integrations.sevendigital import get_client
    from sandbox.models import Track as SandboxTrack
    from sevendigital.models.playlists import PlaylistTrack

    elsewhere = SandboxTrack.objects.exclude(release__territories__contains=",GB,").first()
    tracks = [
        PlaylistTrack(track_id=str(t), track_title=title, artist_appears_as="Radiohead")
        for t, title in ((9525, "No Surprises"), (9526, "Palo Alto"))
    ] + [PlaylistTrack(track_id=str(elsewhere.pk), track_title="Far away", artist_appears_as="X")]
    return (
        get_client()
        .playlists.create(
            name="Quiet Radiohead",
            description="Songs for a slow evening.",
            visibility="public",
            tracks=tracks,
            tags=["alternative"],
        )
        .id
    )


def test_a_visitor_finds_a_playlist_and_plays_it_all(browser, desktop, storefront):
    playlist_id = _editorial()
    page = desktop
    page.goto("/")

    page.locator(".site-footer").get_by_role("link", name="Playlists").click()
    page.get_by_role("link", name="Quiet Radiohead").click()
    page.wait_for_url(f"**/playlists/{playlist_id}/")
    expect(page.locator(".playlist-unavailable")).to_contain_text("Far away")
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(PLAYING, timeout=30_000)

    expect(page.locator("#player-status")).to_contain_text("No Surprises")
    assert page.locator("#player-queue-list li").count() == 2  # the greyed one is left out
    screenshot(page, "playlist-visitor")
    with opened_page(browser, storefront, PHONE, phone=True) as phone:
        phone.goto(f"/playlists/{playlist_id}/")
        expect(phone.locator("h1")).to_have_text("Quiet Radiohead")
        screenshot(phone, "playlist-visitor")


def test_a_customer_builds_a_playlist_and_reorders_it_by_keyboard(desktop, storefront):
    from django.test import Client

    from tests.store.conftest import make_customer

    client = Client()
    client.force_login(make_customer("builder@example.com"))
    page = desktop
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}]
    )
    # From a track's page, without the row menu: the add page makes the playlist.
    page.goto("/tracks/9525/")
    page.get_by_role("link", name="Add to a playlist").click()
    page.get_by_label("Or a new playlist named").fill("Late night")
    page.get_by_role("button", name="Add the track").click()
    expect(page.locator(".messages")).to_contain_text("added to “Late night”")

    # From a row of search results: the "+" opens a menu in the row, the page stays.
    page.goto("/search/?q=Palo+Alto&kind=track")
    page.evaluate("window.sameDocument = true")  # gone if anything loads a whole page
    plus = page.get_by_role("link", name="Add Palo Alto to a playlist").first
    plus.click()
    expect(plus).to_have_attribute("aria-expanded", "true")
    chooser = page.get_by_label("Add “Palo Alto” to")
    expect(chooser).to_be_focused()
    expect(chooser).to_have_value(re.compile("[0-9a-f]{24}"))  # "Late night", the only one
    screenshot(page, "row-add-menu")
    page.locator(".row-add-menu").get_by_role("button", name="Add").click()
    expect(page.locator(".row-add-menu [role=status]")).to_contain_text(
        "“Palo Alto” added to “Late night”."
    )
    assert page.evaluate("window.sameDocument") is True
    page.keyboard.press("Escape")
    expect(page.locator(".row-add-menu")).to_have_count(0)
    expect(plus).to_be_focused()
    page.locator(".row-add-menu").count()
    page.goto("/library/playlists/")
    page.get_by_role("link", name="Late night").click()

    rows = page.locator(".library-track .track-title")
    expect(rows.nth(0)).to_contain_text("No Surprises")
    expect(rows.nth(1)).to_contain_text("Palo Alto")
    page.evaluate("window.sameDocument = true")  # gone if anything loads a whole page
    page.wait_for_function(SETTLED)  # the link's swap settled: a person is no faster
    page.get_by_role("button", name="Move Palo Alto up").focus()
    page.keyboard.press("Enter")
    expect(rows.nth(0)).to_contain_text("Palo Alto")
    expect(rows.nth(1)).to_contain_text("No Surprises")
    # In place: focus stays with the track ("up" is disabled at the top: its neighbour).
    expect(page.get_by_role("button", name="Move Palo Alto down")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    expect(page.locator("#player-status")).to_contain_text("Palo Alto")
    screenshot(page, "playlist-library")


def starting(titles: list[str]) -> list[re.Pattern]:
    """Rows whose titles start so (a badge, such as "Preview", may follow)."""
    return [re.compile("^" + re.escape(title)) for title in titles]


def search_the_studio(page, query: str) -> None:
    """Search the catalogue from a studio playlist's page: a plain form, so a whole page
    loads, and its results' Add buttons add in place only once the page's scripts have run
    (htmx takes the page's forms over at DOMContentLoaded). A click before that is a plain
    post, as without JavaScript: the page goes away and comes back, the "added" said at its
    top, not in the list. So the page is waited for as loaded ("load" comes after
    DOMContentLoaded), as a person sees it whole before reaching for a button."""
    page.get_by_label("Search the catalogue").fill(query)
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"\?q=" + re.escape(quote_plus(query)) + "$"), wait_until="load")


def test_an_editor_makes_orders_by_keyboard_and_publishes_a_playlist(desktop, storefront):
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import User
    from tests.conftest import pass_second_factor

    user = User.objects.create_user(email="editor@example.com", password="x" * 12)
    user.groups.add(Group.objects.get_or_create(name="Editors")[0])  # flushed between tests
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    page = desktop
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}]
    )

    page.goto("/studio/playlists/")
    page.get_by_label("Name").fill("Evening picks")
    page.get_by_role("button", name="Make the draft").click()
    search_the_studio(page, "No Surprises")
    page.get_by_role("button", name="Add No Surprises").first.click()
    expect(page.locator("#studio-tracks-status")).to_contain_text("“No Surprises” added")
    search_the_studio(page, "Palo Alto")
    page.get_by_role("button", name="Add Palo Alto").first.click()
    # Added before the next search, as a person sees it (a search made sooner waits for
    # the add: test_a_search_or_publish_made_while_an_add_is_on_its_way_waits_for_it).
    expect(page.locator("#studio-tracks-status")).to_contain_text("“Palo Alto” added")
    search_the_studio(page, "How I Made")
    add = page.get_by_role("button", name="Add How I Made My Millions").first
    expect(add).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if anything loads a whole page
    add.click()
    rows = page.locator("#studio-tracks .track-title")
    expect(rows).to_have_text(starting(["No Surprises", "Palo Alto", "How I Made My Millions"]))

    # By keyboard: Enter on an arrow moves the track, and focus stays with it.
    page.wait_for_function(SETTLED)  # the add's swap settled: a person is no faster
    page.get_by_role("button", name="Move Palo Alto up").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_text(starting(["Palo Alto", "No Surprises", "How I Made My Millions"]))
    # "Up" is disabled at the top: focus goes to its neighbour.
    expect(page.get_by_role("button", name="Move Palo Alto down")).to_be_focused()
    page.keyboard.press("Enter")
    expect(rows).to_have_text(starting(["No Surprises", "Palo Alto", "How I Made My Millions"]))
    # Focus stays with it again (given once the swap settles: only then are the new
    # rows' forms htmx's, and only then may the next key go to the page).
    expect(page.get_by_role("button", name="Move Palo Alto down")).to_be_focused()
    # A position typed.
    box = page.get_by_label("Position of How I Made My Millions")
    box.fill("1")
    box.press("Enter")
    expect(rows).to_have_text(starting(["How I Made My Millions", "No Surprises", "Palo Alto"]))
    expect(page.get_by_label("Position of How I Made My Millions")).to_be_focused()
    # Dragged by the mouse onto another row, whose place it takes.
    expect(rows.nth(2)).to_contain_text("Preview")  # the badges are in: rows stand still
    handles = page.locator("#studio-tracks .drag-handle")
    handles.nth(2).drag_to(handles.nth(0))
    expect(rows).to_have_text(starting(["Palo Alto", "How I Made My Millions", "No Surprises"]))
    expect(page.locator("#studio-tracks-status")).to_contain_text("Moved")
    page.wait_for_function(SETTLED)  # before the next key, or it lands mid-swap
    # Removed by keyboard: focus goes to the row that took its place.
    page.get_by_role("button", name="Remove No Surprises").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_text(starting(["Palo Alto", "How I Made My Millions"]))
    expect(page.get_by_label("Position of How I Made My Millions")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    screenshot(page, "studio-reordered")

    # The editor's own moves did not make the page stale for the next change.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    screenshot(page, "studio-editor")

    page.get_by_role("link", name="see it as customers do").click()
    expect(page.locator("h1")).to_have_text("Evening picks")
    titles = page.locator("#playlist-track-list .track-title")
    # Their badges ("Preview": static/js/access.js) come in when the shop answers.
    expect(titles).to_have_text(starting(["Palo Alto", "How I Made My Millions"]))


def test_a_search_or_publish_made_while_an_add_is_on_its_way_waits_for_it(desktop, storefront):
    """7digital takes a second and a half to add a track; the editor searches meanwhile,
    and later publishes while another add is on its way. Each waits for the add: the
    page the search loads has the track, and Publish is saved (sent sooner, the page
    would have been read without the track, and Publish refused as stale: "Another
    editor changed this playlist")."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from sandbox.state import state

    editor = User.objects.create_user(email="quick.editor@example.com", password="x" * 12)
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    page = desktop
    _signed_in(page, storefront, editor, second_factor=True)
    page.goto("/studio/playlists/")
    page.get_by_label("Name").fill("Quick picks")
    page.get_by_role("button", name="Make the draft").click()
    search_the_studio(page, "No Surprises")
    state.add_fault(
        kind="latency", latency_ms=1_500, endpoint="playlists/*/tracks", method="POST", times=1
    )

    page.get_by_role("button", name="Add No Surprises").first.click()
    page.wait_for_function("() => document.querySelector('.htmx-request') !== null")
    search_the_studio(page, "Palo Alto")

    rows = page.locator("#studio-tracks .track-title")
    expect(rows).to_have_text(starting(["No Surprises"]))
    # Publish pressed while the next add is on its way: sent once it is answered, with
    # the playlist's lastUpdated after it.
    state.add_fault(
        kind="latency", latency_ms=1_500, endpoint="playlists/*/tracks", method="POST", times=1
    )
    page.get_by_role("button", name="Add Palo Alto").first.click()
    page.wait_for_function("() => document.querySelector('.htmx-request') !== null")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".messages")).to_contain_text("Published")
    expect(rows).to_have_text(starting(["No Surprises", "Palo Alto"]))
    expect(page.get_by_text("Another editor changed this playlist")).to_have_count(0)


OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
WIDEST = """[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""


def _signed_in(page, storefront, user, *, second_factor: bool = False) -> None:
    from django.test import Client

    from tests.conftest import pass_second_factor

    client = Client()
    if second_factor:
        pass_second_factor(client, user)
    else:
        client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}]
    )


def test_on_a_phone_the_studio_and_the_library_fit_and_work(browser, storefront):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from tests.store.conftest import make_customer

    editor = User.objects.create_user(email="phone.editor@example.com", password="x" * 12)
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    with opened_page(browser, storefront, PHONE, phone=True) as phone:
        _signed_in(phone, storefront, editor, second_factor=True)
        phone.goto("/studio/playlists/")
        phone.get_by_label("Name").fill("Pocket picks")
        phone.get_by_role("button", name="Make the draft").click()
        for query, title in (("No Surprises", "No Surprises"), ("Palo Alto", "Palo Alto")):
            search_the_studio(phone, query)
            phone.get_by_role("button", name=f"Add {title}").first.click()
            expect(phone.locator("#studio-tracks-status")).to_contain_text(f"“{title}” added")
        rows = phone.locator("#studio-tracks .track-title")
        phone.get_by_role("button", name="Move Palo Alto up").click()
        expect(rows).to_have_text(starting(["Palo Alto", "No Surprises"]))
        wide = phone.evaluate(WIDEST)
        assert not phone.evaluate(OVERFLOW), f"the studio is wider than the phone: {wide}"
        screenshot(phone, "studio-phone")

    with opened_page(browser, storefront, PHONE, phone=True) as phone:
        _signed_in(phone, storefront, make_customer("phone.customer@example.com"))
        phone.goto("/search/?q=No+Surprises&kind=track")
        phone.get_by_role("link", name="Add No Surprises to a playlist").first.click()
        phone.get_by_label("Add “No Surprises” to a new playlist named").fill("On the bus")
        phone.locator(".row-add-menu").get_by_role("button", name="Add").click()
        expect(phone.locator(".row-add-menu [role=status]")).to_contain_text("On the bus")
        assert not phone.evaluate(OVERFLOW), "the search page with its menu is too wide"
        screenshot(phone, "row-add-phone")
        phone.goto("/library/playlists/")
        screenshot(phone, "library-phone")
        phone.get_by_role("link", name="On the bus").click()
        expect(phone.locator(".library-track .track-title")).to_contain_text(["No Surprises"])
        assert not phone.evaluate(OVERFLOW), "the playlist page is wider than the phone"
        screenshot(phone, "library-playlist-phone")
