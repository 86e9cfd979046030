"""The test gateway's whole life cycle, driven by the clock, reaching 7digital (the
in-process sandbox, on the same clock): subscribe, renew, a renewal that fails (past
due, then ended), cancel and resume, expiry, one trial per customer, and the emails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from sandbox.backends.subscriptions import subscriptions_backend
from sevendigital.resources.subscription_rules import add_month
from store.subscriptions import services
from store.subscriptions.exceptions import SubscriptionNotPossible
from store.subscriptions.gateways import billing_gateway_get
from store.subscriptions.gateways.test import GRACE
from store.subscriptions.models import (
    PlanPrice,
    Subscription,
    SubscriptionCheckout,
    SubscriptionSync,
)

from .conftest import at_7digital, make_plan

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture(autouse=True)
def _billing_settings(settings):
    settings.PAYMENT_GATEWAY = "test"
    settings.BILLING_GATEWAY = "test"
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    settings.SITE_URL = "https://shop.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Shop:
    """The customer's steps and the beat, each committed so its sends run."""

    def __init__(self, capture, sync_queue) -> None:
        self.capture = capture
        self.queue = sync_queue

    def subscribe(self, user, plan, country="GB") -> Subscription:
        with self.capture(execute=True):
            started = services.subscription_start(user=user, plan=plan, country=country)
        reference = parse_qs(urlsplit(started.url).query)["session_id"][0]
        with self.capture(execute=True):
            subscription = services.subscription_checkout_confirm(user=user, reference=reference)
        self.queue.send_all()
        return subscription

    def cycle(self) -> None:
        with self.capture(execute=True):
            services.subscriptions_test_cycle()
        self.queue.send_all()

    def do(self, service, subscription) -> Subscription:
        with self.capture(execute=True):
            subscription = service(subscription=subscription)
        self.queue.send_all()
        return subscription


@pytest.fixture
def shop(django_capture_on_commit_callbacks, sync_queue):
    return Shop(django_capture_on_commit_callbacks, sync_queue)


@pytest.fixture
def plan():
    return make_plan()


def held(subscription):
    subscription.refresh_from_db()
    return at_7digital(subscription.partner_user_id)


def latest_sync(subscription) -> SubscriptionSync:
    return subscription.syncs.order_by("-version").first()


def test_subscribing_reaches_7digital_with_the_plan_status_and_dates(shop, subscriber, plan, clock):
    subscription = shop.subscribe(subscriber, plan)

    assert subscription.status == "active"
    assert subscription.activated_at == clock.now
    assert subscription.current_period_end == add_month(clock.now)
    assert (subscription.amount, subscription.currency) == (Decimal("9.99"), "GBP")
    at = held(subscription)
    assert (at.plan_code, at.status) == ("premium-unlimited-streaming", "active")
    assert at.activated_at == at.current_period_start == clock.now
    assert at.expiry_date == add_month(clock.now)
    assert at.recurring_fee == 999 and at.currency == "GBP" and at.country == "GB"
    assert latest_sync(subscription).state == "confirmed"
    assert subscriptions_backend.has_access(at.user)


def test_a_period_that_ends_renews_and_7digital_hears_the_next_one(shop, subscriber, plan, clock):
    subscription = shop.subscribe(subscriber, plan)
    first_end = subscription.current_period_end
    shop.cycle()
    assert subscription.syncs.count() == 1  # nothing fell due: nothing new told

    clock.set(first_end + timedelta(minutes=1))
    shop.cycle()

    at = held(subscription)
    assert subscription.status == "active"
    assert subscription.current_period_start == first_end
    assert at.current_period_start == first_end and at.expiry_date == add_month(first_end)
    assert at.activated_at == subscription.activated_at  # set once, never moved
    assert latest_sync(subscription).state == "confirmed"
    assert [m.subject for m in mail.outbox] == ["Your subscription receipt"]
    shop.cycle()
    assert len(mail.outbox) == 1  # one receipt per bill


def test_a_failed_renewal_is_past_due_then_ends_and_7digital_hears_expired(
    shop, subscriber, plan, clock
):
    subscription = shop.subscribe(subscriber, plan)
    billing_gateway_get("test").card_fails_set(reference=subscription.gateway_reference, fails=True)
    renewal = subscription.current_period_end
    syncs = subscription.syncs.count()

    clock.set(renewal + timedelta(minutes=1))
    shop.cycle()

    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert [m.subject for m in mail.outbox] == ["We could not renew your subscription"]
    assert held(subscription).status == "active"  # access goes on while the gateway retries
    assert subscription.events.filter(kind="past-due").exists()
    syncs_past_due = subscription.syncs.count()
    assert syncs_past_due == syncs + 1  # the new period, told as the gateway holds it

    clock.set(renewal + GRACE + timedelta(minutes=1))
    shop.cycle()

    at = held(subscription)
    assert subscription.status == "ended" and subscription.ended_at == renewal + GRACE
    assert at.status == "expired"
    assert not subscriptions_backend.has_access(at.user)
    assert latest_sync(subscription).state == "confirmed"
    assert len(mail.outbox) == 1  # the dunning email once


