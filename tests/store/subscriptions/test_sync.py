"""Every change reaches 7digital (the in-process sandbox) through the outbox: sent after
commit, confirmed with GET, retried after an outage, resumed after a worker died, only
the newest of quick changes sent, and refusals left for staff with words."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction

from accounts.models import PartnerUser, User
from sevendigital.resources.subscription_rules import add_month
from store.subscriptions import services, tasks
from store.subscriptions.models import Subscription, SubscriptionSync

from .conftest import ENDPOINT, at_7digital, make_plan, make_subscription, posts

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def change(subscription, django_capture_on_commit_callbacks, kind="changed", **fields):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for name, value in fields.items():
            setattr(subscription, name, value)
        subscription.save()
        return services.subscription_changed(subscription=subscription, kind=kind, message=kind)


@pytest.fixture
def subscription(subscriber, clock):
    return make_subscription(user=subscriber, plan=make_plan(), start=clock.now - timedelta(days=3))


def test_a_new_subscription_reaches_7digital_and_is_confirmed(
    subscription, subscriber, sandbox, sync_queue, django_capture_on_commit_callbacks
):
    sync = change(subscription, django_capture_on_commit_callbacks, kind="started")
    assert sync_queue.syncs == [sync.pk]

    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == SubscriptionSync.State.CONFIRMED
    held = at_7digital(subscriber.partner_user.partner_user_id)
    assert (held.plan_code, held.status) == ("premium-unlimited-streaming", "active")
    assert held.current_period_start == subscription.current_period_start
    assert held.expiry_date == add_month(subscription.current_period_start)
    assert held.recurring_fee == 999 and held.currency == "GBP"
    assert sync.sent["planCode"] == "premium-unlimited-streaming"
    assert sync.answer["get"] == {"level": "premium", "expiry_date": sync.sent["expiryDate"]}
    subscription.refresh_from_db()
    assert subscription.partner_user_id == subscriber.partner_user.partner_user_id


def test_cancel_then_end_each_reach_7digital(
    subscription, subscriber, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    from sandbox.backends.subscriptions import subscriptions_backend

    change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()
    change(subscription, django_capture_on_commit_callbacks, cancel_at_period_end=True)
    sync_queue.send_all()
    held = at_7digital(subscription.partner_user_id)
    assert held.status == "cancelled" and subscriptions_backend.has_access(held.user)

    clock.advance(timedelta(hours=1))
    change(subscription, django_capture_on_commit_callbacks, status="ended", ended_at=clock.now)
    sync_queue.send_all()

    held = at_7digital(subscription.partner_user_id)
    assert held.status == "expired" and held.expiry_date == clock.now
    assert not subscriptions_backend.has_access(held.user)
    assert SubscriptionSync.objects.latest("version").state == "confirmed"


def test_a_trial_reaches_7digital_on_the_trial_plan(
    subscriber, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    trial_end = clock.now + timedelta(days=60)
    subscription = make_subscription(
        user=subscriber,
        plan=make_plan(trial_days=60),
        start=clock.now,
        end=trial_end,
        status="trialing",
        trial_end=trial_end,
    )
    change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()

    held = at_7digital(subscription.partner_user_id)
    assert held.plan_code == "trial-unlimited-streaming"
    assert held.trial_ends_at == trial_end == held.expiry_date
    assert held.recurring_fee == 0


def test_an_outage_leaves_the_change_pending_and_the_next_attempt_delivers_it(
    subscription, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    sandbox.add_fault(kind="status", status=503, endpoint=ENDPOINT)
    sync = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "pending" and sync.attempts == 1 and "503" in sync.error
    assert sync.next_attempt_at > clock.now
    assert services.subscription_syncs_sweep() == []  # not due yet

    sandbox.clear_faults()
    clock.set(sync.next_attempt_at)
    assert services.subscription_syncs_sweep() == [sync.pk]
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "confirmed" and sync.attempts == 2
    assert at_7digital(subscription.partner_user_id).status == "active"


def test_the_backoff_grows_with_jitter_up_to_its_cap(settings):
    delays = [services.retry_delay(attempts).total_seconds() for attempts in range(1, 12)]

    assert 2.5 <= delays[0] <= 5
    assert 20 <= delays[3] <= 40
    assert all(450 <= delay <= 900 for delay in delays[9:])


def test_a_worker_that_died_after_marking_outcome_unknown_is_resumed_by_the_sweep(
    subscription, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    sync = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.syncs.clear()
    # The worker claimed the row, then died before (or while) calling 7digital.
    with (
        mock.patch("store.subscriptions.services.sync.get_sender_client", side_effect=SystemExit),
        pytest.raises(SystemExit),
    ):
        services.subscription_sync_send(sync_id=sync.pk)
    sync.refresh_from_db()
    assert sync.state == "outcome_unknown" and sync.claimed_until > clock.now
    assert services.subscription_syncs_sweep() == []  # its claim holds
    services.subscription_sync_send(sync_id=sync.pk)  # a duplicate task waits too
    assert posts(sandbox) == []

    clock.advance(timedelta(seconds=91))
    assert services.subscription_syncs_sweep() == [sync.pk]
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "confirmed" and sync.attempts == 2
    assert len(posts(sandbox)) == 1


def test_on_redis_the_sweep_queues_its_backlog_behind_fresh_changes(
    subscription, settings, django_capture_on_commit_callbacks
):
    # An outage's backlog must not hold up the changes made once 7digital is back
    # (tests/integrations/test_tasks.py: Redis hands priority 0 out before 9).
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    task = tasks.subscription_sync_send
    with (
        mock.patch.object(task, "delay") as fresh,
        mock.patch.object(task, "apply_async") as backlog,
    ):
        sync = change(subscription, django_capture_on_commit_callbacks)
        services.subscription_syncs_sweep()

    fresh.assert_called_once_with(sync.pk)
    backlog.assert_called_once_with((sync.pk,), priority=9)


def test_a_send_that_fails_is_not_retried_by_the_client_but_waits_for_its_backoff(
    subscription, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    # In an outage every row would otherwise cost the client's own retries and waits,
    # and the changes queued behind them would wait as long.
    fault = sandbox.add_fault(kind="status", status=503, endpoint=ENDPOINT, method="GET", times=1)
    sync = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()

    sync.refresh_from_db()
    assert fault.hits == 1
    assert sync.state == "pending" and "503" in sync.error
    assert len(sandbox.entries(endpoint=ENDPOINT, method="GET")) == 1  # tried once


def test_only_the_newest_of_three_quick_changes_is_sent(
    subscription, sandbox, sync_queue, django_capture_on_commit_callbacks
):
    first = change(subscription, django_capture_on_commit_callbacks)
    second = change(subscription, django_capture_on_commit_callbacks, cancel_at_period_end=True)
    third = change(subscription, django_capture_on_commit_callbacks, cancel_at_period_end=False)
    assert sync_queue.syncs == [first.pk, second.pk, third.pk]

    sync_queue.send_all()

    states = dict(SubscriptionSync.objects.values_list("pk", "state"))
    assert states == {first.pk: "superseded", second.pk: "superseded", third.pk: "confirmed"}
    assert len(posts(sandbox)) == 1
    assert at_7digital(subscription.partner_user_id).status == "active"
    assert SubscriptionSync.objects.get(pk=third.pk).version == 3


def test_a_refusal_is_failed_with_words_for_staff(
    subscription, sandbox, sync_queue, django_capture_on_commit_callbacks
):
    sandbox.add_fault(
        kind="error", endpoint=ENDPOINT, method="POST", code=1002, message="Invalid parameter"
    )
    sync = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "failed" and "1002" in sync.error
    event = subscription.events.get(kind="sync-failed")
    assert "7digital was not told" in event.message and "1002" in event.message
    assert services.subscription_syncs_sweep() == []  # not retried by itself


def test_a_state_the_client_refuses_is_failed_without_a_request(
    subscription, sandbox, sync_queue, django_capture_on_commit_callbacks
):
    sync = change(subscription, django_capture_on_commit_callbacks, country="G1")
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "failed" and "country" in sync.error
    assert posts(sandbox) == []
    assert subscription.events.filter(kind="sync-failed").exists()


def test_a_partner_user_not_yet_created_is_waited_for(
    sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    user = User.objects.create_user(email="new@example.com", password="x" * 12, country="GB")
    subscription = make_subscription(user=user, plan=make_plan(), start=clock.now)
    sandbox.add_fault(kind="status", status=503, endpoint="user/create")
    sync = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "pending" and "partner user" in sync.error
    assert posts(sandbox) == []

    sandbox.clear_faults()
    clock.set(sync.next_attempt_at)
    services.subscription_syncs_sweep()
    sync_queue.send_all()

    sync.refresh_from_db()
    assert sync.state == "confirmed"
    assert PartnerUser.objects.get(user=user).state == "linked"
    assert at_7digital(PartnerUser.objects.get(user=user).partner_user_id) is not None


def test_a_get_that_disagrees_is_sent_again(
    subscription, sandbox, clock, sync_queue, django_capture_on_commit_callbacks
):
    from sandbox.backends.subscriptions import subscriptions_backend

    real_get = subscriptions_backend.get

    def stale(*, user):
        found = real_get(user=user)
        return type(found)(level="standard", expiry_date=found.expiry_date)

    with mock.patch.object(subscriptions_backend, "get", side_effect=stale):
        sync = change(subscription, django_capture_on_commit_callbacks)
        sync_queue.send_all()
    sync.refresh_from_db()
    assert sync.state == "pending" and "7digital said standard" in sync.error
    assert sync.answer["get"]["level"] == "standard"

    clock.set(sync.next_attempt_at)
    services.subscription_syncs_sweep()
    sync_queue.send_all()
    sync.refresh_from_db()
    assert sync.state == "confirmed"


def test_the_send_task_calls_the_service(subscription, sandbox, django_capture_on_commit_callbacks):
    from store.subscriptions import tasks

    with mock.patch.object(tasks.subscription_sync_send, "delay"):
        sync = change(subscription, django_capture_on_commit_callbacks)
    tasks.subscription_sync_send(sync.pk)

    assert SubscriptionSync.objects.get(pk=sync.pk).state == "confirmed"
    assert Subscription.objects.get().sync_version == 1


def test_a_change_written_while_another_is_at_7digital_is_sent_when_it_returns(
    subscription, sandbox, sync_queue, django_capture_on_commit_callbacks
):
    from store.subscriptions.services import sync as sync_services

    first = change(subscription, django_capture_on_commit_callbacks)
    sync_queue.syncs.clear()
    real_client = sync_services.get_sender_client()
    real_update = real_client.subscriptions.update
    written = []

    def update_while_customer_cancels(*args, **kwargs):
        if not written:
            subscription.cancel_at_period_end = True
            subscription.save()
            # Its own task runs meanwhile and finds the first one under way: nothing queued.
            with mock.patch.object(sync_services, "task_queue_on_commit"):
                written.append(
                    services.subscription_changed(
                        subscription=subscription, kind="cancelled", message=""
                    )
                )
            assert services.subscription_sync_send(sync_id=written[0].pk) is None
        return real_update(*args, **kwargs)

    with (
        mock.patch.object(
            real_client.subscriptions, "update", side_effect=update_while_customer_cancels
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.subscription_sync_send(sync_id=first.pk)
    assert SubscriptionSync.objects.get(pk=first.pk).state == "confirmed"
    assert sync_queue.syncs == [written[0].pk]  # queued when the first returned

    sync_queue.send_all()

    assert SubscriptionSync.objects.get(pk=written[0].pk).state == "confirmed"
    assert at_7digital(subscription.partner_user_id).status == "cancelled"
