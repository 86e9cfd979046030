"""Billing gateways for subscriptions: adapters behind one small interface, deciding nothing.

A billing gateway creates prices, sends the customer to pay for a plan, reads a
subscription's state, asks for a cancellation at period end (or takes it back), opens
the customer's self-service portal, refunds the last payment, and reads its webhooks,
and answers in the plain values below. What that means for the shop's subscription
(its status, what 7digital must hear, which email goes out) is decided by the
``subscription_*`` services; a webhook only says *which* subscription changed, and the
service re-reads it (:meth:`BillingGateway.subscription_get`), so duplicated and
out-of-order events converge on one state.

Failures are checkout's one tree (``store.checkout.gateways``): :class:`PaymentDeclined`
(the bank said no: its message is for the customer), a bare :class:`PaymentError` (the
gateway broke), and the webhook errors.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from store.checkout.gateways import (
    PaymentDeclined,
    PaymentError,
    WebhookError,
    WebhookInvalid,
    WebhookNotConfigured,
    from_minor_units,
    minor_units,
)

__all__ = [
    "BILLING_GATEWAYS",
    "BillingEvent",
    "BillingEventKind",
    "BillingGateway",
    "BillingState",
    "BillingStatus",
    "CheckoutStart",
    "InvoiceStatus",
    "PaymentDeclined",
    "PaymentError",
    "WebhookError",
    "WebhookInvalid",
    "WebhookNotConfigured",
    "billing_gateway_get",
    "from_minor_units",
    "minor_units",
]


class BillingState(enum.StrEnum):
    """A subscription's state at the gateway, in the shop's words (Stripe's in brackets)."""

    TRIALING = "trialing"  # in its free trial (trialing)
    ACTIVE = "active"  # paid for the current period (active)
    PAST_DUE = "past_due"  # a renewal failed and the gateway is still retrying (past_due)
    ENDED = "ended"  # over: cancelled, given up on, or never paid (canceled, unpaid,
    #                  incomplete_expired; and paused, which bills nothing)
    INCOMPLETE = "incomplete"  # the first payment is not made yet (incomplete)


@dataclass(frozen=True)
class InvoiceStatus:
    """One bill of a subscription (Stripe: an Invoice)."""

    reference: str  # "in_..."
    status: str  # the gateway's word: draft, open, paid, uncollectible, void
    paid_at: datetime | None
    amount_minor: int  # paid if paid, else due; in the currency's smallest unit
    hosted_url: str  # where the customer can see it, pay it or authenticate the payment
    needs_action: bool  # the bank asks the customer to authenticate (3-D Secure)


@dataclass(frozen=True)
class BillingStatus:
    """What a gateway says of one subscription, as plain values. Datetimes are aware UTC."""

    reference: str  # the gateway's subscription ("sub_...")
    customer: str  # the gateway's customer ("cus_...")
    client_reference: str  # the shop's own reference, as given to checkout_start
    price_id: str
    state: BillingState
    cancel_at_period_end: bool
    current_period_start: datetime | None
    current_period_end: datetime | None
    trial_end: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    currency: str  # upper case: "GBP"
    amount_minor: int | None  # per period, in the currency's smallest unit
    latest_invoice: InvoiceStatus | None = None


class BillingEventKind(enum.StrEnum):
    SUBSCRIPTION = "subscription"  # the subscription changed: re-read it
    INVOICE_PAID = "invoice_paid"  # a period (or the first one) is paid
    INVOICE_FAILED = "invoice_failed"  # a payment failed: the gateway will retry (dunning)
    ACTION_REQUIRED = "action_required"  # the customer must authenticate at invoice.hosted_url
    IGNORED = "ignored"  # news of nothing the shop acts on: acknowledge it


@dataclass(frozen=True)
class BillingEvent:
    """A verified webhook. ``subscription_reference`` names the subscription to re-read
    (blank when ignored); ``invoice`` is the bill the event is about, if any."""

    kind: BillingEventKind
    subscription_reference: str = ""
    customer: str = ""
    invoice: InvoiceStatus | None = None
    event_id: str = ""


@dataclass(frozen=True)
class CheckoutStart:
    url: str  # send the customer here to pay
    reference: str  # the payment page's id at the gateway (Stripe: the Checkout Session)


class BillingGateway(Protocol):
    name: str
    label: str

    def price_create(
        self, *, product_name: str, lookup_key: str, interval: str, currency: str, amount: Decimal
    ) -> str:
        """A recurring price (``interval``: "month" | "year") and its id; "" if the gateway
        keeps none (the test gateway takes amounts as they are). Raises PaymentError."""
        ...

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
        """Open the gateway's page where the customer subscribes to ``price_id``.
        ``customer`` (the gateway's, blank for a first subscription) wins over the email.
        Raises PaymentError."""
        ...

    def checkout_get(self, *, reference: str) -> BillingStatus | None:
        """The subscription the payment page made; None while there is none (not paid
        yet, or the gateway could not be reached)."""
        ...

    def subscription_get(self, *, reference: str) -> BillingStatus | None:
        """The subscription's state now; None if the gateway could not be reached.
        Raises PaymentError when the gateway refuses the question (an unknown reference)."""
        ...

    def cancel_at_period_end(self, *, reference: str) -> BillingStatus:
        """Stop renewing: the subscription runs to the end of the period it is paid for."""
        ...

    def resume(self, *, reference: str) -> BillingStatus:
        """Take back a cancellation at period end: renew as before."""
        ...

    def portal_url(self, *, customer: str, return_url: str) -> str:
        """Where the customer manages card, plan and cancellation themselves."""
        ...

    def refund_last_payment(self, *, reference: str, reason_reference: str) -> str:
        """Refund in full the latest paid invoice's payment, and say the refund's id.
        ``reason_reference`` names this refund, so a retry returns the same one."""
        ...

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> BillingEvent:
        """Verify a webhook and say what it reports. Raises WebhookNotConfigured or
        WebhookInvalid."""
        ...


BILLING_GATEWAYS = {
    "test": "store.subscriptions.gateways.test.TestBillingGateway",
    "stripe": "store.subscriptions.gateways.stripe_billing.StripeBillingGateway",
}


def billing_gateway_get(name: str | None = None) -> BillingGateway:
    """The gateway named (a subscription's), or the one for new subscriptions:
    ``BILLING_GATEWAY`` if set, else the shop's ``PAYMENT_GATEWAY``."""
    name = name or getattr(settings, "BILLING_GATEWAY", "") or settings.PAYMENT_GATEWAY
    try:
        return import_string(BILLING_GATEWAYS[name])()
    except KeyError as exc:
        raise PaymentError(f"Unknown billing gateway {name!r}") from exc
