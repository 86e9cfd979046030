"""The test billing gateway: subscribing activates at once and sends the customer straight
back to the shop; its state lives in its own table (the life cycle on the clock is in
tests/store/subscriptions/test_billing_lifecycle.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.checkout.gateways import PaymentError, WebhookNotConfigured
from store.subscriptions.gateways import BillingState, billing_gateway_get
from store.subscriptions.gateways.test import TestBillingGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return billing_gateway_get("test")


def test_the_test_gateway_is_found_by_name_and_an_unknown_one_is_an_error(gateway):
    assert isinstance(gateway, TestBillingGateway)
    with pytest.raises(PaymentError, match="Unknown billing gateway 'paypal'"):
        billing_gateway_get("paypal")


def test_new_subscriptions_use_the_shops_payment_gateway_unless_billing_has_its_own(settings):
    settings.PAYMENT_GATEWAY = "test"
    assert billing_gateway_get().name == "test"
    settings.BILLING_GATEWAY = "stripe"
    assert billing_gateway_get().name == "stripe"


def start(gateway, *, trial_days=0, price_id="test_price:month:GBP:999"):
    return gateway.checkout_start(
        customer_email="listener@example.com",
        customer="",
        price_id=price_id,
        trial_days=trial_days,
        client_reference="SUB-7",
        success_url="https://shop.example.com/subscribe/done/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://shop.example.com/subscribe/",
    )


def test_subscribing_activates_at_once_and_returns_the_customer_to_the_shop(gateway):
    started = start(gateway)

    assert started.reference.startswith("test_sub_")
    assert started.url == (
        f"https://shop.example.com/subscribe/done/?session_id={started.reference}"
    )
    status = gateway.checkout_get(reference=started.reference)
    assert status.state is BillingState.ACTIVE and status.client_reference == "SUB-7"
    assert (status.currency, status.amount_minor) == ("GBP", 999)
    assert status.latest_invoice.status == "paid" and status.latest_invoice.amount_minor == 999
    assert gateway.checkout_get(reference="test_sub_unknown") is None


def test_a_trial_starts_trialing_with_a_zero_invoice(gateway):
    status = gateway.subscription_get(reference=start(gateway, trial_days=14).reference)

    assert status.state is BillingState.TRIALING
    assert status.trial_end == status.current_period_end
    assert status.latest_invoice.amount_minor == 0


def test_the_test_gateway_prices_carry_their_amount_and_its_portal_is_the_shop(gateway):
    assert (
        gateway.price_create(
            product_name="Premium",
            lookup_key="premium-monthly-gbp",
            interval="month",
            currency="GBP",
            amount=Decimal("9.99"),
        )
        == "test_price:month:GBP:999"
    )
    assert gateway.portal_url(customer="", return_url="/account/subscription/") == (
        "/account/subscription/"
    )
    with pytest.raises(PaymentError, match="Not a test gateway price"):
        start(gateway, price_id="price_1Qp")


def test_a_test_refund_is_the_same_refund_for_the_same_reason(gateway):
    first = gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r1")

    assert first == gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r1")
    assert first != gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r2")


def test_cancel_and_resume_flip_the_flag_and_an_unknown_subscription_is_an_error(gateway):
    reference = start(gateway).reference

    assert gateway.cancel_at_period_end(reference=reference).cancel_at_period_end
    assert not gateway.resume(reference=reference).cancel_at_period_end
    with pytest.raises(PaymentError, match="No such test subscription"):
        gateway.subscription_get(reference="test_sub_unknown")


def test_the_test_gateway_takes_no_webhooks(gateway):
    with pytest.raises(WebhookNotConfigured):
        gateway.webhook_parse(body=b"{}", headers={})
