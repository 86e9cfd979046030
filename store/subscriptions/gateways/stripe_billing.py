"""Stripe Billing: subscriptions paid through Stripe Checkout and kept by Stripe.

An adapter, with the official ``stripe`` library and checkout's StripeClient (the same
key, the API version the library pins): it decides nothing about the shop's
subscriptions (the ``subscription_*`` services do). The flow:

1. Staff save a plan: ``price_create`` makes a recurring Price per currency.
2. ``checkout_start`` opens a Checkout Session in subscription mode; the shop's
   reference travels as the session's ``client_reference_id`` and in the metadata of the
   subscription it makes, so every later read names it.
3. Stripe renews, retries failed payments (dunning) and asks for authentication on its
   own. Its webhooks say which subscription changed (``webhook_parse``); the service
   re-reads it (``subscription_get``), so duplicated and reordered events converge.
4. The customer cancels or resumes here (``cancel_at_period_end`` / ``resume``) or in
   the Customer Portal (``portal_url``); staff refund from the admin
   (``refund_last_payment``).

Since API version 2025-03-31 a subscription's period lives on its items, and an
invoice's subscription and payments moved (``parent.subscription_details``, the
InvoicePayment objects); both are read where they are now, and where they were.

Webhooks come to an endpoint of their own in Stripe's Dashboard, so with its own
signing secret: ``STRIPE_BILLING_WEBHOOK_SECRET``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from store.checkout.gateways import stripe_checkout

from . import (
    BillingEvent,
    BillingEventKind,
    BillingState,
    BillingStatus,
    CheckoutStart,
    InvoiceStatus,
    PaymentDeclined,
    PaymentError,
    WebhookInvalid,
    WebhookNotConfigured,
    minor_units,
)

__all__ = ["STATES", "StripeBillingGateway"]

logger = logging.getLogger(__name__)

#: Stripe's subscription statuses in the shop's words. ``paused`` (a trial that ended
#: without a card; Checkout always collects one) bills nothing and gives nothing.
STATES = {
    "trialing": BillingState.TRIALING,
    "active": BillingState.ACTIVE,
    "past_due": BillingState.PAST_DUE,
    "incomplete": BillingState.INCOMPLETE,
    "canceled": BillingState.ENDED,
    "unpaid": BillingState.ENDED,
    "incomplete_expired": BillingState.ENDED,
    "paused": BillingState.ENDED,
}

#: Event types that say a subscription changed; with the invoice events below, the list
#: for the billing webhook endpoint in Stripe's Dashboard. Any other is ignored.
EVENTS_SUBSCRIPTION = {
    "checkout.session.completed",  # in subscription mode: the subscription now exists
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
}
EVENTS_INVOICE = {
    "invoice.paid": BillingEventKind.INVOICE_PAID,
    "invoice.payment_failed": BillingEventKind.INVOICE_FAILED,
    "invoice.payment_action_required": BillingEventKind.ACTION_REQUIRED,
}


def _failure(action: str, exc: stripe.StripeError) -> PaymentError:
    request_id = getattr(exc, "request_id", None) or "no request id"
    if isinstance(exc, stripe.CardError):
        return PaymentDeclined(exc.user_message or "Your card was declined.")
    return PaymentError(f"Stripe could not {action}: {exc.user_message or exc} ({request_id})")


def _id(value: Any) -> str:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if isinstance(value, Mapping):
        return value.get("id") or ""
    return value or ""


def _when(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _key(prefix: str, params: Mapping[str, Any]) -> str:
    """An idempotency key for the same request made again, never for a different one
    (Stripe refuses a key reused with other parameters)."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


