"""The outbox ships every recorded play to the sandbox's log endpoints, exactly once."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sandbox.models import ReceivedPlayLog
from store.player import services as player_services
from store.playlogs import outbox, services
from store.playlogs.models import CataloguePlay, DeliveryPace, PreviewPlay, SubscriptionPlay
from store.playlogs.outbox import claims, kinds, pacing
from tests.store.playlogs.factories import PreviewPlayFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# 7digital's limit on a preview/log request's body: "limited to 100KiB" (reference line
# 4846). Written out here, not imported: the client's own constant could drift with it.
REQUEST_BYTES_LIMIT = 100 * 1024
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fast(settings, sandbox_for_store):
    settings.PLAYLOG_REQUESTS_PER_SECOND = 1000  # the pace has tests of its own
    settings.PLAYLOG_RETRY_BASE_SECONDS = 0.01
    settings.PLAYLOG_RETRY_MAX_SECONDS = 0.05


class Sleeps(list):
    """Records each wait; waits for real, as the backoffs here are hundredths."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 0.2))


def ship(kind="preview", **options):
    options.setdefault("sleep", Sleeps())
    return outbox.playlogs_ship(kind=kind, seconds=options.pop("seconds", 30), **options)


def finished_previews(n: int, **fields) -> list[PreviewPlay]:
    start = timezone.now() - timedelta(minutes=5)
    track_id = fields.pop("track_id", None)
    return [
        PreviewPlayFactory(
            track_id=track_id or 100_000 + i,
            started_at=start + timedelta(milliseconds=i),
            seconds_played=Decimal("30.00"),
            reported_at=start,
            **fields,
        )
        for i in range(n)
    ]


def received(kind="preview"):
    return ReceivedPlayLog.objects.filter(kind=kind)


def log_requests(state, endpoint):
    return [e for e in state.entries(endpoint=endpoint) if e["method"] == "POST"]


def test_every_finished_preview_reaches_7digital_once_and_is_marked_delivered(sandbox_for_store):
    plays = finished_previews(1203, user_agent=CHROME)

    result = ship()

    assert result.delivered == 1203
    assert received().count() == 1203
    assert received().values("user_id", "track_id", "played_at_text").distinct().count() == 1203
    assert not PreviewPlay.objects.filter(delivered_at__isnull=True).exists()
    requests = log_requests(sandbox_for_store, "preview/log")
    assert result.requests == len(requests) >= 3
    for entry in requests:
        # The journal keeps a body's first 10,000 bytes and its whole length.
        assert entry["body_bytes"] <= REQUEST_BYTES_LIMIT
    assert {p.pk for p in plays} == set(PreviewPlay.objects.values_list("pk", flat=True))


def test_requests_stay_within_500_logs_and_100_kib(sandbox_for_store):
    finished_previews(600, user_agent="Storefront test")

    ship()

    per_request = received().values("request_id").distinct()
    sizes = sorted(received().filter(request_id=r["request_id"]).count() for r in per_request)
    assert sizes == [100, 500]
    bodies = [e["body_bytes"] for e in log_requests(sandbox_for_store, "preview/log")]
    assert len(bodies) == 2
    assert max(bodies) <= REQUEST_BYTES_LIMIT


def test_a_preview_is_logged_as_the_reference_asks(sandbox_for_store):
    started = datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
    play = PreviewPlayFactory(
        track_id=123456,
        anonymous_id="f" * 32,
        country="US",
        user_agent="A" * 300,
        started_at=started,
        seconds_played=Decimal("12.50"),
        reported_at=started,
    )

    ship()

    log = received().get()
    assert log.track_id == 123456
    assert log.user_id == f"anon-{'f' * 32}"
    assert log.country == "US"
    assert log.request_country == "GB"  # the API key's country: authorisation only
    assert log.seconds_played == 13  # whole seconds, half up
    assert log.user_agent == "A" * 256
    assert log.play_mode == "online"
    assert log.played_at == started
    play.refresh_from_db()
    assert play.delivered_at is not None and play.attempts == 1


def test_a_signed_in_listener_is_reported_by_their_partner_user_id(sandbox_for_store):
    from accounts.models import PartnerUser, User

    user = User.objects.create_user(email="listener@example.com", password="x")
    partner = PartnerUser.objects.create(user=user, country="GB")
    finished_previews(1, user=user)

    ship()

    assert received().get().user_id == partner.partner_user_id


