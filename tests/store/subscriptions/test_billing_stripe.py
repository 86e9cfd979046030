"""Stripe Billing end to end against recorded responses: subscribing through Checkout,
webhooks duplicated and reordered converging on Stripe's one current state (and 7digital
told it), a read older than the row ignored, and the customer's emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from store.subscriptions import services
from store.subscriptions.gateways import BillingState
from store.subscriptions.models import PlanPrice, Subscription, SubscriptionCheckout

from .conftest import at_7digital, make_plan
from .gateways.stripe_recorded import recorded

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SUB = "sub_1QpZ4cLkdIwHu7ixR2vX9mTb"
PRICE = "price_1QpZ2bLkdIwHu7ixPm8Kd3Vw"
WEBHOOK = "/subscribe/stripe/webhook/"
TRIAL_START = datetime(2026, 11, 23, 16, tzinfo=UTC)
PERIOD_START = datetime(2026, 12, 7, 16, tzinfo=UTC)  # subscription_active's period
RENEWAL = datetime(2026, 12, 24, 16, tzinfo=UTC)  # subscription_past_due's period starts


@pytest.fixture(autouse=True)
def _billing_settings(settings):
    settings.PAYMENT_GATEWAY = "test"
    settings.BILLING_GATEWAY = "stripe"
    settings.SITE_URL = "https://shop.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def plan():
    plan = make_plan(trial_days=14)
    PlanPrice.objects.filter(plan=plan, currency="GBP").update(stripe_price_id=PRICE)
    return plan


@pytest.fixture
def checkout(subscriber, plan, stripe_api, clock):
    """The customer went to Stripe's page; Stripe's subscription names their checkout."""
    clock.set(TRIAL_START + timedelta(minutes=5))
    services.subscription_start(user=subscriber, plan=plan, country="GB")
    assert not Subscription.objects.exists()  # nothing until Stripe says it is paid
    return SubscriptionCheckout.objects.get(user=subscriber)


def hold(stripe_api, checkout, name, **changes):
    """Stripe now holds ``name``, the subscription ``checkout`` made."""
    return stripe_api.subscription(
        name, metadata={"client_reference": services.client_reference(checkout)}, **changes
    )


def deliver(client, stripe_api, kind, obj, capture, sync_queue):
    body, signature = stripe_api.event(kind, obj)
    with capture(execute=True):
        response = client.post(
            WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
    sync_queue.send_all()
    return response


def test_subscribing_opens_stripe_checkout_with_the_price_and_the_trial(checkout, stripe_api, plan):
    created = stripe_api.calls("post", "/v1/checkout/sessions")[-1].params
    assert created["line_items[0][price]"] == PRICE
    assert created["subscription_data[trial_period_days]"] == "14"
    assert created["client_reference_id"] == services.client_reference(checkout)
    assert created["customer_email"] == "subscriber@example.com"


def test_the_customers_return_converges_on_the_session_at_once(
    checkout, subscriber, stripe_api, clock, django_capture_on_commit_callbacks, sync_queue
):
    session_id = next(iter(stripe_api.sessions))
    stripe_api.complete(session_id, hold(stripe_api, checkout, "subscription_trialing"))
    stripe_api.invoice("invoice_trial")

    with django_capture_on_commit_callbacks(execute=True):
        found = services.subscription_checkout_confirm(user=subscriber, reference=session_id)
    sync_queue.send_all()

    assert found.status == "trialing" and found.gateway_reference == SUB
    assert found.gateway_customer == "cus_TQp4mZ8vLkdIwH"
    assert found.trial_end == PERIOD_START and found.activated_at == TRIAL_START
    held = at_7digital(found.partner_user_id)
    assert held.plan_code == "trial-unlimited-streaming" and held.trial_ends_at == PERIOD_START


def test_duplicated_and_reordered_webhooks_converge_on_stripes_state(
    client,
    checkout,
    stripe_api,
    clock,
    django_capture_on_commit_callbacks,
    sync_queue,
):
    args = (django_capture_on_commit_callbacks, sync_queue)
    trialing = hold(stripe_api, checkout, "subscription_trialing")
    active = recorded("subscription_active")
    past_due = recorded("subscription_past_due")
    stripe_api.invoice("invoice_paid")
    stripe_api.invoice("invoice_payment_failed")

    # Stripe has moved on to past_due by the time the events arrive, late and out of order.
    clock.set(RENEWAL + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_past_due")
    for kind, obj in [
        ("customer.subscription.updated", past_due),
        ("customer.subscription.created", trialing),
        ("customer.subscription.updated", active),
        ("customer.subscription.updated", past_due),  # a duplicate
        ("customer.subscription.created", trialing),  # a duplicate
    ]:
        assert deliver(client, stripe_api, kind, obj, *args).status_code == 200

    subscription = Subscription.objects.get()
    assert subscription.status == "past_due"
    assert subscription.current_period_start == RENEWAL
    assert subscription.syncs.filter(state="confirmed").count() == 1  # told once
    assert subscription.events.filter(kind="started").count() == 1
    held = at_7digital(subscription.partner_user_id)
    assert held.status == "active" and held.current_period_start == RENEWAL

    # Then it ends; an event of the active days arriving after that changes nothing.
    canceled = hold(stripe_api, checkout, "subscription_canceled")
    deliver(client, stripe_api, "customer.subscription.deleted", canceled, *args)
    hold(stripe_api, checkout, "subscription_active")  # a read racing the end
    deliver(client, stripe_api, "customer.subscription.updated", active, *args)

    subscription = Subscription.objects.get()
    assert subscription.status == "ended"
    held = at_7digital(subscription.partner_user_id)
    assert held.status == "expired"


def test_a_read_older_than_the_row_is_ignored(checkout, stripe_api, clock):
    clock.set(RENEWAL + timedelta(hours=1))
    newer = hold(stripe_api, checkout, "subscription_past_due")
    from store.subscriptions.gateways import billing_gateway_get

    gateway = billing_gateway_get("stripe")
    services.subscription_from_gateway(status=gateway.subscription_get(reference=SUB))
    hold(stripe_api, checkout, "subscription_active")
    older = gateway.subscription_get(reference=SUB)  # the period before

    services.subscription_from_gateway(status=older)

    subscription = Subscription.objects.get()
    assert subscription.status == "past_due"
    assert subscription.current_period_end == datetime.fromtimestamp(
        newer["items"]["data"][0]["current_period_end"], tz=UTC
    )


def test_a_failed_payment_sends_one_dunning_email_and_action_required_the_link(
    client, checkout, stripe_api, clock, django_capture_on_commit_callbacks, sync_queue
):
    args = (django_capture_on_commit_callbacks, sync_queue)
    clock.set(RENEWAL + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_past_due")
    failed = stripe_api.invoice("invoice_payment_failed")
    action = recorded("invoice_payment_action_required")

    deliver(client, stripe_api, "invoice.payment_failed", failed, *args)
    deliver(client, stripe_api, "invoice.payment_failed", failed, *args)
    deliver(client, stripe_api, "invoice.payment_action_required", action, *args)

    assert [m.subject for m in mail.outbox] == [
        "We could not renew your subscription",
        "Please confirm your subscription payment",
    ]
    assert action["hosted_invoice_url"] in mail.outbox[1].body
    assert mail.outbox[0].to == ["subscriber@example.com"]


def test_a_renewal_paid_sends_a_receipt(
    client, checkout, stripe_api, clock, django_capture_on_commit_callbacks, sync_queue
):
    clock.set(PERIOD_START + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_active")
    paid = stripe_api.invoice("invoice_paid")

    deliver(
        client, stripe_api, "invoice.paid", paid, django_capture_on_commit_callbacks, sync_queue
    )

    assert [m.subject for m in mail.outbox] == ["Your subscription receipt"]
    assert "£9.99" in mail.outbox[0].body


def test_cancel_and_resume_go_through_stripe(checkout, stripe_api, clock):
    clock.set(PERIOD_START + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_active")
    services.subscription_from_gateway(
        status=services.billing.billing_gateway_get("stripe").subscription_get(reference=SUB)
    )
    subscription = Subscription.objects.get()

    subscription = services.subscription_cancel(subscription=subscription)
    assert subscription.cancel_at_period_end and subscription.events.filter(kind="cancelled")
    subscription = services.subscription_resume(subscription=subscription)
    assert not subscription.cancel_at_period_end
    assert stripe_api.calls("post", f"/v1/subscriptions/{SUB}")[-1].params[
        "cancel_at_period_end"
    ] == ("false")


def test_the_webhook_is_404_unconfigured_400_when_forged_and_503_when_stripe_is_away(
    client, settings, checkout, stripe_api
):
    hold(stripe_api, checkout, "subscription_active")
    body, signature = stripe_api.event(
        "customer.subscription.updated", recorded("subscription_active")
    )
    forged, _ = stripe_api.event("customer.subscription.updated", {"id": "sub_other"})

    assert (
        client.post(
            WEBHOOK, data=forged, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        ).status_code
        == 400
    )
    assert client.get(WEBHOOK).status_code == 405
    stripe_api.unreachable = True
    assert (
        client.post(
            WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        ).status_code
        == 503
    )
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    assert (
        client.post(
            WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        ).status_code
        == 404
    )
    assert reverse("subscriptions:stripe_webhook") == WEBHOOK


def test_an_amount_from_stripe_is_kept_in_major_units(checkout, stripe_api, clock):
    clock.set(PERIOD_START + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_active")
    status = services.billing.billing_gateway_get("stripe").subscription_get(reference=SUB)
    assert status.state is BillingState.ACTIVE

    found = services.subscription_from_gateway(status=status)

    assert found.amount == Decimal("9.99") and found.currency == "GBP"


def test_a_plan_changed_in_stripes_portal_is_the_rows_plan(checkout, stripe_api, clock, plan):
    from store.subscriptions.models import Plan

    standard = Plan.objects.create(name="Standard", slug="standard", plan_code=Plan.Code.STANDARD)
    PlanPrice.objects.create(
        plan=standard, currency="GBP", amount=Decimal("4.99"), stripe_price_id="price_standard"
    )
    clock.set(PERIOD_START + timedelta(hours=1))
    held = hold(stripe_api, checkout, "subscription_active")
    gateway = services.billing.billing_gateway_get("stripe")
    services.subscription_from_gateway(status=gateway.subscription_get(reference=SUB))
    held["items"]["data"][0]["price"].update(id="price_standard", unit_amount=499)

    found = services.subscription_from_gateway(status=gateway.subscription_get(reference=SUB))

    assert found.plan == standard and found.amount == Decimal("4.99")
    assert found.events.filter(kind="plan-changed").exists()
    assert found.syncs.order_by("-version").first().version == found.sync_version


def test_the_account_page_links_stripes_portal_and_shows_the_latest_bill(
    client, subscriber, checkout, stripe_api, clock
):
    clock.set(PERIOD_START + timedelta(hours=1))
    hold(stripe_api, checkout, "subscription_active")
    stripe_api.invoice("invoice_paid")
    gateway = services.billing.billing_gateway_get("stripe")
    services.subscription_from_gateway(status=gateway.subscription_get(reference=SUB))
    client.force_login(subscriber)

    page = client.get("/account/subscription/").content.decode()
    portal = client.post("/account/subscription/portal/")

    assert "Manage payment" in page and "£9.99" in page and "Paid" in page
    assert portal.status_code == 302 and portal.url.startswith("https://billing.stripe.com/")
    made = stripe_api.calls("post", "/v1/billing_portal/sessions")[-1].params
    assert made["customer"] == "cus_TQp4mZ8vLkdIwH"
    assert made["return_url"] == "http://testserver/account/subscription/"