class StripeBillingGateway:
    name = "stripe"
    label = "Stripe Billing"

    def price_create(
        self, *, product_name: str, lookup_key: str, interval: str, currency: str, amount: Decimal
    ) -> str:
        """The recurring price ``lookup_key`` names when it bills ``amount`` every
        ``interval``, or a new one that takes the key over (older prices keep billing
        the subscribers who have them).

        Looked up first, so that saving a plan again after an answer was lost makes no
        second price. The idempotency key is new for each call (the library's own
        retries reuse it): Stripe replays a key's first answer for a day, even a 500,
        which would refuse every later try."""
        unit_amount = minor_units(amount, currency)
        client = stripe_checkout.stripe_client()
        try:
            found = client.v1.prices.list(
                params={"lookup_keys": [lookup_key], "active": True, "limit": 10}
            )
            for price in found.data:
                held = price.to_dict()
                recurring = held.get("recurring") or {}
                if (
                    held.get("unit_amount") == unit_amount
                    and (held.get("currency") or "").upper() == currency.upper()
                    and recurring.get("interval") == interval
                    and recurring.get("interval_count", 1) == 1
                ):
                    return price.id
            params = {
                "currency": currency.lower(),
                "unit_amount": unit_amount,
                "recurring": {"interval": interval},
                "product_data": {"name": product_name[:250]},
                "lookup_key": lookup_key,
                "transfer_lookup_key": True,
                "metadata": {"lookup_key": lookup_key},
            }
            price = client.v1.prices.create(
                params=params,
                options={"idempotency_key": f"price-{lookup_key}-{secrets.token_hex(8)}"},
            )
        except stripe.StripeError as exc:
            raise _failure("create the price", exc) from exc
        return price.id

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
        subscription_data: dict[str, Any] = {"metadata": {"client_reference": client_reference}}
        if trial_days > 0:
            subscription_data["trial_period_days"] = trial_days
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": price_id, "quantity": 1}],
            "client_reference_id": client_reference,
            "metadata": {"client_reference": client_reference},
            "subscription_data": subscription_data,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": "auto",
        }
        # Stripe takes one or the other: a returning customer keeps their cards.
        if customer:
            params["customer"] = customer
        else:
            params["customer_email"] = customer_email
        try:
            session = stripe_checkout.stripe_client().v1.checkout.sessions.create(
                params=params,
                # A double click, or a retry after a lost answer, opens the same page.
                options={
                    "idempotency_key": _key(
                        f"subscription-checkout-{client_reference}-{price_id}", params
                    )
                },
            )
        except stripe.StripeError as exc:
            raise _failure("start the subscription", exc) from exc
        return CheckoutStart(url=session.url, reference=session.id)

    def checkout_get(self, *, reference: str) -> BillingStatus | None:
        try:
            session = (
                stripe_checkout.stripe_client()
                .v1.checkout.sessions.retrieve(
                    reference,
                    params={"expand": ["subscription", "subscription.latest_invoice"]},
                )
                .to_dict()
            )
        except stripe.StripeError:
            logger.exception("Could not fetch Stripe session %s", reference)
            return None
        subscription = session.get("subscription")
        if not isinstance(subscription, Mapping):
            return None  # not completed yet: no subscription
        return _status(subscription)

    def subscription_get(self, *, reference: str) -> BillingStatus | None:
        try:
            subscription = stripe_checkout.stripe_client().v1.subscriptions.retrieve(
                reference, params={"expand": ["latest_invoice"]}
            )
        except stripe.InvalidRequestError as exc:  # asking again will not help
            raise _failure(f"find subscription {reference}", exc) from exc
        except stripe.StripeError:
            logger.warning("Stripe could not be reached for subscription %s", reference)
            return None
        return _status(subscription.to_dict())

    def cancel_at_period_end(self, *, reference: str) -> BillingStatus:
        return self._update(reference, {"cancel_at_period_end": True}, "cancel the subscription")

    def resume(self, *, reference: str) -> BillingStatus:
        return self._update(reference, {"cancel_at_period_end": False}, "resume the subscription")

    def _update(self, reference: str, change: dict[str, Any], action: str) -> BillingStatus:
        # Setting the same value twice is harmless, so the library's own retries (each
        # with its generated idempotency key) are enough.
        try:
            subscription = stripe_checkout.stripe_client().v1.subscriptions.update(
                reference, params={**change, "expand": ["latest_invoice"]}
            )
        except stripe.StripeError as exc:
            raise _failure(action, exc) from exc
        return _status(subscription.to_dict())

    def portal_url(self, *, customer: str, return_url: str) -> str:
        try:
            session = stripe_checkout.stripe_client().v1.billing_portal.sessions.create(
                params={"customer": customer, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            raise _failure("open the billing portal", exc) from exc
        return session.url

    def refund_last_payment(self, *, reference: str, reason_reference: str) -> str:
        """Refund the latest invoice that took money (a trial's zero invoice took none).

        As checkout's refunds: a refund whose answer was lost is found on the next try by
        its ``reason_reference`` (in its metadata), so it is not made twice; idempotency
        keys alone would replay a first error for a day and forget after that.
        """
        client = stripe_checkout.stripe_client()
        try:
            invoices = client.v1.invoices.list(
                params={"subscription": reference, "status": "paid", "limit": 10}
            )
            invoice = next((i for i in invoices.data if (i.amount_paid or 0) > 0), None)
            if invoice is None:
                raise PaymentError(f"Subscription {reference} has no paid invoice to refund")
            payments = client.v1.invoice_payments.list(
                params={"invoice": invoice.id, "status": "paid", "limit": 10}
            )
            if not payments.data:
                raise PaymentError(f"Stripe invoice {invoice.id} shows no payment to refund")
            payment = payments.data[0].payment.to_dict()
            target = (
                {"payment_intent": _id(payment.get("payment_intent"))}
                if payment.get("payment_intent")
                else {"charge": _id(payment.get("charge"))}
            )
            for earlier in client.v1.refunds.list(params={**target, "limit": 100}).data:
                earlier = earlier.to_dict()
                if (earlier.get("metadata") or {}).get("reference") == reason_reference and earlier[
                    "status"
                ] in ("succeeded", "pending", "requires_action"):
                    return earlier["id"]
            refund = client.v1.refunds.create(
                params={
                    **target,
                    "reason": "requested_by_customer",
                    "metadata": {
                        "subscription": reference,
                        "invoice": invoice.id,
                        "reference": reason_reference,
                    },
                },
                # The library's own retries of this one call reuse the key.
                options={"idempotency_key": f"{reason_reference}-{secrets.token_hex(8)}"},
            )
        except stripe.StripeError as exc:
            raise _failure("refund the payment", exc) from exc
        if refund.status in ("failed", "canceled"):
            raise PaymentError(f"Stripe refund {refund.id} {refund.status}")
        return refund.id

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> BillingEvent:
        secret = getattr(settings, "STRIPE_BILLING_WEBHOOK_SECRET", "")
        if not secret:
            # Anyone can post here: a warning, not an error that pages whoever is on call.
            logger.warning("A Stripe billing webhook arrived but no secret is set")
            raise WebhookNotConfigured("No Stripe billing webhooks are received here.")
        try:
            event = stripe.Webhook.construct_event(body, headers.get("Stripe-Signature"), secret)
            kind, event_id, obj = event.type, event.id, event.data.object.to_dict()
        except stripe.SignatureVerificationError as exc:
            logger.warning("Stripe billing webhook with a bad signature refused")
            raise WebhookInvalid("Bad signature.") from exc
        except (ValueError, AttributeError, KeyError, TypeError) as exc:  # not JSON, not an event
            raise WebhookInvalid("Not a Stripe event.") from exc
        if kind == "checkout.session.completed":
            if obj.get("mode") != "subscription" or not obj.get("subscription"):
                return BillingEvent(kind=BillingEventKind.IGNORED, event_id=event_id)
            return BillingEvent(
                kind=BillingEventKind.SUBSCRIPTION,
                subscription_reference=_id(obj["subscription"]),
                customer=_id(obj.get("customer")),
                event_id=event_id,
            )
        if kind in EVENTS_SUBSCRIPTION:
            return BillingEvent(
                kind=BillingEventKind.SUBSCRIPTION,
                subscription_reference=obj.get("id") or "",
                customer=_id(obj.get("customer")),
                event_id=event_id,
            )
        if kind in EVENTS_INVOICE and _invoice_subscription(obj):
            return BillingEvent(
                kind=EVENTS_INVOICE[kind],
                subscription_reference=_invoice_subscription(obj),
                customer=_id(obj.get("customer")),
                invoice=_invoice(obj, needs_action=kind == "invoice.payment_action_required"),
                event_id=event_id,
            )
        return BillingEvent(kind=BillingEventKind.IGNORED, event_id=event_id)


# -- Stripe's answers, as plain values ------------------------------------------------------


def _status(subscription: Mapping[str, Any]) -> BillingStatus:
    """A Subscription (as a dict) as a :class:`BillingStatus`."""
    items = (subscription.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = item.get("price") or {}
    # On the subscription before API version 2025-03-31, on its items since.
    period_start = subscription.get("current_period_start") or item.get("current_period_start")
    period_end = subscription.get("current_period_end") or item.get("current_period_end")
    unit_amount = price.get("unit_amount")
    state = STATES.get(subscription.get("status") or "", BillingState.INCOMPLETE)
    # A cancellation at a date (cancel_at) within the period is one at its end; once the
    # subscription has ended there is nothing left to cancel.
    cancel_at = subscription.get("cancel_at")
    at_period_end = state is not BillingState.ENDED and (
        bool(subscription.get("cancel_at_period_end"))
        or bool(cancel_at and period_end and cancel_at <= period_end)
    )
    invoice = subscription.get("latest_invoice")
    return BillingStatus(
        reference=subscription.get("id") or "",
        customer=_id(subscription.get("customer")),
        client_reference=(subscription.get("metadata") or {}).get("client_reference", ""),
        price_id=price.get("id") or "",
        state=state,
        cancel_at_period_end=at_period_end,
        current_period_start=_when(period_start),
        current_period_end=_when(period_end),
        trial_end=_when(subscription.get("trial_end")),
        started_at=_when(subscription.get("start_date")),
        ended_at=_when(subscription.get("ended_at")),
        currency=(subscription.get("currency") or price.get("currency") or "").upper(),
        amount_minor=None if unit_amount is None else unit_amount * (item.get("quantity") or 1),
        latest_invoice=_invoice(invoice) if isinstance(invoice, Mapping) else None,
    )


def _invoice(invoice: Mapping[str, Any], *, needs_action: bool = False) -> InvoiceStatus:
    status = invoice.get("status") or ""
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
    return InvoiceStatus(
        reference=invoice.get("id") or "",
        status=status,
        paid_at=_when(paid_at),
        amount_minor=(invoice.get("amount_paid") if status == "paid" else invoice.get("amount_due"))
        or 0,
        hosted_url=invoice.get("hosted_invoice_url") or "",
        needs_action=needs_action,
    )


def _invoice_subscription(invoice: Mapping[str, Any]) -> str:
    """The subscription an invoice bills: under ``parent`` since API version 2025-03-31."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(details.get("subscription")) or _id(invoice.get("subscription"))