def test_previews_wait_until_the_player_is_done_with_them(settings):
    settings.PLAYLOG_PREVIEW_SETTLE_SECONDS = 5
    settings.PLAYLOG_PREVIEW_OPEN_SECONDS = 120
    now = timezone.now()
    playing = PreviewPlayFactory(started_at=now - timedelta(seconds=10))
    paused = PreviewPlayFactory(
        started_at=now - timedelta(seconds=10), seconds_played=Decimal(4), reported_at=now
    )
    ended = PreviewPlayFactory(
        started_at=now - timedelta(seconds=31), seconds_played=Decimal(30), reported_at=now
    )
    stopped = PreviewPlayFactory(
        started_at=now - timedelta(seconds=20),
        seconds_played=Decimal(7),
        reported_at=now - timedelta(seconds=6),
    )
    gone = PreviewPlayFactory(track_id=5, started_at=now - timedelta(seconds=121))

    ship()

    sent = {p.pk for p in PreviewPlay.objects.filter(delivered_at__isnull=False)}
    assert sent == {ended.pk, stopped.pk, gone.pk}
    assert {playing.pk, paused.pk}.isdisjoint(sent)
    # The page went away without a word: logged as never heard, as the reference asks.
    assert received().get(track_id=gone.track_id).seconds_played == 0


def test_catalogue_plays_go_in_requests_of_100_per_country(sandbox_for_store):
    played = timezone.now() - timedelta(minutes=1)
    for i in range(150):
        services.catalogue_play_record(
            track_id=200_000 + i,
            release_id=9000,
            format_id=55,
            user=None,
            listener_id=f"listener-{i % 7}",
            country="US" if i % 3 == 0 else "GB",
            user_agent=CHROME,
            played_at=played + timedelta(milliseconds=i),
            seconds_played=180,
            end_reason="userSkipped" if i % 2 else "naturalEnd",
        )

    result = ship("catalogue")

    assert result.delivered == 150
    logs = received("catalogue")
    assert logs.count() == 150
    assert logs.filter(request_country="US").count() == 50
    assert logs.filter(end_reason="userSkipped").count() == 75
    for request in logs.values_list("request_id", flat=True).distinct():
        assert logs.filter(request_id=request).count() <= 100
        assert logs.filter(request_id=request).values("request_country").distinct().count() == 1


def subscription_play(partner_user_id: str, n: int, country="GB") -> SubscriptionPlay:
    return services.subscription_play_record(
        track_id=300_000 + n,
        release_id=9100,
        format_id=55,
        user=None,
        partner_user_id=partner_user_id,
        country=country,
        user_agent=CHROME,
        played_at=timezone.now() - timedelta(seconds=60 - n),
        seconds_played=n,
        play_mode="offline" if n % 2 else "online",
    )