def test_a_card_put_right_while_past_due_pays_the_renewal(shop, subscriber, plan, clock):
    subscription = shop.subscribe(subscriber, plan)
    gateway = billing_gateway_get("test")
    gateway.card_fails_set(reference=subscription.gateway_reference, fails=True)
    clock.set(subscription.current_period_end + timedelta(hours=1))
    shop.cycle()

    gateway.card_fails_set(reference=subscription.gateway_reference, fails=False)
    shop.cycle()

    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert held(subscription).status == "active"


def test_cancel_keeps_access_until_expiry_then_resume_renews_as_before(
    shop, subscriber, plan, clock
):
    subscription = shop.subscribe(subscriber, plan)

    subscription = shop.do(services.subscription_cancel, subscription)

    at = held(subscription)
    assert subscription.cancel_at_period_end
    assert at.status == "cancelled" and at.expiry_date == subscription.current_period_end
    assert subscriptions_backend.has_access(at.user)

    clock.advance(timedelta(days=3))
    subscription = shop.do(services.subscription_resume, subscription)

    at = held(subscription)
    assert not subscription.cancel_at_period_end and at.status == "active"
    clock.set(subscription.current_period_end + timedelta(minutes=1))
    shop.cycle()
    subscription.refresh_from_db()
    assert subscription.status == "active"  # renewed, as before


def test_a_cancelled_subscription_expires_at_its_period_end(shop, subscriber, plan, clock):
    subscription = shop.do(services.subscription_cancel, shop.subscribe(subscriber, plan))
    end = subscription.current_period_end

    clock.set(end - timedelta(minutes=1))
    shop.cycle()
    assert held(subscription).status == "cancelled"
    assert subscriptions_backend.has_access(held(subscription).user)

    clock.set(end + timedelta(minutes=5))
    shop.cycle()

    at = held(subscription)
    assert subscription.status == "ended" and subscription.ended_at == end
    assert at.status == "expired" and at.expiry_date <= end
    assert not subscriptions_backend.has_access(at.user)
    with pytest.raises(SubscriptionNotPossible):
        services.subscription_resume(subscription=subscription)


def test_a_trial_is_told_on_the_trial_plan_and_then_billed(shop, subscriber, clock):
    plan = make_plan(slug="premium-trial", trial_days=14)

    subscription = shop.subscribe(subscriber, plan)

    trial_end = clock.now + timedelta(days=14)
    at = held(subscription)
    assert subscription.status == "trialing" and subscription.trial_end == trial_end
    assert at.plan_code == "trial-unlimited-streaming"
    assert at.trial_ends_at == trial_end == at.expiry_date and at.recurring_fee == 0

    clock.set(trial_end + timedelta(minutes=1))
    shop.cycle()

    at = held(subscription)
    assert subscription.status == "active"
    assert at.plan_code == "premium-unlimited-streaming" and at.recurring_fee == 999
    assert at.current_period_start == trial_end and at.expiry_date == add_month(trial_end)


def test_one_trial_per_customer(shop, subscriber, clock):
    plan = make_plan(slug="premium-trial", trial_days=14)
    subscription = shop.do(services.subscription_cancel, shop.subscribe(subscriber, plan))
    clock.set(subscription.trial_end + timedelta(minutes=1))
    shop.cycle()
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    activated = subscription.activated_at

    clock.advance(timedelta(days=2))
    again = shop.subscribe(subscriber, plan)

    assert again.pk == subscription.pk  # one row per customer, reused
    assert again.status == "active" and again.trial_end is None
    assert again.activated_at == activated
    at = held(again)
    assert at.plan_code == "premium-unlimited-streaming" and at.status == "active"
    assert at.current_period_start == clock.now


def test_a_customer_with_a_live_subscription_cannot_start_another(shop, subscriber, plan):
    shop.subscribe(subscriber, plan)

    with pytest.raises(SubscriptionNotPossible, match="already have a subscription"):
        services.subscription_start(user=subscriber, plan=plan, country="GB")


