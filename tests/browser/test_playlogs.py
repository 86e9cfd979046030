"""A preview heard in a real browser reaches 7digital's play log, and staff see it on
the play-log dashboard (issue 7's "done when", short of the Celery worker, which
tests/store/playlogs/test_worker_delivery.py runs for real)."""

from __future__ import annotations

import contextlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import OperationalError
from django.test import Client

from tests.conftest import pass_second_factor

from .conftest import screenshot
from .test_journey import NO_SURPRISES, NO_SURPRISES_TRACK, PLAYING

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


def staff_session(storefront: str) -> dict:
    """A Staff member signed in with both factors: their session cookie, for the browser."""
    from accounts.models import User

    user = User.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True)
    # An earlier browser test's flush took the migrations' Staff group with it.
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(Permission.objects.get(codename="view_previewplay"))
    user.groups.add(staff)
    client = Client()
    pass_second_factor(client, user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": storefront}


def test_a_preview_heard_in_the_browser_is_logged_and_shown_to_staff(desktop, storefront, settings):
    from sandbox.models import ReceivedPlayLog
    from store.playlogs import outbox

    settings.PLAYLOG_PREVIEW_SETTLE_SECONDS = 0
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    play = page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')
    play.click()
    page.wait_for_function(PLAYING, timeout=20_000)
    page.wait_for_function(
        "() => document.getElementById('player-audio').currentTime > 2", timeout=20_000
    )
    play.click()  # pause: the player reports the seconds heard
    page.wait_for_function("() => document.getElementById('player-audio').paused")

    delivered = 0
    for _ in range(50):  # the report is a beacon: give it a moment to land
        # The live server shares the test's in-memory SQLite database, where a request's
        # open transaction makes others fail at once ("database table is locked") rather
        # than wait: try again once the beacon's request is done.
        with contextlib.suppress(OperationalError):
            delivered += outbox.playlogs_ship(kind="preview", seconds=5).delivered
        if delivered:
            break
        page.wait_for_timeout(100)

    log = ReceivedPlayLog.objects.get(kind="preview")
    assert log.track_id == NO_SURPRISES_TRACK
    assert 2 <= log.seconds_played <= 30
    assert "Chrome" in log.user_agent
    assert log.user_id.startswith("anon-")

    page.context.add_cookies([staff_session(storefront)])
    page.goto("/admin/playlogs/previewplay/dashboard/")
    expect(page.locator("h1")).to_contain_text("Play logs")
    bar = page.locator(".playlogs-chart rect.bar[data-kind='preview']")
    expect(bar).to_have_count(1)
    expect(bar).to_have_attribute("data-value", "1")
    expect(page.locator("#reconciliation-table tbody tr").first).to_contain_text("1")
    screenshot(page, "playlogs-dashboard")


def _plays_recorded(page, count: int) -> list:
    """The preview plays recorded, once there are ``count`` (the start is a fetch)."""
    from store.playlogs.models import PreviewPlay

    for _ in range(50):
        with contextlib.suppress(OperationalError):  # see the test above
            plays = list(PreviewPlay.objects.order_by("started_at"))
            if len(plays) >= count:
                return plays
        page.wait_for_timeout(100)
    return plays


def test_playing_a_preview_again_after_its_end_is_recorded_as_a_second_play(desktop):
    """A play is accepted only for a clip fetched, so a replay fetches the clip again."""
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    play = page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]')
    play.click()
    page.wait_for_function(PLAYING, timeout=20_000)
    assert len(_plays_recorded(page, 1)) == 1
    audio = page.locator("#player-audio")
    audio.evaluate("audio => { audio.currentTime = audio.duration - 1; }")  # skip to the end
    page.wait_for_function("() => document.getElementById('player-audio').ended", timeout=20_000)

    play.click()
    page.wait_for_function(PLAYING, timeout=20_000)

    plays = _plays_recorded(page, 2)
    assert [p.track_id for p in plays] == [NO_SURPRISES_TRACK] * 2


def test_a_refused_play_report_does_not_stop_the_music(desktop, settings):
    from store.playlogs.models import PreviewPlay

    settings.PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE = 0  # every start is answered 429
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    with page.expect_response(lambda r: r.url.endswith("/plays")) as started:
        page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()

    assert started.value.status == 429
    page.wait_for_function(
        "() => document.getElementById('player-audio').currentTime > 1.5", timeout=20_000
    )
    expect(page.locator("#player-status")).to_contain_text("Playing")
    assert not PreviewPlay.objects.exists()