def grant_subscription(state, user_id: str) -> None:
    from django.test import Client

    response = Client().post(
        "/_sandbox/subscriptions",
        data=json.dumps({"user_id": user_id}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content


@pytest.fixture
def sandbox_control(settings):
    settings.ROOT_URLCONF = "sandbox.urls"


def test_subscription_plays_go_per_user_and_a_user_never_subscribed_is_rejected(
    sandbox_for_store, sandbox_control
):
    grant_subscription(sandbox_for_store, "subscriber-1")
    grant_subscription(sandbox_for_store, "subscriber-2")
    for n in range(5):
        subscription_play("subscriber-1", n)
        subscription_play("subscriber-2", n, country="US")
        subscription_play("never-subscribed", n)

    result = ship("subscription")

    assert result.delivered == 10
    assert result.rejected == 5
    logs = received("subscription")
    assert sorted(logs.values_list("user_id", flat=True).distinct()) == [
        "subscriber-1",
        "subscriber-2",
    ]
    for request in logs.values_list("request_id", flat=True).distinct():
        assert logs.filter(request_id=request).values("user_id").distinct().count() == 1
    refused = SubscriptionPlay.objects.filter(rejected=True)
    assert set(refused.values_list("partner_user_id", flat=True)) == {"never-subscribed"}
    assert all("1003" in row.rejected_reason for row in refused)
    # Refusing the user took one request, not one per play.
    assert len(log_requests(sandbox_for_store, "user/subscription/log")) == 3


@pytest.fixture
def refused_by_7digital(monkeypatch):
    """Plays of track 666 come out with a log 7digital refuses (a 1-letter country: the
    sandbox answers 1002), as a play with a fault only 7digital can see would."""
    built = kinds.preview_log

    def preview_log(play):
        log = built(play)
        return dataclasses.replace(log, country="G") if play.track_id == 666 else log

    monkeypatch.setattr(kinds, "preview_log", preview_log)
    return 666


def test_a_play_7digital_refuses_is_kept_flagged_and_the_rest_are_delivered(
    sandbox_for_store, refused_by_7digital
):
    finished_previews(40)
    bad = finished_previews(1, track_id=refused_by_7digital)[0]

    result = ship()

    assert result.delivered == 40 and result.rejected == 1
    bad.refresh_from_db()
    assert bad.rejected and bad.delivered_at is None
    assert "1002" in bad.rejected_reason and "country" in bad.rejected_reason
    assert received().count() == 40
    # Split in halves until it was alone: a handful of requests, not one per play.
    assert len(log_requests(sandbox_for_store, "preview/log")) <= 2 * 6 + 1

    # Not sent again by later runs: a refused play is not retried forever.
    assert ship().requests == 0
    assert PreviewPlay.objects.filter(pk=bad.pk).exists()


def test_a_play_with_no_country_is_rejected_before_sending(sandbox_for_store):
    finished_previews(2)
    bad = finished_previews(1, country="", track_id=7)[0]

    result = ship()

    bad.refresh_from_db()
    assert result.delivered == 2 and result.rejected == 1 and result.requests == 1
    assert bad.rejected and "country" in bad.rejected_reason


def test_a_play_that_breaks_the_sender_fails_alone_and_is_retried_later(monkeypatch, settings):
    settings.PLAYLOG_RETRY_BASE_SECONDS = 60  # not due again within this test
    settings.PLAYLOG_RETRY_MAX_SECONDS = 600  # (_fast's cap would make it 0.05 s)
    finished_previews(3)
    built = kinds.preview_log

    def preview_log(play):
        if play.track_id == 100_001:
            raise RuntimeError("a bug")
        return built(play)

    monkeypatch.setattr(kinds, "preview_log", preview_log)

    result = ship()

    broken = PreviewPlay.objects.get(track_id=100_001)
    assert result.delivered == 2 and result.failed == 1
    assert broken.delivered_at is None and not broken.rejected
    assert "a bug" in broken.last_error
    assert broken.next_attempt_at > timezone.now() and broken.claimed_by is None


def test_a_play_the_client_cannot_log_is_rejected_without_a_request(sandbox_for_store):
    finished_previews(1, play_mode="streaming")

    result = ship()

    play = PreviewPlay.objects.get()
    assert result.rejected == 1 and result.requests == 0
    assert play.rejected and "playMode" in play.rejected_reason
    assert log_requests(sandbox_for_store, "preview/log") == []


def test_a_failed_request_is_retried_with_backoff_and_nothing_is_lost(sandbox_for_store):
    finished_previews(30)
    sandbox_for_store.add_fault(kind="status", status=503, endpoint="preview/log", times=2)
    sleeps = Sleeps()

    result = ship(sleep=sleeps)

    assert result.delivered == 30 and result.failed == 60
    assert received().count() == 30
    backoffs = [s for s in sleeps if s > 0]
    assert len(backoffs) == 2 and backoffs[1] > backoffs[0] * 0.5
    assert set(PreviewPlay.objects.values_list("attempts", flat=True)) == {3}


def test_half_the_requests_failing_still_delivers_each_play_exactly_once(sandbox_for_store):
    finished_previews(300)
    sandbox_for_store.add_fault(
        kind="status", status=502, endpoint="preview/log", probability=0.5, seed=3
    )

    for _ in range(40):
        try:
            ship()
        except outbox.ShipDeferred:
            PreviewPlay.objects.update(next_attempt_at=None)  # no waiting in a test
        if not PreviewPlay.objects.filter(delivered_at__isnull=True).exists():
            break

    assert not PreviewPlay.objects.filter(delivered_at__isnull=True).exists()
    assert received().count() == 300
    assert received().values("track_id").distinct().count() == 300


def test_connection_failures_are_retried(sandbox_for_store):
    finished_previews(3)
    sandbox_for_store.add_fault(kind="reset", endpoint="preview/log", times=1)

    result = ship()

    assert result.delivered == 3 and received().count() == 3


def test_an_answer_lost_after_7digital_took_the_logs_is_sent_again_not_lost(sandbox_for_store):
    """The known price of never losing a play: one batch may arrive twice."""
    finished_previews(5)
    sandbox_for_store.add_fault(kind="processed_reset", endpoint="preview/log", times=1)

    ship()

    assert received().count() == 10
    assert received().values("track_id").distinct().count() == 5
    assert not PreviewPlay.objects.filter(delivered_at__isnull=True).exists()


def test_when_7digital_stays_down_the_sender_defers_and_the_rows_wait(sandbox_for_store, settings):
    settings.PLAYLOG_RETRY_BASE_SECONDS = 10
    settings.PLAYLOG_RETRY_MAX_SECONDS = 60
    finished_previews(3)
    sandbox_for_store.add_fault(kind="status", status=500, endpoint="preview/log")

    with pytest.raises(outbox.ShipDeferred) as deferred:
        ship(seconds=5)

    assert 5 <= deferred.value.countdown <= 10
    waiting = PreviewPlay.objects.get(track_id=100_000)
    assert waiting.delivered_at is None and not waiting.rejected
    assert "500" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now() + timedelta(seconds=4)
    assert waiting.claimed_by is None
    # Not due again before its time, so another sender leaves it alone.
    assert not outbox.has_due("preview")


def test_staff_retry_sends_a_rejected_play_again(sandbox_for_store):
    bad = finished_previews(1, country="")[0]
    ship()
    PreviewPlay.objects.filter(pk=bad.pk).update(country="GB")  # the data was put right

    assert outbox.playlogs_retry(kind="preview", ids=[bad.pk]) == 1
    bad.refresh_from_db()
    assert not bad.rejected and "country" in bad.last_error

    assert ship().delivered == 1
    assert received().count() == 1


def test_a_stopping_worker_gives_back_what_it_has_not_sent():
    finished_previews(700, user_agent=CHROME)  # more than one request's worth
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 2

    result = ship(stop=stop)

    assert result.more
    unsent = PreviewPlay.objects.filter(delivered_at__isnull=True)
    assert 0 < unsent.count() < 700
    assert not unsent.filter(claimed_by__isnull=False).exists()
    assert received().count() == 700 - unsent.count()


# -- claims ------------------------------------------------------------------------------


def test_two_senders_never_claim_the_same_rows():
    finished_previews(10)
    kind = outbox.kind_get("preview")

    first = outbox.rows_claim(kind, token=uuid.uuid4(), limit=6)
    second = outbox.rows_claim(kind, token=uuid.uuid4(), limit=6)

    assert len(first) == 6 and len(second) == 4
    assert {r.pk for r in first}.isdisjoint({r.pk for r in second})
    assert outbox.rows_claim(kind, token=uuid.uuid4(), limit=6) == []


def test_rows_of_a_sender_that_died_are_claimed_again_when_its_claim_runs_out():
    finished_previews(3)
    kind = outbox.kind_get("preview")
    dead = uuid.uuid4()
    outbox.rows_claim(kind, token=dead, limit=10)
    PreviewPlay.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))

    again = outbox.rows_claim(kind, token=uuid.uuid4(), limit=10)

    assert len(again) == 3
    # The dead sender cannot mark rows another sender now holds.
    assert outbox.rows_delivered(kind, again, token=dead) == 0


