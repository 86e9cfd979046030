"""The dashboard's figures: plays per day, backlog, failures and the reconciliation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from store.playlogs import selectors
from store.playlogs.models import PreviewResponseTally, StreamResponseTally

from .factories import CataloguePlayFactory, PreviewPlayFactory, SubscriptionPlayFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def counts(day: selectors.DayPlays, kind: str) -> tuple[int, int, int, int]:
    of = day.of(kind)
    return (of.recorded, of.delivered, of.rejected, of.unsent)


def test_plays_are_counted_per_day_and_kind_with_what_became_of_them():
    PreviewPlayFactory(started_at=NOON, delivered_at=NOON)
    PreviewPlayFactory(started_at=NOON, rejected=True, rejected_reason="1001 bad track")
    PreviewPlayFactory(started_at=NOON, last_error="503 from 7digital")
    CataloguePlayFactory(played_at=NOON - timedelta(days=1), delivered_at=NOON)
    SubscriptionPlayFactory.create_batch(2, played_at=NOON)

    today, yesterday = selectors.plays_per_day(days=2, today=TODAY)

    assert today.day == TODAY
    assert counts(today, "preview") == (3, 1, 1, 1)
    assert counts(today, "catalogue") == (0, 0, 0, 0)
    assert counts(today, "subscription") == (2, 0, 0, 2)
    assert today.recorded == 5
    assert yesterday.day == TODAY - timedelta(days=1)
    assert counts(yesterday, "catalogue") == (1, 1, 0, 0)


def test_plays_count_on_their_utc_day():
    PreviewPlayFactory(started_at=datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC))
    PreviewPlayFactory(started_at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
    # 00:30 in Paris on the 10th is still the 9th in UTC.
    PreviewPlayFactory(started_at=datetime.fromisoformat("2026-03-10T00:30:00+01:00"))

    today, yesterday = selectors.plays_per_day(days=2, today=TODAY)

    assert today.of("preview").recorded == 1
    assert yesterday.of("preview").recorded == 2


def test_days_without_plays_appear_as_zeros_newest_first():
    days = selectors.plays_per_day(days=3, today=TODAY)

    assert [day.day for day in days] == [date(2026, 3, 10), date(2026, 3, 9), date(2026, 3, 8)]
    assert all(counts(day, kind) == (0, 0, 0, 0) for day in days for kind in selectors.KINDS)


def test_plays_outside_the_days_asked_for_are_left_out():
    PreviewPlayFactory(started_at=NOON - timedelta(days=3))
    PreviewPlayFactory(started_at=NOON + timedelta(days=1))

    days = selectors.plays_per_day(days=3, today=TODAY)

    assert sum(day.recorded for day in days) == 0


def test_the_days_are_counted_by_the_database_with_one_query_per_kind(
    django_assert_num_queries,
):
    PreviewPlayFactory.create_batch(5, started_at=NOON)
    CataloguePlayFactory.create_batch(5, played_at=NOON)

    with django_assert_num_queries(3):
        selectors.plays_per_day(days=30, today=TODAY)


def test_the_backlog_counts_unsent_and_failing_plays_and_ages_the_oldest():
    PreviewPlayFactory(started_at=NOON - timedelta(minutes=3))
    PreviewPlayFactory(started_at=NOON - timedelta(minutes=1), last_error="timeout")
    PreviewPlayFactory(started_at=NOON - timedelta(hours=2), delivered_at=NOON)
    PreviewPlayFactory(started_at=NOON - timedelta(hours=3), rejected=True)

    preview, catalogue, _ = selectors.backlog(now=NOON)

    assert (preview.kind, preview.unsent, preview.failing, preview.rejected) == ("preview", 2, 1, 1)
    assert preview.oldest_unsent_at == NOON - timedelta(minutes=3)
    assert preview.oldest_unsent_age == timedelta(minutes=3)
    assert not preview.late
    assert (catalogue.unsent, catalogue.oldest_unsent_at, catalogue.oldest_unsent_age) == (
        0,
        None,
        None,
    )
    assert not catalogue.late


def test_the_backlog_is_late_once_the_oldest_unsent_play_waited_over_fifteen_minutes():
    SubscriptionPlayFactory(played_at=NOON - timedelta(minutes=16))

    subscription = selectors.backlog(now=NOON)[2]

    assert subscription.late


def test_failures_are_rejected_and_failing_plays_with_their_reason_newest_first():
    rejected = PreviewPlayFactory(
        started_at=NOON - timedelta(minutes=5),
        rejected=True,
        rejected_reason="1001: invalid track",
        attempts=1,
    )
    failing = CataloguePlayFactory(
        played_at=NOON - timedelta(minutes=1), last_error="503 Service Unavailable", attempts=4
    )
    PreviewPlayFactory(started_at=NOON)  # waiting: no failure
    SubscriptionPlayFactory(played_at=NOON, delivered_at=NOON, last_error="old timeout")

    found = selectors.failures()

    assert [(f.kind, f.id, f.state, f.reason, f.attempts) for f in found] == [
        ("catalogue", failing.pk, "failing", "503 Service Unavailable", 4),
        ("preview", rejected.pk, "rejected", "1001: invalid track", 1),
    ]
    assert found[1].track_id == rejected.track_id
    assert found[1].played_at == rejected.started_at


def test_failures_can_be_narrowed_to_one_kind_and_are_limited():
    PreviewPlayFactory.create_batch(3, last_error="timeout")
    CataloguePlayFactory(last_error="timeout")

    assert {f.kind for f in selectors.failures(kind="catalogue")} == {"catalogue"}
    assert len(selectors.failures(limit=2)) == 2
    with pytest.raises(ValueError, match="no such kind"):
        selectors.failures(kind="radio")


def test_a_retried_rejection_shows_as_failing_with_its_old_reason():
    PreviewPlayFactory(last_error="1001: invalid track")  # as playlogs_retry leaves it

    (failure,) = selectors.failures()

    assert (failure.state, failure.reason) == ("failing", "1001: invalid track")


def test_reconciliation_sets_preview_responses_against_preview_plays_recorded():
    PreviewResponseTally.objects.create(day=TODAY, country="GB", responses=3)
    PreviewResponseTally.objects.create(day=TODAY, country="FR", responses=2)
    PreviewPlayFactory.create_batch(2, started_at=NOON, delivered_at=NOON)
    PreviewPlayFactory(started_at=NOON)
    CataloguePlayFactory(played_at=NOON, rejected=True)

    today, yesterday = selectors.reconciliation(days=2, today=TODAY)

    assert (today.preview_responses, today.preview_recorded, today.difference) == (5, 3, 2)
    assert counts(today.plays, "preview") == (3, 2, 0, 1)
    assert counts(today.plays, "catalogue") == (1, 0, 1, 0)
    assert (yesterday.day, yesterday.preview_responses, yesterday.difference) == (
        TODAY - timedelta(days=1),
        0,
        0,
    )


def test_reconciliation_shows_more_plays_than_responses_as_a_negative_difference():
    PreviewResponseTally.objects.create(day=TODAY, country="GB", responses=1)
    PreviewPlayFactory.create_batch(3, started_at=NOON)

    (today,) = selectors.reconciliation(days=1, today=TODAY)

    assert today.difference == -2


def test_reconciliation_sets_stream_responses_against_the_plays_of_each_source():
    StreamResponseTally.objects.create(day=TODAY, source="subscription", responses=4)
    StreamResponseTally.objects.create(day=TODAY, source="catalogue", responses=2)
    StreamResponseTally.objects.create(day=TODAY, source="locker", responses=7)
    SubscriptionPlayFactory.create_batch(3, played_at=NOON)
    CataloguePlayFactory.create_batch(2, played_at=NOON)

    today, yesterday = selectors.reconciliation(days=2, today=TODAY)

    figures = {s.source: (s.responses, s.recorded, s.difference) for s in today.streams}
    assert figures == {
        "subscription": (4, 3, 1),
        "catalogue": (2, 2, 0),
        "locker": (7, None, None),  # never reported, so no plays to match
    }
    assert {s.source: s.responses for s in yesterday.streams} == {
        "subscription": 0,
        "catalogue": 0,
        "locker": 0,
    }
