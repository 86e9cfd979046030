"""The test billing gateway: subscribing sends the customer straight back to the shop, and
the life cycle is the services' to drive (nothing is kept here)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.checkout.gateways import PaymentError, WebhookNotConfigured
from store.subscriptions.gateways import billing_gateway_get
from store.subscriptions.gateways.test import TestBillingGateway


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


def test_subscribing_returns_the_customer_to_the_shops_confirmation_page(gateway):
    started = gateway.checkout_start(
        customer_email="listener@example.com",
        customer="",
        price_id="",
        trial_days=14,
        client_reference="SUB-7",
        success_url="https://shop.example.com/subscribe/done/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://shop.example.com/subscribe/",
    )

    assert started.reference == "test_sub_SUB-7"
    assert started.url == "https://shop.example.com/subscribe/done/?session_id=test_sub_SUB-7"


def test_the_test_gateway_keeps_no_prices_and_its_portal_is_the_shop(gateway):
    assert (
        gateway.price_create(
            product_name="Premium",
            lookup_key="premium-monthly-gbp",
            interval="month",
            currency="GBP",
            amount=Decimal("9.99"),
        )
        == ""
    )
    assert gateway.portal_url(customer="", return_url="/account/subscription/") == (
        "/account/subscription/"
    )


def test_a_test_refund_is_the_same_refund_for_the_same_reason(gateway):
    first = gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r1")

    assert first == gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r1")
    assert first != gateway.refund_last_payment(reference="test_sub_SUB-7", reason_reference="r2")


@pytest.mark.parametrize(
    "method", ["checkout_get", "subscription_get", "cancel_at_period_end", "resume"]
)
def test_asking_the_test_gateway_about_a_subscription_says_the_services_drive_it(gateway, method):
    with pytest.raises(NotImplementedError, match="driven by the store's subscription services"):
        getattr(gateway, method)(reference="test_sub_SUB-7")


def test_the_test_gateway_takes_no_webhooks(gateway):
    with pytest.raises(WebhookNotConfigured):
        gateway.webhook_parse(body=b"{}", headers={})