def test_the_pace_gives_each_request_its_own_turn(settings):
    settings.PLAYLOG_REQUESTS_PER_SECOND = 5
    sleeps = []

    for _ in range(4):
        outbox.pace_wait(sleep=sleeps.append)

    pace = DeliveryPace.objects.get()
    assert pace.next_at > timezone.now() + timedelta(seconds=0.6)
    # Turns 0.22 s apart (5 per second, and a margin): the waits grow by that much.
    assert len(sleeps) >= 3
    assert sleeps[-1] == pytest.approx(3 * outbox.PACE_MARGIN / 5, abs=0.05)


def test_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.PLAYLOG_RETRY_BASE_SECONDS = 2
    settings.PLAYLOG_RETRY_MAX_SECONDS = 30
    import random

    rng = random.Random(1)
    for failures, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (5, 30), (9, 30)]:
        waits = [outbox.backoff_seconds(failures, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > 0  # jittered


def test_long_logs_still_go_in_full_requests(sandbox_for_store):
    finished_previews(1000, user_agent=CHROME)  # about 345 fit in 100 KiB

    result = ship()

    # 345 + 345 + 310, not 345 + 155 for every claim of 500.
    assert result.delivered == 1000
    assert result.requests == 3


def test_a_429_waits_out_the_window_and_sends_the_same_batch_again(sandbox_for_store):
    sandbox_for_store.log_rate_limit = 2  # another sender of the same key used the rest
    finished_previews(1500)

    result = ship(sleep=time.sleep)

    statuses = [e["status"] for e in log_requests(sandbox_for_store, "preview/log")]
    assert statuses.count(429) >= 1
    assert result.delivered == 1500 and result.failed == 0
    assert received().count() == 1500
    assert not PreviewPlay.objects.exclude(last_error="").exists()


def catalogue_plays(countries: dict[str, int]) -> None:
    played = timezone.now() - timedelta(minutes=1)
    n = 0
    for country, count in countries.items():
        for _ in range(count):
            n += 1
            services.catalogue_play_record(
                track_id=400_000 + n,
                release_id=9000,
                format_id=55,
                user=None,
                listener_id="listener",
                country=country,
                user_agent="UA",
                played_at=played + timedelta(milliseconds=n),
                seconds_played=60,
            )


def test_rows_whose_claim_ran_out_mid_batch_are_left_to_their_new_sender(monkeypatch):
    catalogue_plays({"GB": 100, "US": 50})  # one claim, two requests
    thief = uuid.uuid4()
    turns = []
    waited = pacing.pace_wait

    def pace_wait(**kwargs):
        turns.append(1)
        if len(turns) == 1:  # while the first request is sent, the claim on the rest ends
            CataloguePlay.objects.filter(country="US").update(claimed_by=thief)
        waited(**kwargs)

    monkeypatch.setattr(pacing, "pace_wait", pace_wait)

    result = ship("catalogue")

    assert result.delivered == 100 and result.requests == 1
    assert received("catalogue").count() == 100
    assert CataloguePlay.objects.filter(claimed_by=thief, delivered_at__isnull=True).count() == 50


def test_a_database_hiccup_after_7digital_took_the_plays_does_not_send_them_twice(
    monkeypatch,
):
    import tenacity
    from django.db import OperationalError

    finished_previews(10)
    marked = claims.rows_delivered
    calls = []

    def rows_delivered(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        return marked(*args, **kwargs)

    monkeypatch.setattr(claims, "rows_delivered", rows_delivered)
    monkeypatch.setattr(claims.rows_marked.retry, "wait", tenacity.wait_none())

    result = ship()

    assert result.delivered == 10 and len(calls) == 3
    assert received().count() == 10
    assert ship().requests == 0


def test_a_400_that_is_not_an_api_answer_is_retried_not_rejected(sandbox_for_store):
    finished_previews(3)
    sandbox_for_store.add_fault(kind="status", status=400, endpoint="preview/log", times=1)

    result = ship()

    assert result.delivered == 3 and result.rejected == 0
    assert received().count() == 3


def test_a_1003_about_one_play_does_not_refuse_the_users_other_plays(
    sandbox_for_store, sandbox_control
):
    grant_subscription(sandbox_for_store, "subscriber-1")
    for n in range(4):
        subscription_play("subscriber-1", n)
    sandbox_for_store.add_fault(
        kind="error",
        code=1003,
        message="Parameter value out of allowable range",
        endpoint="user/subscription/log",
        times=1,
    )

    result = ship("subscription")

    assert result.delivered == 4 and result.rejected == 0


def test_backoff_grows_with_a_plays_failures_across_tasks(sandbox_for_store, settings):
    settings.PLAYLOG_RETRY_BASE_SECONDS = 1
    settings.PLAYLOG_RETRY_MAX_SECONDS = 100
    finished_previews(2)
    PreviewPlay.objects.update(attempts=4)  # four earlier tasks failed to send them
    sandbox_for_store.add_fault(kind="status", status=503, endpoint="preview/log")

    with pytest.raises(outbox.ShipDeferred):
        ship(seconds=1)

    waiting = PreviewPlay.objects.first()
    assert waiting.attempts == 5
    assert waiting.next_attempt_at >= timezone.now() + timedelta(seconds=7)  # 16 s, jittered


def test_the_sweep_leaves_plays_a_sender_holds_alone():
    finished_previews(2)
    outbox.rows_claim(outbox.kind_get("preview"), token=uuid.uuid4(), limit=10)

    assert not outbox.has_due("preview")


def test_a_report_arriving_while_the_play_is_being_sent_changes_nothing():
    play = finished_previews(1)[0]
    PreviewPlay.objects.update(seconds_played=Decimal(5))
    outbox.rows_claim(outbox.kind_get("preview"), token=uuid.uuid4(), limit=10)

    player_services.preview_play_stop(
        play_id=play.pk, user=None, anonymous_id=play.anonymous_id, seconds=Decimal(20)
    )

    play.refresh_from_db()
    assert play.seconds_played == Decimal(5)


@pytest.mark.parametrize(
    ("model", "name"),
    [(PreviewPlay, "preview"), (CataloguePlay, "catalogue"), (SubscriptionPlay, "subscription")],
)
def test_each_play_is_shipped_by_the_one_kind_declared_for_its_table(model, name):
    kind = outbox.kind_of(model())

    assert kind is outbox.kind_get(name) and kind.model is model


def test_an_unknown_kind_of_play_is_an_error():
    with pytest.raises(ValueError, match="no such kind"):
        outbox.kind_get("radio")
