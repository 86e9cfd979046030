"""The built-in test billing gateway: no money moves and nothing is kept here.

Subscribing "pays" at once: ``checkout_start`` sends the customer straight back to the
shop's ``success_url`` with the reference ``test_sub_<client_reference>``. There is no
subscription at a gateway to read or change, so the test life cycle (renew, fail a
renewal, cancel, resume, expire, on the clock) is driven by the ``subscription_*``
services on the shop's own Subscription row; asking this adapter about a subscription
is a mistake, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from . import BillingEvent, BillingStatus, CheckoutStart, WebhookNotConfigured

DRIVEN_BY_SERVICES = (
    "The test billing gateway keeps no subscriptions: its life cycle is driven by the "
    "store's subscription services on the Subscription row."
)
CHECKOUT_SESSION_ID = "{CHECKOUT_SESSION_ID}"  # Stripe's placeholder, filled in as Stripe does


class TestBillingGateway:
    name = "test"
    label = "Test subscription (no money moves)"
    __test__ = False  # not a pytest class

    def price_create(
        self, *, product_name: str, lookup_key: str, interval: str, currency: str, amount: Decimal
    ) -> str:
        return ""  # no price kept: the plan's amounts are taken as they are

    def checkout_start(
        self,
        *,
        customer_email: str,
        customer: str,
        price_id: str,
        trial_days: int,
        client_reference: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStart:
        reference = f"test_sub_{client_reference}"
        return CheckoutStart(
            url=success_url.replace(CHECKOUT_SESSION_ID, reference), reference=reference
        )

    def checkout_get(self, *, reference: str) -> BillingStatus | None:
        raise NotImplementedError(DRIVEN_BY_SERVICES)

    def subscription_get(self, *, reference: str) -> BillingStatus | None:
        raise NotImplementedError(DRIVEN_BY_SERVICES)

    def cancel_at_period_end(self, *, reference: str) -> BillingStatus:
        raise NotImplementedError(DRIVEN_BY_SERVICES)

    def resume(self, *, reference: str) -> BillingStatus:
        raise NotImplementedError(DRIVEN_BY_SERVICES)

    def portal_url(self, *, customer: str, return_url: str) -> str:
        return return_url  # the shop's own account page is the whole portal

    def refund_last_payment(self, *, reference: str, reason_reference: str) -> str:
        return f"test_refund_{reason_reference}"  # the same reason, the same refund

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> BillingEvent:
        raise WebhookNotConfigured("No test billing webhooks are received here.")
