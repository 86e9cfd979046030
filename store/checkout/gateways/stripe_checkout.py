"""Stripe Checkout: the customer pays on Stripe's own page, and a signed webhook says so.

An adapter, with the official ``stripe`` library: it decides nothing about orders
(``store.checkout.services.payments`` does). The flow:

1. ``payment_create`` creates a Checkout Session for the order (one per order: the
   order number is the idempotency key), open at Stripe's page. The order waits in
   "awaiting payment" with its basket frozen.
2. Stripe tells us the outcome twice, and either is enough: the webhook
   (``checkout.session.completed`` and friends, its signature verified:
   ``webhook_parse``), and the customer's return to ``success_url``, where the session
   is fetched (``payment_get``). Both become a :class:`PaymentStatus`, and paying an
   order is idempotent, so it is paid (and each line credited to 7digital) exactly once
   however many times Stripe repeats.
3. Coming back through ``cancel_url`` expires the session (``payment_close``), so it
   cannot be paid later.

Card payments complete at once; slower methods (bank debits) complete the session
"unpaid" and are settled by ``checkout.session.async_payment_succeeded`` / ``_failed``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import (
    GatewayEvent,
    PaymentError,
    PaymentState,
    PaymentStatus,
    RefundFailure,
    WebhookInvalid,
    WebhookNotConfigured,
    from_minor_units,
    minor_units,
)

__all__ = ["StripeGateway", "from_minor_units", "minor_units", "stripe_client"]

logger = logging.getLogger(__name__)

#: Stripe event types this shop acts on (with EVENT_REFUND_FAILED, the webhook endpoint's
#: list in the Dashboard); any other is acknowledged and ignored.
EVENTS_SETTLED = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
EVENT_REFUND_FAILED = "refund.failed"

#: Replaced by the tests with a client that answers with recorded Stripe responses.
http_client: stripe.HTTPClient | None = None


def stripe_client() -> stripe.StripeClient:
    key = settings.STRIPE_SECRET_KEY
    if not key:
        raise PaymentError("Stripe is not configured: set STRIPE_SECRET_KEY.")
    options: dict[str, Any] = {"max_network_retries": 2, "http_client": http_client}
    if settings.STRIPE_API_BASE:  # stripe-mock, or a recording proxy
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(key, **options)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _stripe_failure(action: str, exc: stripe.StripeError) -> PaymentError:
    request_id = getattr(exc, "request_id", None) or "no request id"
    return PaymentError(f"Stripe could not {action}: {exc.user_message or exc} ({request_id})")


class StripeGateway:
    name = "stripe"
    label = "Pay by card on Stripe's secure page"
    collects_card = False  # Stripe's page does
    settles_later = True  # the webhook, or the customer's return, says so

    def payment_create(self, *, order: Any, payment: dict[str, Any]) -> PaymentStatus:
        currency = order.currency
        lines = list(order.lines.all())
        expires = timezone.now() + timedelta(
            # Stripe allows 30 minutes to 24 hours.
            minutes=min(max(30, settings.STRIPE_CHECKOUT_EXPIRES_MINUTES), 24 * 60)
        )
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.number,
            "customer_email": order.email,
            "locale": "auto",
            "expires_at": int(expires.timestamp()),
            "success_url": _absolute(reverse("checkout:stripe_return", args=[order.number]))
            + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": _absolute(reverse("checkout:stripe_cancel", args=[order.number])),
            "metadata": {"order_number": order.number},
            "payment_intent_data": {"metadata": {"order_number": order.number}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": minor_units(line.price, currency),
                        "product_data": {
                            "name": line.title[:250],
                            "description": " · ".join(
                                part for part in (line.artist_name, line.package_name) if part
                            )[:500]
                            or line.title[:500],
                        },
                    },
                }
                for line in lines
            ],
        }
        try:
            session = stripe_client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-session-{order.number}"}
            )
        except stripe.StripeError as exc:
            raise _stripe_failure("start the payment", exc) from exc
        return PaymentStatus(
            label=f"Stripe session {session.id}",
            reference=session.id,
            order_number=order.number,
            state=PaymentState.OPEN,
            url=session.url,
        )

    def payment_exists(self, *, order: Any) -> bool:
        return order.payment_reference.startswith("cs_")  # a Checkout Session

    def payment_get(self, *, order: Any) -> PaymentStatus | None:
        session = _session_fetch(stripe_client(), order)
        return _status(session) if session else None

    def payment_close(self, *, order: Any) -> PaymentStatus | None:
        client = stripe_client()
        try:
            session = client.v1.checkout.sessions.expire(order.payment_reference).to_dict()
        except stripe.InvalidRequestError:
            # Not open any more: completed or already expired. Stripe says which.
            session = _session_fetch(client, order)
        except stripe.StripeError:
            logger.exception("Could not expire Stripe session for order %s", order.number)
            session = None
        return _status(session) if session else None

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            # Nothing listens here (the test gateway, or Stripe without its webhook
            # secret, which production refuses to start with). Anyone can post here, so
            # a warning rather than an error: strangers must not page whoever is on call.
            logger.warning("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
            raise WebhookNotConfigured("No Stripe webhooks are received here.")
        try:
            event = stripe.Webhook.construct_event(body, headers.get("Stripe-Signature"), secret)
            kind, obj = event.type, event.data.object.to_dict()
        except stripe.SignatureVerificationError as exc:
            logger.warning("Stripe webhook with a bad signature refused")
            raise WebhookInvalid("Bad signature.") from exc
        except (ValueError, AttributeError, KeyError, TypeError) as exc:  # not JSON, not an event
            raise WebhookInvalid("Not a Stripe event.") from exc
        if kind in EVENTS_SETTLED:
            return GatewayEvent(
                payment=_status(obj, payment_failed=kind == "checkout.session.async_payment_failed")
            )
        if kind == EVENT_REFUND_FAILED:
            return GatewayEvent(
                refund_failure=RefundFailure(
                    label=f"Stripe refund {obj.get('id')}",
                    order_number=(obj.get("metadata") or {}).get("order_number", ""),
                    amount_minor=obj.get("amount") or 0,
                    reason=obj.get("failure_reason") or "",
                )
            )
        return GatewayEvent()

    def refund(self, *, order: Any, amount: Decimal, reference: str = "") -> str:
        """Refund ``amount`` of the order's payment; ``reference`` names the refund (the
        order and its lines), and is written on it at Stripe.

        A refund whose answer was lost (a timeout after Stripe made it) is found on the
        next try by that name, so it is not made twice. Idempotency keys alone would not
        do: Stripe replays a key's first answer, errors included, for a day, and forgets
        it after that.
        """
        if not order.payment_reference.startswith("pi_"):
            raise PaymentError(f"Order {order.number} has no Stripe payment to refund")
        client = stripe_client()
        try:
            if reference:
                made = client.v1.refunds.list(
                    params={"payment_intent": order.payment_reference, "limit": 100}
                )
                for earlier in made.data:
                    earlier = earlier.to_dict()
                    if (earlier.get("metadata") or {}).get("reference") == reference and earlier[
                        "status"
                    ] in ("succeeded", "pending", "requires_action"):
                        return earlier["id"]
            refund = client.v1.refunds.create(
                params={
                    "payment_intent": order.payment_reference,
                    "amount": minor_units(amount, order.currency),
                    "reason": "requested_by_customer",
                    "metadata": {"order_number": order.number, "reference": reference},
                },
                # The library's own retries of this one call reuse the key.
                options={"idempotency_key": f"{reference or order.number}-{secrets.token_hex(8)}"},
            )
        except stripe.StripeError as exc:
            raise _stripe_failure("refund the payment", exc) from exc
        if refund.status in ("failed", "canceled"):
            raise PaymentError(f"Stripe refund {refund.id} {refund.status}")
        return refund.id


# -- Stripe's answers, as plain values ------------------------------------------------------


def _status(session: dict[str, Any], *, payment_failed: bool = False) -> PaymentStatus:
    """A Checkout Session (as a dict) as a :class:`PaymentStatus`. ``payment_failed`` is
    Stripe's word, by the event's type, that a slower payment did not go through."""
    status, payment_status = session.get("status"), session.get("payment_status")
    if status == "complete" and payment_status in ("paid", "no_payment_required"):
        state = PaymentState.PAID
    elif status == "complete" and payment_failed:
        state = PaymentState.FAILED
    elif status == "expired":
        state = PaymentState.EXPIRED
    elif status == "open":
        state = PaymentState.OPEN
    else:  # complete, and a slower payment on its way
        state = PaymentState.PROCESSING
    intent = session.get("payment_intent")
    return PaymentStatus(
        label=f"Stripe session {session.get('id')}",
        reference=session.get("id") or "",
        order_number=session.get("client_reference_id")
        or (session.get("metadata") or {}).get("order_number")
        or "",
        state=state,
        amount_minor=session.get("amount_total"),
        currency=(session.get("currency") or "").lower(),
        captured_reference=(intent if isinstance(intent, str) else (intent or {}).get("id", ""))
        or "",
        url=session.get("url") or "",
    )


def _session_fetch(client: stripe.StripeClient, order: Any) -> dict[str, Any] | None:
    try:
        return client.v1.checkout.sessions.retrieve(order.payment_reference).to_dict()
    except stripe.StripeError:
        logger.exception("Could not fetch Stripe session for order %s", order.number)
        return None
