"""Every subscription stream is reported: the player starts a play only of a stream this
browser was served from its start, reports the seconds heard (bounded by the time since
the start and the track's length), and the play reaches 7digital's
``user/subscription/log`` even if the page closes without a word; locker streams are
never logged (reference lines 4737-4747)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.models import ReceivedPlayLog
from store.player import stream_plays
from store.playlogs import outbox
from store.playlogs.models import SubscriptionPlay
from tests.store.conftest import NO_SURPRISES, buy, make_customer

from .streaming import subscribe
from .test_stream_proxy import TRACK, URL

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("fresh_catalogue"),
]

START = f"/stream/{TRACK}/plays"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


@pytest.fixture
def subscriber(listener):
    subscribe(listener)
    return listener


def _stream(client, range_header="bytes=0-1") -> None:
    response = client.get(URL, HTTP_RANGE=range_header)
    assert response.status_code == 206, response.content[:200]
    b"".join(response.streaming_content)


def _report(client, play_id: int, seconds) -> int:
    return client.post(f"/stream/plays/{play_id}/report", {"seconds": seconds}).status_code


class Clock:
    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_a_streamed_track_started_is_a_subscription_play_due_when_it_would_end(client, subscriber):
    _stream(client)

    response = client.post(START)

    assert response.status_code == 201
    play = SubscriptionPlay.objects.get(pk=response.json()["play"])
    assert (play.track_id, play.release_id, play.format_id) == (TRACK, NO_SURPRISES, 56)
    assert (play.play_mode, play.seconds_played, play.country) == ("online", 0, "GB")
    assert play.user == subscriber and play.partner_user_id
    assert play.track_seconds == 229
    assert play.due_at == play.played_at + timedelta(seconds=229) + stream_plays.OPEN_MARGIN


def test_no_play_without_a_stream_served_from_its_start_and_one_play_per_stream(client, subscriber):
    assert client.post(START).status_code == 403  # nothing streamed
    _stream(client, "bytes=100-200")  # a seek starts nothing
    assert client.post(START).json()["reason"] == "no-stream"

    _stream(client)
    assert client.post(START).status_code == 201
    assert client.post(START).status_code == 403  # that stream is spent
    assert SubscriptionPlay.objects.count() == 1


def test_reports_are_bounded_by_the_time_elapsed_and_the_track_and_the_largest_wins(
    client, subscriber, clock
):
    _stream(client)
    play_id = client.post(START).json()["play"]

    clock.advance(60)
    assert _report(client, play_id, 600) == 204  # 600 s cannot have passed
    assert SubscriptionPlay.objects.get(pk=play_id).seconds_played == 63  # 60 + 3 s slack
    _report(client, play_id, 10)  # late and smaller: ignored
    assert SubscriptionPlay.objects.get(pk=play_id).seconds_played == 63
    play = SubscriptionPlay.objects.get(pk=play_id)
    assert play.due_at == clock.now + timedelta(seconds=5)  # more reports may follow

    clock.advance(600)
    _report(client, play_id, 600)
    play = SubscriptionPlay.objects.get(pk=play_id)
    assert play.seconds_played == 229  # never more than the track
    assert play.due_at == clock.now  # heard to the end: due at once


def test_another_customer_cannot_report_on_my_play(client, subscriber, sandbox):
    _stream(client)
    play_id = client.post(START).json()["play"]
    other = Client()
    other.force_login(make_customer("other@example.com"))

    assert _report(other, play_id, 30) == 404
    assert _report(Client(), play_id, 30) == 404
    assert client.post(f"/stream/plays/{play_id}/report", {"seconds": "NaN"}).status_code == 400
    assert SubscriptionPlay.objects.get(pk=play_id).seconds_played == 0


def test_a_play_closed_without_a_word_still_reaches_7digital(client, subscriber, clock):
    _stream(client)
    play_id = client.post(START).json()["play"]
    _report(client, play_id, 0)

    assert outbox.playlogs_ship(kind="subscription", seconds=30).delivered == 0  # not due
    clock.advance(229 + 121)
    result = outbox.playlogs_ship(kind="subscription", seconds=30)

    assert result.delivered == 1
    (log,) = ReceivedPlayLog.objects.filter(kind="subscription")
    assert (log.track_id, log.seconds_played, log.play_mode) == (TRACK, 0, "online")
    assert log.user_agent == "unknown"  # this test client sends none


def test_a_track_heard_to_its_end_is_logged_with_its_seconds(client, subscriber, clock):
    _stream(client)
    play_id = client.post(START, HTTP_USER_AGENT=CHROME).json()["play"]
    clock.advance(230)
    _report(client, play_id, 229)

    result = outbox.playlogs_ship(kind="subscription", seconds=30)

    assert result.delivered == 1
    (log,) = ReceivedPlayLog.objects.filter(kind="subscription")
    assert (log.seconds_played, log.user_agent) == (229, CHROME)


def test_a_locker_stream_is_never_logged(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)
    _stream(client)

    response = client.post(START)

    assert response.status_code == 204
    assert not SubscriptionPlay.objects.exists()


def test_starting_a_play_needs_a_csrf_token(subscriber):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(subscriber)

    assert browser.post(START).status_code == 403
    assert not SubscriptionPlay.objects.exists()
