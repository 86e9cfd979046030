"""Beat's monthly windows (yearly plans: 7digital must never see them expire early) and
the daily reconciliation that finds drift at 7digital and repairs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import transaction

from sandbox.backends.subscriptions import subscriptions_backend
from store.subscriptions import services
from store.subscriptions.models import Subscription, SubscriptionSync

from .conftest import at_7digital, make_plan, make_subscription

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def send(subscription, sync_queue, django_capture_on_commit_callbacks, kind="changed"):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.subscription_changed(subscription=subscription, kind=kind, message=kind)
    sync_queue.send_all()


@pytest.fixture
def yearly(subscriber, clock):
    clock.set(at(2026, 12, 1, 12))
    return make_subscription(
        user=subscriber,
        plan=make_plan(slug="premium-yearly", interval="year"),
        start=at(2026, 11, 12, 12),
        end=at(2027, 11, 12, 12),
    )


def test_a_yearly_plan_is_told_its_next_month_before_7digital_would_expire_it(
    yearly, clock, sync_queue, django_capture_on_commit_callbacks
):
    send(yearly, sync_queue, django_capture_on_commit_callbacks)
    held = at_7digital(yearly.partner_user_id)
    assert held.expiry_date == at(2026, 12, 12, 12)  # one month at a time

    clock.set(at(2026, 12, 8, 12))
    assert services.subscriptions_roll() == 0  # ends in 4 days: not yet
    clock.set(at(2026, 12, 10, 12))
    assert services.subscriptions_roll() == 1
    assert services.subscriptions_roll() == 0  # requested once
    roll = SubscriptionSync.objects.get(state="pending")
    assert roll.next_attempt_at == at(2026, 12, 12, 0, 1)  # 12 h before the window ends
    assert services.subscription_syncs_sweep() == []

    clock.set(at(2026, 12, 12, 0, 1))
    assert services.subscription_syncs_sweep() == [roll.pk]
    sync_queue.send_all()

    held = at_7digital(yearly.partner_user_id)
    assert held.current_period_start == at(2026, 12, 12, 12)
    assert held.expiry_date == at(2027, 1, 12, 12)
    assert subscriptions_backend.has_access(held.user, at(2026, 12, 12, 12, 0, 30))
    assert yearly.events.filter(kind="roll").exists()


def test_a_confirmed_window_ending_soon_schedules_its_successor(
    yearly, clock, sync_queue, django_capture_on_commit_callbacks
):
    clock.set(at(2026, 12, 10, 12))
    send(yearly, sync_queue, django_capture_on_commit_callbacks)

    follow = SubscriptionSync.objects.get(state="pending")
    assert follow.next_attempt_at == at(2026, 12, 12, 0, 1)
    assert services.subscriptions_roll() == 0  # already requested


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "ended", "ended_at": at(2026, 11, 20)},
        {"interval": "month"},  # a monthly period ends with its window
    ],
)
def test_what_ends_with_its_window_is_not_rolled(yearly, clock, fields):
    if "interval" in fields:
        Subscription.objects.filter(pk=yearly.pk).update(current_period_end=at(2026, 12, 12, 12))
    else:
        Subscription.objects.filter(pk=yearly.pk).update(**fields)
    clock.set(at(2026, 12, 10, 12))

    assert services.subscriptions_roll() == 0


def test_a_cancelled_yearly_plan_still_streams_month_after_month(yearly, clock):
    Subscription.objects.filter(pk=yearly.pk).update(cancel_at_period_end=True)
    clock.set(at(2026, 12, 10, 12))

    assert services.subscriptions_roll() == 1


# -- reconciliation --------------------------------------------------------------------


@pytest.fixture
def two_confirmed(subscriber, clock, sync_queue, django_capture_on_commit_callbacks):
    from tests.store.conftest import make_customer

    other = make_customer("other@example.com")
    plan = make_plan()
    rows = [
        make_subscription(user=user, plan=plan, start=clock.now - timedelta(days=3))
        for user in (subscriber, other)
    ]
    for row in rows:
        send(row, sync_queue, django_capture_on_commit_callbacks)
    return rows


def drift(subscription, **fields) -> None:
    subscriptions_backend.set(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
        user_id=subscription.partner_user_id,
        fields=fields,
    )


def test_reconciliation_finds_drift_and_repairs_it(
    two_confirmed, clock, sync_queue, django_capture_on_commit_callbacks
):
    drifted, fine = two_confirmed
    drift(drifted, plan_code="standard-unlimited-streaming")

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.subscriptions_reconcile()

    assert counts == {"checked": 2, "drifted": 1, "repaired_queued": 1, "unreachable": 0}
    event = drifted.events.get(kind="drift")
    assert "7digital said standard until" in event.message
    assert "the shop says premium until" in event.message
    assert not fine.events.filter(kind="drift").exists()

    sync_queue.send_all()
    assert at_7digital(drifted.partner_user_id).plan_code == "premium-unlimited-streaming"
    assert services.subscriptions_reconcile()["drifted"] == 0


def test_an_expiry_one_second_off_is_drift(two_confirmed, clock, sync_queue):
    drifted, _ = two_confirmed
    held = at_7digital(drifted.partner_user_id)
    drift(drifted, expiry_date=held.expiry_date - timedelta(seconds=1))

    counts = services.subscriptions_reconcile()

    assert counts["drifted"] == 1
    assert SubscriptionSync.objects.filter(subscription=drifted, state="pending").exists()


def test_an_expired_subscription_7digital_still_streams_is_drift(
    two_confirmed, clock, sync_queue, django_capture_on_commit_callbacks
):
    ended, _ = two_confirmed
    ended.status, ended.ended_at = "ended", clock.now
    ended.save()
    send(ended, sync_queue, django_capture_on_commit_callbacks)
    assert services.subscriptions_reconcile()["drifted"] == 0

    drift(ended, status="active", expiry_date=clock.now + timedelta(days=5))
    assert services.subscriptions_reconcile()["drifted"] == 1


def test_old_subscriptions_are_sampled_and_recent_ones_always_checked(two_confirmed, clock):
    old, _ = two_confirmed
    Subscription.objects.filter(pk=old.pk).update(updated_at=clock.now - timedelta(days=3))
    drift(old, plan_code="standard-unlimited-streaming")

    assert services.subscriptions_reconcile(sample=0)["checked"] == 1
    assert services.subscriptions_reconcile(sample=5) == {
        "checked": 2,
        "drifted": 1,
        "repaired_queued": 1,
        "unreachable": 0,
    }


def test_a_change_on_its_way_is_left_to_it(two_confirmed, clock, sync_queue):
    drifted, _ = two_confirmed
    drift(drifted, plan_code="standard-unlimited-streaming")
    SubscriptionSync.objects.create(subscription=drifted, version=9, state="pending")

    assert services.subscriptions_reconcile()["checked"] == 1


def test_an_unreachable_7digital_is_counted_not_repaired(two_confirmed, sandbox):
    sandbox.add_fault(kind="status", status=503, endpoint="user/unlimitedstreaming")

    counts = services.subscriptions_reconcile()

    assert counts == {"checked": 0, "drifted": 0, "repaired_queued": 0, "unreachable": 2}


def test_the_beat_tasks_are_registered():
    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    names = {entry["task"] for entry in schedule.values()}
    for name in (
        "store.subscriptions.tasks.subscription_syncs_sweep",
        "store.subscriptions.tasks.subscriptions_roll",
        "store.subscriptions.tasks.subscriptions_reconcile",
    ):
        assert name in names and name in app.tasks
    assert schedule["subscriptions-sync-sweep"]["schedule"] == 60.0
