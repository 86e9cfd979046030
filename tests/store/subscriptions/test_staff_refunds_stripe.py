"""A staff refund through the Stripe Billing adapter, against recorded Stripe responses:
the payment refunded once under the refund's reference, renewal stopped at Stripe."""

# ruff: noqa: F811 (the imported fixture, named as a test argument)
from __future__ import annotations

import pytest

from accounts.models import User
from store.subscriptions.models import SubscriptionRefund
from store.subscriptions.services import refunds

from .conftest import make_plan, make_subscription
from .gateways.conftest import stripe_api  # noqa: F401 (the fixture)
from .gateways.stripe_recorded import recorded

SUB = recorded("subscription_active")["id"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(stripe_api):
    stripe_api.subscription("subscription_active")
    stripe_api.invoice("invoice_paid")
    return make_subscription(
        plan=make_plan(), partner_user_id="p-1", gateway="stripe", gateway_reference=SUB
    )


@pytest.fixture
def clerk():
    return User.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True)


def test_stripe_refunds_the_payment_once_and_stops_renewal(
    subscription,
    clerk,
    stripe_api,
    sync_queue,
):
    refund = refunds.subscription_refund(subscription=subscription, staff_user=clerk, end_now=False)

    (made,) = stripe_api.calls("post", "/v1/refunds")
    assert refund.state == "done" and refund.gateway_refund_id.startswith("re_")
    assert made.params["metadata[reference]"] == refund.reference
    (stopped,) = stripe_api.calls("post", f"/v1/subscriptions/{SUB}")
    assert stopped.params["cancel_at_period_end"] == "true"
    assert refund.renewal_error == ""

    with pytest.raises(refunds.SubscriptionRefundRefused, match="refunded already"):
        refunds.subscription_refund(subscription=subscription, staff_user=clerk, end_now=True)
    assert len(stripe_api.calls("post", "/v1/refunds")) == 1


def test_a_stripe_failure_is_recorded_in_words_and_the_retry_is_the_same_refund(
    subscription,
    clerk,
    stripe_api,
    sync_queue,
):
    stripe_api.fail("post", "/v1/refunds", 500, "error_api")

    failed = refunds.subscription_refund(subscription=subscription, staff_user=clerk, end_now=True)

    assert failed.state == "failed"
    assert failed.error.startswith("The payment provider could not refund the payment")
    subscription.refresh_from_db()
    assert subscription.status == "active"

    done = refunds.subscription_refund(subscription=subscription, staff_user=clerk, end_now=True)

    assert done.pk == failed.pk and done.state == "done"
    assert SubscriptionRefund.objects.count() == 1
    subscription.refresh_from_db()
    assert subscription.status == "ended"


def test_a_renewal_stop_that_fails_is_told_to_staff(
    subscription,
    clerk,
    stripe_api,
    sync_queue,
):
    stripe_api.fail("post", f"/v1/subscriptions/{SUB}", 500, "error_api")

    refund = refunds.subscription_refund(subscription=subscription, staff_user=clerk, end_now=True)

    assert refund.state == "done"
    assert "may bill it again" in refund.renewal_error
    assert subscription.events.filter(kind="renewal-not-stopped").exists()