def test_no_price_in_the_visitors_currency_is_a_clear_error(subscriber, plan):
    with pytest.raises(SubscriptionNotPossible, match="not sold in USD"):
        services.subscription_start(user=subscriber, plan=plan, country="US")
    PlanPrice.objects.create(plan=plan, currency="EUR", amount=Decimal("10.99"))
    started = services.subscription_start(user=subscriber, plan=plan, country="DE")
    checkout = SubscriptionCheckout.objects.get(user=subscriber)
    assert (checkout.currency, checkout.amount, checkout.country) == ("EUR", Decimal("10.99"), "DE")
    assert started.url.startswith("https://shop.example.com/subscribe/return/?session_id=")


def test_a_checkout_never_completed_tells_7digital_nothing_and_keeps_the_trial(
    subscriber, clock, sync_queue
):
    plan = make_plan(slug="premium-trial", trial_days=14)
    services.subscription_start(user=subscriber, plan=plan, country="GB")  # then gone

    assert not Subscription.objects.exists() and sync_queue.syncs == []
    assert SubscriptionCheckout.objects.get(user=subscriber).trial_days == 14
    assert services.subscriptions_test_cycle() == 0
    # Coming back later, the trial is still theirs.
    services.subscription_start(user=subscriber, plan=plan, country="GB")
    assert SubscriptionCheckout.objects.filter(user=subscriber, trial_days=14).count() == 2


def test_staff_make_a_card_fail_with_a_command_and_beat_runs_the_cycle(
    shop, subscriber, plan, clock
):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from store.subscriptions import tasks

    subscription = shop.subscribe(subscriber, plan)
    out = StringIO()
    call_command("test_billing_card", "SUBSCRIBER@example.com", "--fails", stdout=out)
    assert "the card fails" in out.getvalue()
    clock.set(subscription.current_period_end + timedelta(minutes=1))

    assert tasks.subscriptions_test_cycle() == 1

    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    with pytest.raises(CommandError, match="no subscription"):
        call_command("test_billing_card", "nobody@example.com", "--works")


def test_closing_the_account_ends_it_at_7digital_and_stops_the_gateways_renewal(
    shop, subscriber, plan, clock, monkeypatch
):
    from accounts.services import account_delete
    from store.subscriptions import tasks
    from store.subscriptions.models import TestBillingSubscription

    subscription = shop.subscribe(subscriber, plan)
    stops = []
    monkeypatch.setattr(tasks.subscription_renewal_stop, "delay", stops.append)

    with shop.capture(execute=True):
        account_delete(user=subscriber)
    shop.queue.send_all()
    assert stops == [subscription.pk]
    assert services.subscription_renewal_stop(subscription_id=stops[0])

    at_gateway = TestBillingSubscription.objects.get(reference=subscription.gateway_reference)
    assert at_gateway.cancel_at_period_end
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    assert at_7digital(subscription.partner_user_id).status == "expired"
    assert subscription.events.filter(kind="renewal-stopped").exists()
    clock.set(subscription.current_period_end + timedelta(days=1))
    shop.cycle()  # the gateway's end changes nothing more
    assert subscription.syncs.count() == 2


def _period_ends_now(*options: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "test_billing_card", "subscriber@example.com", *options, "--period-ends-now", stdout=out
    )
    return out.getvalue()


def test_on_make_run_a_command_plays_the_month_out_renewal_then_expiry(
    shop, subscriber, plan, clock
):
    subscription = shop.subscribe(subscriber, plan)
    clock.advance(timedelta(days=2))

    said = _period_ends_now()
    shop.cycle()

    assert "the period ended now; at the gateway: active" in said
    at = held(subscription)
    assert subscription.current_period_start == clock.now  # renewed now
    assert (at.status, at.current_period_start) == ("active", clock.now)
    assert at.expiry_date == add_month(clock.now)

    shop.do(services.subscription_cancel, subscription)
    assert held(subscription).status == "cancelled"
    clock.advance(timedelta(days=1))
    _period_ends_now()
    shop.cycle()

    at = held(subscription)
    assert subscription.status == "ended"
    assert at.status == "expired" and not subscriptions_backend.has_access(at.user)


def test_on_make_run_a_failing_card_is_past_due_then_ends_when_its_retries_run_out(
    shop, subscriber, plan, clock
):
    from django.core.management.base import CommandError

    subscription = shop.subscribe(subscriber, plan)
    clock.advance(timedelta(days=2))

    _period_ends_now("--fails")
    shop.cycle()
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert held(subscription).status == "active"  # while the gateway retries

    _period_ends_now()
    shop.cycle()
    assert held(subscription).status == "expired"
    with pytest.raises(CommandError, match="has ended"):
        _period_ends_now()
