"""Whole tracks in a real browser (issue 19): a subscriber's play button streams the
whole track through /stream/ and the seconds heard become a subscription play; a
visitor hears the preview and is told, in words, how to hear it all."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError
from django.test import Client

from .conftest import screenshot
from .test_journey import NO_SURPRISES, NO_SURPRISES_TRACK, PLAYING

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

SOURCE = "() => document.getElementById('player-audio').currentSrc"


def _subscriber_session(storefront: str) -> tuple[dict, object]:
    """A subscriber (the shop's row and 7digital's), signed in: their session cookie."""
    from tests.store.conftest import make_customer
    from tests.store.player.streaming import subscribe

    user = make_customer("subscriber@example.com")
    subscribe(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": storefront}, user


def _subscription_plays(page) -> list:
    from store.playlogs.models import SubscriptionPlay

    plays: list = []
    for _ in range(50):  # the start is a fetch, the report a beacon
        with contextlib.suppress(OperationalError):  # see tests/browser/test_playlogs.py
            plays = list(SubscriptionPlay.objects.all())
            if plays and plays[0].seconds_played >= 2:
                return plays
        page.wait_for_timeout(100)
    return plays


def test_a_subscriber_plays_the_whole_track_and_the_play_is_reported(desktop, storefront):
    cookie, user = _subscriber_session(storefront)
    page = desktop
    page.context.add_cookies([cookie])
    page.goto(f"/releases/{NO_SURPRISES}/")
    play = page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')

    play.click()
    page.wait_for_function(PLAYING, timeout=30_000)
    page.wait_for_function(
        "() => document.getElementById('player-audio').currentTime > 2.5", timeout=30_000
    )

    assert f"/stream/{NO_SURPRISES_TRACK}" in page.evaluate(SOURCE)
    status = page.locator("#player-status")
    expect(status).to_contain_text("Playing No Surprises")
    expect(status).not_to_contain_text("preview")
    expect(page.locator("#player-offer")).to_be_hidden()
    duration = page.evaluate("() => document.getElementById('player-audio').duration")
    assert duration > 200  # the whole track, not a 30-second clip
    screenshot(page, "stream-subscriber")
    play.click()  # pause: the seconds heard are reported
    page.wait_for_function("() => document.getElementById('player-audio').paused")

    (reported,) = _subscription_plays(page)
    assert reported.user_id == user.pk and reported.track_id == NO_SURPRISES_TRACK
    assert 2 <= reported.seconds_played <= 10
    assert reported.play_mode == "online" and "Chrome" in reported.user_agent


def test_a_visitor_hears_the_preview_and_is_told_how_to_hear_it_all(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")

    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function(PLAYING, timeout=30_000)

    assert f"/previews/{NO_SURPRISES_TRACK}" in page.evaluate(SOURCE)
    expect(page.locator("#player-status")).to_contain_text(
        "Playing No Surprises by Radiohead (preview). Sign in to play whole tracks."
    )
    offer = page.locator("#player-offer")
    expect(offer).to_have_text("Sign in")
    back = f"/accounts/login/?next=%2Freleases%2F{NO_SURPRISES}%2F"
    expect(offer).to_have_attribute("href", back)
    screenshot(page, "stream-visitor-preview")


def _customer_session(storefront: str, *, subscription: str | None) -> dict:
    """A signed-in customer with no subscription, or one that has ended: their cookie."""
    from tests.store.conftest import make_customer
    from tests.store.player.streaming import subscribe

    user = make_customer("listener@example.com")
    if subscription == "ended":
        subscribe(user, ended=True)
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}


@pytest.mark.parametrize(
    ("subscription", "words", "offered"),
    [
        (None, "Buy it or subscribe to hear all of it.", "See plans"),
        ("ended", "Your subscription has ended.", "Subscribe again"),
    ],
    ids=["never-subscribed", "subscription-ended"],
)
def test_a_customer_without_streaming_hears_the_preview_and_is_offered_a_subscription(
    desktop, storefront, subscription, words, offered
):
    page = desktop
    page.context.add_cookies([_customer_session(storefront, subscription=subscription)])
    page.goto(f"/releases/{NO_SURPRISES}/")

    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function(PLAYING, timeout=30_000)

    assert f"/previews/{NO_SURPRISES_TRACK}" in page.evaluate(SOURCE)
    expect(page.locator("#player-status")).to_contain_text(
        f"Playing No Surprises by Radiohead (preview). {words}"
    )
    offer = page.locator("#player-offer")
    expect(offer).to_have_text(offered)
    expect(offer).to_have_attribute("href", "/subscribe/")
    screenshot(page, f"stream-offer-{subscription or 'never-subscribed'}")
    offer.click()
    page.wait_for_url("**/subscribe/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _owner_session(storefront: str) -> dict:
    """A customer who bought the release of "No Surprises" (delivered): their cookie."""
    from unittest import mock

    from store.checkout import tasks
    from tests.store.conftest import add, make_customer

    user = make_customer("owner@example.com")
    client = Client()
    client.force_login(user)
    add(client, release=NO_SURPRISES)
    lines: list[int] = []
    with (
        mock.patch.object(tasks.order_line_deliver, "delay", side_effect=lines.append),
        mock.patch.object(tasks.order_receipt_send, "delay"),
    ):
        client.post("/checkout/", {"card_number": "4242 4242 4242 4242"})
    for line_id in lines:  # the worker's job, done here
        tasks.order_line_deliver(line_id)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}


def test_an_owner_plays_the_whole_track_from_the_locker_and_nothing_is_logged(desktop, storefront):
    from store.playlogs.models import SubscriptionPlay

    page = desktop
    page.context.add_cookies([_owner_session(storefront)])
    page.goto("/locker/")

    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function(PLAYING, timeout=30_000)

    assert f"/stream/{NO_SURPRISES_TRACK}" in page.evaluate(SOURCE)
    assert page.evaluate("() => document.getElementById('player-audio').duration") > 200
    expect(page.locator("#player-status")).to_have_text("Playing No Surprises by Radiohead")
    screenshot(page, "stream-locker")
    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function("() => document.getElementById('player-audio').paused")
    page.wait_for_timeout(300)
    assert not SubscriptionPlay.objects.exists()  # locker streams are never logged


def test_a_second_device_takes_the_stream_and_the_first_is_told_in_words(
    browser, desktop, storefront
):
    from sandbox.models import Track as SandboxTrack

    from .conftest import PHONE, opened_page

    cookie, _ = _subscriber_session(storefront)
    other = (
        SandboxTrack.objects.filter(release__id=NO_SURPRISES).exclude(pk=NO_SURPRISES_TRACK).first()
    )
    laptop = desktop
    laptop.context.add_cookies([cookie])
    laptop.goto(f"/releases/{NO_SURPRISES}/")
    laptop.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    laptop.wait_for_function(PLAYING, timeout=30_000)

    with opened_page(browser, storefront, PHONE, phone=True) as phone:
        # The phone has its own device id (its own cookie) and starts another track.
        phone.context.add_cookies([cookie])
        phone.goto(f"/releases/{NO_SURPRISES}/")
        phone.locator(f'button[data-preview-track="{other.pk}"]').click()
        phone.wait_for_function(PLAYING, timeout=30_000)

        # The laptop's track plays on; the next one it asks for is refused.
        laptop.locator(f'button[data-preview-track="{other.pk}"]').click()
        status = laptop.locator("#player-status")
        expect(status).to_contain_text("Your subscription is playing on another device.")
        assert laptop.evaluate("() => document.getElementById('player-audio').paused")
        screenshot(laptop, "stream-another-device")


def test_data_saver_streams_aac_64_and_is_remembered(desktop, storefront):
    cookie, _ = _subscriber_session(storefront)
    page = desktop
    page.context.add_cookies([cookie])
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.get_by_role("button", name="Play all").click()  # the player shows its controls
    page.wait_for_function(PLAYING, timeout=30_000)

    page.get_by_label("Data saver").check()
    page.get_by_role("button", name="Next track").click()
    page.wait_for_function(
        "() => document.getElementById('player-audio').currentSrc.includes('data-saver')",
        timeout=30_000,
    )
    page.reload()

    expect(page.get_by_label("Data saver")).to_be_checked()


def _badge(page, track: int):
    return page.locator(f'.track-row:has(button[data-preview-track="{track}"]) .access-badge')


def test_badges_say_what_each_customer_hears_and_follow_navigation(browser, desktop, storefront):
    from .conftest import DESKTOP, PHONE, opened_page

    page = desktop
    page.context.add_cookies([_owner_session(storefront)])
    page.goto(f"/releases/{NO_SURPRISES}/")

    expect(_badge(page, NO_SURPRISES_TRACK)).to_have_text("Owned")
    expect(page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')).to_have_attribute(
        "aria-label", "Play No Surprises (owned)"
    )
    screenshot(page, "badges-owner-release")
    # A link loads the artist's page in place (hx-boost): its rows get their badges too,
    # owned for this release's tracks and previews for the rest.
    page.locator(".release-header a[href^='/artists/']").first.click()
    page.wait_for_url("**/artists/**")
    rows = page.locator(".track-row .access-badge")
    expect(rows.first).to_be_visible()
    texts = set(rows.all_inner_texts())
    assert texts <= {"Owned", "Preview"} and "Preview" in texts
    screenshot(page, "badges-owner-artist")

    cookie, _ = _subscriber_session(storefront)
    with opened_page(browser, storefront, PHONE, phone=True) as subscriber:
        subscriber.context.add_cookies([cookie])
        subscriber.goto(f"/tracks/{NO_SURPRISES_TRACK}/")
        expect(subscriber.locator(".track-summary .access-badge")).to_have_text("Stream")
        expect(subscriber.locator(".track-summary .play-label")).to_have_text("Play")
        screenshot(subscriber, "badges-subscriber-track")

    with opened_page(browser, storefront, DESKTOP) as visitor:
        visitor.goto(f"/releases/{NO_SURPRISES}/")
        expect(
            visitor.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')
        ).to_be_visible()
        visitor.wait_for_timeout(300)
        assert visitor.locator(".access-badge").count() == 0
