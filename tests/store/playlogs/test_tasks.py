"""Recording a play queues its shipping cheaply; the sweep and the tasks themselves."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from store.player import services
from store.playlogs import outbox, tasks
from store.playlogs import services as playlogs
from store.playlogs.models import PreviewPlay
from tests.store.playlogs.factories import PreviewPlayFactory

pytestmark = pytest.mark.django_db


class Queued(list):
    def __call__(self, args=(), kwargs=None, **options):
        self.append((args, options))


@pytest.fixture
def queued(monkeypatch):
    sent = Queued()
    monkeypatch.setattr(tasks.playlogs_ship, "apply_async", sent)
    monkeypatch.setattr(tasks.playlogs_ship, "delay", lambda *args: sent(args))
    return sent


def start(n: int = 0) -> PreviewPlay:
    services.preview_clip_receive(listener="a" * 32, track_id=123456 + n)  # as the proxy does
    return services.preview_play_start(
        track_id=123456 + n,
        user=None,
        anonymous_id="a" * 32,
        address="192.0.2.1",
        country="GB",
        user_agent="UA",
    )


def test_stopped_previews_queue_one_shipping_task_for_when_they_are_due(
    queued, settings, django_capture_on_commit_callbacks
):
    settings.PLAYLOG_PREVIEW_SETTLE_SECONDS = 5
    with django_capture_on_commit_callbacks(execute=True):
        plays = [start(n) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for play in plays:
            services.preview_play_stop(
                play_id=play.pk, user=None, anonymous_id="a" * 32, seconds=Decimal(12)
            )

    # One task for when the plays would be due unreported, one for when the stops settle.
    assert [args for args, _ in queued] == [("preview",), ("preview",)]
    settle_eta = queued[-1][1]["eta"]
    assert timezone.now() + timedelta(seconds=4) <= settle_eta
    assert settle_eta <= timezone.now() + timedelta(seconds=11)


def test_nothing_is_queued_before_the_play_is_committed(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start()

    assert queued == []
    assert len(callbacks) == 1


def test_a_broker_that_cannot_be_reached_does_not_fail_the_play(
    monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.playlogs_ship, "apply_async", down)

    with django_capture_on_commit_callbacks(execute=True):
        play = start()

    assert PreviewPlay.objects.filter(pk=play.pk).exists()


def test_the_sweep_queues_a_task_only_for_kinds_with_due_plays(queued):
    PreviewPlayFactory(started_at=timezone.now() - timedelta(minutes=5), seconds_played=Decimal(30))

    assert tasks.playlogs_sweep() == ["preview"]
    assert [args for args, _ in queued] == [("preview",)]


def test_a_retry_queues_the_shipping_once_committed(queued, django_capture_on_commit_callbacks):
    play = PreviewPlayFactory(rejected=True, rejected_reason="[1001] country missing")

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.playlogs_retry(kind="preview") == 1

    assert [args for args, _ in queued] == [("preview",)]
    play.refresh_from_db()
    assert not play.rejected and play.last_error == "[1001] country missing"


def test_the_shipping_task_comes_back_later_when_7digital_keeps_failing(monkeypatch):
    def failing(**kwargs):
        raise outbox.ShipDeferred(42.0, ConnectionError("down"))

    monkeypatch.setattr(outbox, "playlogs_ship", failing)
    retried = {}

    def retry(**options):
        retried.update(options)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.playlogs_ship, "retry", retry)

    with pytest.raises(RuntimeError):
        tasks.playlogs_ship.run("preview")

    assert retried["countdown"] == 42.0


def test_a_shipping_task_out_of_time_queues_its_successor(monkeypatch, queued):
    monkeypatch.setattr(
        outbox, "playlogs_ship", lambda **kwargs: outbox.ShipResult(delivered=500, more=True)
    )

    assert tasks.playlogs_ship.run("preview") == 500
    assert [args for args, _ in queued] == [("preview",)]


def test_a_warm_shutdown_stops_shipping_between_requests(monkeypatch, queued):
    seen = {}

    def ship(**kwargs):
        seen["stop"] = kwargs["stop"]()
        return outbox.ShipResult(more=True)

    monkeypatch.setattr(outbox, "playlogs_ship", ship)
    tasks._stop_shipping()
    try:
        tasks.playlogs_ship.run("preview")
    finally:
        tasks.shutting_down.clear()

    assert seen["stop"] is True
    assert queued == []  # the next worker's sweep takes over


def test_a_finished_play_is_queued_for_when_its_kind_says_it_is_due(
    queued, settings, django_capture_on_commit_callbacks
):
    settings.PLAYLOG_PREVIEW_SETTLE_SECONDS = 60
    play = PreviewPlayFactory(seconds_played=Decimal(12), reported_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        playlogs.play_finished(play=play)

    ((args, options),) = queued
    assert args == ("preview",)
    assert options["eta"] >= timezone.now() + timedelta(seconds=55)
