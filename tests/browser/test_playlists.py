"""Playlists in a real browser (issue 20): a visitor finds the editors' playlist from
the footer, plays it all into the player's queue, and sees greyed what does not play
in their country."""

from __future__ import annotations

import pytest

from .conftest import PHONE, opened_page, screenshot
from .test_journey import PLAYING

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
    for track in (9525, 9526):
        page.goto(f"/tracks/{track}/")
        page.get_by_role("link", name="Add to a playlist").click()
        if track == 9525:  # the first makes the playlist; the second finds it chosen
            page.get_by_label("Or a new playlist named").fill("Late night")
        page.get_by_role("button", name="Add the track").click()
        expect(page.locator(".messages")).to_contain_text("added to “Late night”")

    rows = page.locator(".library-track .track-title")
    expect(rows.nth(0)).to_contain_text("No Surprises")
    expect(rows.nth(1)).to_contain_text("Palo Alto")
    page.get_by_role("button", name="Move Palo Alto up").focus()
    page.keyboard.press("Enter")
    expect(rows.nth(0)).to_contain_text("Palo Alto")
    expect(rows.nth(1)).to_contain_text("No Surprises")
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(PLAYING, timeout=30_000)
    expect(page.locator("#player-status")).to_contain_text("Palo Alto")
    screenshot(page, "playlist-library")


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
    page.get_by_label("Search the catalogue").fill("No Surprises")
    page.locator("main").get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add No Surprises").first.click()
    expect(page.locator(".messages")).to_contain_text("added")
    page.get_by_label("Search the catalogue").fill("Palo Alto")
    page.locator("main").get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add Palo Alto").first.click()
    rows = page.locator("#studio-tracks .track-title")
    expect(rows).to_have_text(["No Surprises", "Palo Alto"])

    page.get_by_role("button", name="Move Palo Alto up").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_text(["Palo Alto", "No Surprises"])
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    screenshot(page, "studio-editor")

    page.get_by_role("link", name="see it as customers do").click()
    expect(page.locator("h1")).to_have_text("Evening picks")
