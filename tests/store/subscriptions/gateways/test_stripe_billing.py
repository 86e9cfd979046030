"""The Stripe Billing adapter, against recorded Stripe responses through the real ``stripe``
library: it says what Stripe holds, in plain values, and sends what Stripe needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import stripe

from store.checkout.gateways import (
    PaymentDeclined,
    PaymentError,
    WebhookInvalid,
    WebhookNotConfigured,
)
from store.subscriptions.gateways import (
    BillingEventKind,
    BillingState,
    InvoiceStatus,
    billing_gateway_get,
)
from store.subscriptions.gateways.stripe_billing import StripeBillingGateway

from .conftest import SECRET
from .stripe_recorded import recorded

SUB = "sub_1QpZ4cLkdIwHu7ixR2vX9mTb"
PRICE = "price_1QpZ2bLkdIwHu7ixPm8Kd3Vw"
SUCCESS = "https://shop.example.com/subscribe/done/?session_id={CHECKOUT_SESSION_ID}"
CANCEL = "https://shop.example.com/subscribe/"


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@pytest.fixture
def gateway():
    return billing_gateway_get("stripe")


def start(gateway, *, trial_days=14, customer="", client_reference="SUB-7", price_id=PRICE):
    return gateway.checkout_start(
        customer_email="listener@example.com",
        customer=customer,
        price_id=price_id,
        trial_days=trial_days,
        client_reference=client_reference,
        success_url=SUCCESS,
        cancel_url=CANCEL,
    )


# -- reading a subscription -------------------------------------------------------------


def test_the_stripe_gateway_is_found_by_name(gateway):
    assert isinstance(gateway, StripeBillingGateway)


@pytest.mark.parametrize(
    ("stripe_status", "state"),
    [
        ("trialing", BillingState.TRIALING),
        ("active", BillingState.ACTIVE),
        ("past_due", BillingState.PAST_DUE),
        ("incomplete", BillingState.INCOMPLETE),
        ("canceled", BillingState.ENDED),
        ("unpaid", BillingState.ENDED),
        ("incomplete_expired", BillingState.ENDED),
        ("paused", BillingState.ENDED),
    ],
)
def test_each_stripe_status_is_one_billing_state(gateway, stripe_api, stripe_status, state):
    stripe_api.subscription("subscription_active", status=stripe_status)

    assert gateway.subscription_get(reference=SUB).state is state


@pytest.mark.parametrize(
    ("name", "state", "at_period_end", "ended"),
    [
        ("subscription_trialing", BillingState.TRIALING, False, False),
        ("subscription_active", BillingState.ACTIVE, False, False),
        ("subscription_past_due", BillingState.PAST_DUE, False, False),
        ("subscription_cancel_at_period_end", BillingState.ACTIVE, True, False),
        ("subscription_canceled", BillingState.ENDED, False, True),
    ],
)
def test_each_recorded_subscription_reads_as_stripe_holds_it(
    gateway, stripe_api, name, state, at_period_end, ended
):
    held = stripe_api.subscription(name)

    status = gateway.subscription_get(reference=SUB)

    assert status.state is state
    assert status.cancel_at_period_end is at_period_end
    assert (status.ended_at == utc(held["ended_at"])) if ended else status.ended_at is None


def test_the_period_is_read_from_the_subscriptions_item(gateway, stripe_api):
    held = stripe_api.subscription("subscription_active")
    stripe_api.invoice("invoice_paid")
    item = held["items"]["data"][0]
    assert "current_period_start" not in held  # since API version 2025-03-31

    status = gateway.subscription_get(reference=SUB)

    assert status.current_period_start == utc(item["current_period_start"])
    assert status.current_period_end == utc(item["current_period_end"])
    assert status.current_period_end > status.current_period_start
    assert status.current_period_start.tzinfo is UTC
    assert status.reference == SUB
    assert status.customer == "cus_TQp4mZ8vLkdIwH"
    assert status.client_reference == "SUB-7"
    assert status.price_id == PRICE
    assert (status.currency, status.amount_minor) == ("GBP", 999)
    assert status.trial_end == utc(held["trial_end"])
    assert status.started_at == utc(held["start_date"])
    invoice = recorded("invoice_paid")
    assert status.latest_invoice == InvoiceStatus(
        reference=invoice["id"],
        status="paid",
        paid_at=utc(invoice["status_transitions"]["paid_at"]),
        amount_minor=999,
        hosted_url=invoice["hosted_invoice_url"],
        needs_action=False,
    )
    (asked,) = stripe_api.calls("get", f"/v1/subscriptions/{SUB}")
    assert asked.params["expand[0]"] == "latest_invoice"


def test_a_period_on_the_subscription_itself_is_read_there(gateway, stripe_api):
    """As API versions before 2025-03-31 send it."""
    stripe_api.subscription(
        "subscription_active", current_period_start=1795000000, current_period_end=1797600000
    )

    status = gateway.subscription_get(reference=SUB)

    assert status.current_period_start == utc(1795000000)
    assert status.current_period_end == utc(1797600000)


def test_a_cancellation_dated_within_the_period_is_one_at_its_end(gateway, stripe_api):
    held = stripe_api.subscription("subscription_active")
    stripe_api.subscription(
        "subscription_active", cancel_at=held["items"]["data"][0]["current_period_end"]
    )

    assert gateway.subscription_get(reference=SUB).cancel_at_period_end is True


def test_an_unreachable_stripe_is_no_answer_rather_than_an_error(gateway, stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.unreachable = True

    assert gateway.subscription_get(reference=SUB) is None
    assert len(stripe_api.calls("get", "/v1/subscriptions/")) == 3  # the library retried


def test_stripe_failing_is_no_answer_either(gateway, stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.fail("get", "/v1/subscriptions/", 500, "error_api", times=3)

    assert gateway.subscription_get(reference=SUB) is None


def test_an_unknown_subscription_is_an_error_as_asking_again_will_not_help(gateway, stripe_api):
    with pytest.raises(PaymentError, match="No such subscription"):
        gateway.subscription_get(reference="sub_unknown")


# -- cancelling and resuming ------------------------------------------------------------


def test_cancelling_asks_stripe_to_stop_at_the_period_end(gateway, stripe_api):
    stripe_api.subscription("subscription_active")

    status = gateway.cancel_at_period_end(reference=SUB)

    (sent,) = stripe_api.calls("post", f"/v1/subscriptions/{SUB}")
    assert sent.params["cancel_at_period_end"] == "true"
    assert status.cancel_at_period_end is True
    assert status.state is BillingState.ACTIVE  # paid to the end of the period


def test_resuming_takes_the_cancellation_back(gateway, stripe_api):
    stripe_api.subscription("subscription_cancel_at_period_end")

    status = gateway.resume(reference=SUB)

    (sent,) = stripe_api.calls("post", f"/v1/subscriptions/{SUB}")
    assert sent.params["cancel_at_period_end"] == "false"
    assert status.cancel_at_period_end is False
    assert gateway.subscription_get(reference=SUB).cancel_at_period_end is False


def test_a_declined_card_is_a_decline_with_stripes_words_for_the_customer(gateway, stripe_api):
    stripe_api.subscription("subscription_past_due")
    stripe_api.fail("post", f"/v1/subscriptions/{SUB}", 402, "error_card_declined")

    with pytest.raises(PaymentDeclined, match="Your card has insufficient funds"):
        gateway.resume(reference=SUB)


def test_stripe_failing_to_cancel_is_a_gateway_error_not_a_decline(gateway, stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.fail("post", f"/v1/subscriptions/{SUB}", 500, "error_api", times=3)

    with pytest.raises(PaymentError) as raised:
        gateway.cancel_at_period_end(reference=SUB)

    assert not isinstance(raised.value, PaymentDeclined)
    assert "Stripe could not cancel the subscription" in str(raised.value)


# -- subscribing ----------------------------------------------------------------------


def test_subscribing_opens_checkout_in_subscription_mode_with_a_trial(gateway, stripe_api):
    started = start(gateway, trial_days=14)

    (created,) = stripe_api.calls("post", "/v1/checkout/sessions")
    params = created.params
    assert started.reference in stripe_api.sessions
    assert started.url == stripe_api.sessions[started.reference]["url"]
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == PRICE
    assert params["line_items[0][quantity]"] == "1"
    assert params["subscription_data[trial_period_days]"] == "14"
    assert params["subscription_data[metadata][client_reference]"] == "SUB-7"
    assert params["metadata[client_reference]"] == "SUB-7"
    assert params["client_reference_id"] == "SUB-7"
    assert params["customer_email"] == "listener@example.com"
    assert "customer" not in params
    assert params["success_url"] == SUCCESS
    assert params["cancel_url"] == CANCEL
    assert created.headers["Idempotency-Key"].startswith(f"subscription-checkout-SUB-7-{PRICE}-")
    assert created.headers["Authorization"] == "Bearer sk_test_recorded"


def test_no_trial_is_asked_for_when_the_plan_has_none_or_the_customer_had_one(gateway, stripe_api):
    start(gateway, trial_days=0)

    (created,) = stripe_api.calls("post", "/v1/checkout/sessions")
    assert not [key for key in created.params if "trial" in key]


def test_a_returning_customer_subscribes_as_themselves_not_by_email(gateway, stripe_api):
    start(gateway, customer="cus_TQp4mZ8vLkdIwH")

    (created,) = stripe_api.calls("post", "/v1/checkout/sessions")
    assert created.params["customer"] == "cus_TQp4mZ8vLkdIwH"
    assert "customer_email" not in created.params  # Stripe takes one or the other


def test_subscribing_twice_over_opens_the_same_page(gateway, stripe_api):
    first = start(gateway)
    again = start(gateway)
    other = start(gateway, client_reference="SUB-8")

    first_key, again_key, other_key = (
        r.headers["Idempotency-Key"] for r in stripe_api.calls("post", "/v1/checkout/sessions")
    )
    assert first_key == again_key != other_key
    assert again == first
    assert other.reference != first.reference


def test_the_page_has_no_subscription_until_the_customer_pays(gateway, stripe_api):
    started = start(gateway)

    assert gateway.checkout_get(reference=started.reference) is None


def test_the_page_paid_gives_the_subscription_it_made(gateway, stripe_api):
    started = start(gateway)
    subscription = stripe_api.subscription("subscription_trialing")
    stripe_api.complete(started.reference, subscription)

    status = gateway.checkout_get(reference=started.reference)

    assert status.reference == SUB
    assert status.state is BillingState.TRIALING
    assert status.client_reference == "SUB-7"
    assert status.current_period_end == status.trial_end
    (asked,) = stripe_api.calls("get", f"/v1/checkout/sessions/{started.reference}")
    assert {asked.params["expand[0]"], asked.params["expand[1]"]} == {
        "subscription",
        "subscription.latest_invoice",
    }


def test_an_unreachable_stripe_leaves_the_page_unread(gateway, stripe_api):
    started = start(gateway)
    stripe_api.unreachable = True

    assert gateway.checkout_get(reference=started.reference) is None


def test_a_price_is_created_per_plan_and_currency_in_minor_units(gateway, stripe_api):
    price_id = gateway.price_create(
        product_name="Premium unlimited streaming",
        lookup_key="premium-monthly-gbp",
        interval="month",
        currency="GBP",
        amount=Decimal("9.99"),
    )

    (created,) = stripe_api.calls("post", "/v1/prices")
    assert price_id.startswith("price_")
    assert created.params["currency"] == "gbp"
    assert created.params["unit_amount"] == "999"
    assert created.params["recurring[interval]"] == "month"
    assert created.params["product_data[name]"] == "Premium unlimited streaming"
    assert created.params["lookup_key"] == "premium-monthly-gbp"
    assert created.params["transfer_lookup_key"] == "true"
    assert created.headers["Idempotency-Key"].startswith("price-premium-monthly-gbp-")


def test_a_price_that_already_bills_the_amount_is_reused_not_made_again(gateway, stripe_api):
    made = {
        "product_name": "Premium",
        "lookup_key": "premium-monthly-gbp",
        "interval": "month",
        "currency": "GBP",
    }
    first = gateway.price_create(**made, amount=Decimal("9.99"))

    again = gateway.price_create(**made, amount=Decimal("9.99"))
    dearer = gateway.price_create(**made, amount=Decimal("10.99"))

    assert again == first
    assert dearer not in (first, "")
    assert len(stripe_api.calls("post", "/v1/prices")) == 2


def test_a_price_refused_once_is_made_on_the_next_try_not_refused_for_a_day(gateway, stripe_api):
    # Stripe replays an idempotency key's first answer, a 500 included: a new try
    # must not send the same key.
    stripe_api.fail("post", "/v1/prices", 500, "error_api")
    made = {
        "product_name": "Premium",
        "lookup_key": "premium-monthly-gbp",
        "interval": "month",
        "currency": "GBP",
        "amount": Decimal("9.99"),
    }
    with pytest.raises(PaymentError):
        gateway.price_create(**made)

    assert gateway.price_create(**made).startswith("price_")
    keys = {call.headers["Idempotency-Key"] for call in stripe_api.calls("post", "/v1/prices")}
    assert len(keys) == 2


def test_the_portal_returns_the_customer_to_the_shop(gateway, stripe_api):
    url = gateway.portal_url(
        customer="cus_TQp4mZ8vLkdIwH", return_url="https://shop.example.com/account/subscription/"
    )

    (created,) = stripe_api.calls("post", "/v1/billing_portal/sessions")
    assert url.startswith("https://billing.stripe.com/p/session/test_")
    assert created.params == {
        "customer": "cus_TQp4mZ8vLkdIwH",
        "return_url": "https://shop.example.com/account/subscription/",
    }


# -- refunds --------------------------------------------------------------------------


def test_the_latest_paid_invoices_payment_is_refunded_once_per_reason(gateway, stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.invoice("invoice_paid")

    refund_id = gateway.refund_last_payment(reference=SUB, reason_reference="subscription-7-r1")
    again = gateway.refund_last_payment(reference=SUB, reason_reference="subscription-7-r1")

    (made,) = stripe_api.calls("post", "/v1/refunds")
    assert again == refund_id
    assert made.params["payment_intent"] == recorded("invoice_payment")["payment"]["payment_intent"]
    assert "amount" not in made.params  # in full
    assert made.params["metadata[reference]"] == "subscription-7-r1"
    assert made.params["metadata[invoice]"] == recorded("invoice_paid")["id"]
    assert made.headers["Idempotency-Key"].startswith("subscription-7-r1-")
    (listed,) = stripe_api.calls("get", "/v1/invoices")[:1]
    assert listed.params["subscription"] == SUB
    assert listed.params["status"] == "paid"


def test_an_invoice_that_took_no_money_is_passed_over_for_the_one_that_did(gateway, stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.invoice("invoice_paid")
    stripe_api.invoice("invoice_trial", created=1799000000)  # newer, and for nothing

    gateway.refund_last_payment(reference=SUB, reason_reference="subscription-7-r1")

    (made,) = stripe_api.calls("post", "/v1/refunds")
    assert made.params["metadata[invoice]"] == recorded("invoice_paid")["id"]
    (asked,) = stripe_api.calls("get", "/v1/invoice_payments")
    assert asked.params["invoice"] == recorded("invoice_paid")["id"]


def test_a_trial_reads_with_its_zero_invoice_paid(gateway, stripe_api):
    stripe_api.subscription("subscription_trialing")
    stripe_api.invoice("invoice_trial")

    status = gateway.subscription_get(reference=SUB)

    assert status.state is BillingState.TRIALING
    assert status.current_period_end == status.trial_end
    assert (status.latest_invoice.status, status.latest_invoice.amount_minor) == ("paid", 0)


def test_a_subscription_that_paid_nothing_has_nothing_to_refund(gateway, stripe_api):
    stripe_api.subscription("subscription_trialing")
    stripe_api.invoice("invoice_trial")

    with pytest.raises(PaymentError, match="no paid invoice"):
        gateway.refund_last_payment(reference=SUB, reason_reference="subscription-7-r1")
    assert stripe_api.calls("post", "/v1/refunds") == []


# -- webhooks -------------------------------------------------------------------------


def parse(gateway, body, signature):
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    return gateway.webhook_parse(body=body.encode(), headers=headers)


@pytest.mark.parametrize(
    "kind",
    [
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
    ],
)
def test_a_subscription_event_names_the_subscription_to_read_again(gateway, stripe_api, kind):
    body, signature = stripe_api.event(kind, recorded("subscription_active"))

    event = parse(gateway, body, signature)

    assert event.kind is BillingEventKind.SUBSCRIPTION
    assert event.subscription_reference == SUB
    assert event.customer == "cus_TQp4mZ8vLkdIwH"
    assert event.invoice is None
    assert event.event_id == json.loads(body)["id"]


def test_a_completed_subscription_checkout_names_its_subscription(gateway, stripe_api):
    started = start(gateway)
    session = stripe_api.complete(started.reference, stripe_api.subscription("subscription_active"))
    body, signature = stripe_api.event("checkout.session.completed", session)

    event = parse(gateway, body, signature)

    assert event.kind is BillingEventKind.SUBSCRIPTION
    assert event.subscription_reference == SUB


def test_a_completed_checkout_for_an_order_is_not_billings_business(gateway, stripe_api):
    session = recorded("checkout_session_subscription")
    session.update(mode="payment", status="complete")
    body, signature = stripe_api.event("checkout.session.completed", session)

    assert parse(gateway, body, signature).kind is BillingEventKind.IGNORED


@pytest.mark.parametrize(
    ("kind", "name", "expected", "status", "needs_action"),
    [
        ("invoice.paid", "invoice_paid", BillingEventKind.INVOICE_PAID, "paid", False),
        (
            "invoice.payment_failed",
            "invoice_payment_failed",
            BillingEventKind.INVOICE_FAILED,
            "open",
            False,
        ),
        (
            "invoice.payment_action_required",
            "invoice_payment_action_required",
            BillingEventKind.ACTION_REQUIRED,
            "open",
            True,
        ),
    ],
)
def test_an_invoice_event_names_its_subscription_and_says_what_the_invoice_is(
    gateway, stripe_api, kind, name, expected, status, needs_action
):
    invoice = recorded(name)
    body, signature = stripe_api.event(kind, invoice)

    event = parse(gateway, body, signature)

    assert event.kind is expected
    assert event.subscription_reference == SUB  # under parent.subscription_details
    assert event.customer == "cus_TQp4mZ8vLkdIwH"
    assert event.invoice.reference == invoice["id"]
    assert event.invoice.status == status
    assert event.invoice.amount_minor == 999
    assert event.invoice.needs_action is needs_action
    assert event.invoice.hosted_url.startswith("https://invoice.stripe.com/i/")
    assert (event.invoice.paid_at is not None) is (status == "paid")


def test_an_invoice_for_no_subscription_is_ignored(gateway, stripe_api):
    invoice = recorded("invoice_paid")
    invoice["parent"] = None
    body, signature = stripe_api.event("invoice.paid", invoice)

    assert parse(gateway, body, signature).kind is BillingEventKind.IGNORED


def test_an_event_the_shop_does_not_act_on_is_acknowledged_and_ignored(gateway, stripe_api):
    body, signature = stripe_api.event("customer.updated", {"id": "cus_TQp4mZ8vLkdIwH"})

    event = parse(gateway, body, signature)

    assert event.kind is BillingEventKind.IGNORED
    assert event.subscription_reference == ""
    assert event.event_id == json.loads(body)["id"]


@pytest.mark.parametrize(
    "signature",
    [
        None,  # no header at all
        "t=1795453100,v1=" + "0" * 64,  # wrong signature
        "garbage",
        "other secret",
    ],
)
def test_a_webhook_without_a_valid_signature_is_invalid(gateway, stripe_api, signature):
    body, _ = stripe_api.event("customer.subscription.updated", recorded("subscription_active"))
    if signature == "other secret":
        signature = stripe.WebhookSignature.generate_signature_header(body, "whsec_another")

    with pytest.raises(WebhookInvalid, match="Bad signature"):
        parse(gateway, body, signature)


def test_a_signed_body_that_is_not_an_event_is_invalid(gateway, stripe_api):
    body = "not json"
    signature = stripe.WebhookSignature.generate_signature_header(body, SECRET)

    with pytest.raises(WebhookInvalid, match="Not a Stripe event"):
        parse(gateway, body, signature)


def test_no_secret_configured_means_no_billing_webhooks_here(gateway, stripe_api, settings):
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    body, signature = stripe_api.event("invoice.paid", recorded("invoice_paid"))

    with pytest.raises(WebhookNotConfigured):
        parse(gateway, body, signature)


def test_checkouts_own_webhook_secret_does_not_verify_billing_webhooks(
    gateway, stripe_api, settings
):
    """Each Stripe webhook endpoint signs with its own secret."""
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    body, signature = stripe_api.event("invoice.paid", recorded("invoice_paid"))

    with pytest.raises(WebhookNotConfigured):
        parse(gateway, body, signature)
