"""Stripe Checkout: the customer pays on Stripe's own page, and a signed webhook says so.

The flow, with the official ``stripe`` library:

1. ``authorise`` creates a Checkout Session for the order (one per order: the order
   number is the idempotency key) and raises :class:`RedirectRequired` to Stripe's page.
   The order waits in "awaiting payment" with its basket frozen.
2. Stripe tells us the outcome twice, and either is enough: the webhook
   (``checkout.session.completed`` and friends, its signature verified), and the
   customer's return to ``success_url``, where the session is fetched. Both go through
   :func:`session_settle`, and ``order_paid`` is idempotent, so the order is paid (and
   each line credited to 7digital) exactly once however many times Stripe repeats.
3. Coming back through ``cancel_url`` expires the session, so it cannot be paid later,
   and gives the basket back.

Card payments complete at once; slower methods (bank debits) complete the session
"unpaid" and are settled by ``checkout.session.async_payment_succeeded`` / ``_failed``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from babel.numbers import get_currency_precision
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import Authorisation, PaymentError, RedirectRequired

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


def minor_units(amount: Decimal, currency: str) -> int:
    """Stripe counts in the currency's smallest unit: pence for GBP, yen for JPY."""
    scaled = amount.scaleb(get_currency_precision(currency.upper()))
    if scaled != scaled.to_integral_value():
        raise PaymentError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def from_minor_units(units: int, currency: str) -> Decimal:
    """Stripe's smallest units back to an amount: 79 GBP pence is 0.79."""
    return Decimal(units).scaleb(-get_currency_precision(currency.upper()))


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _stripe_failure(action: str, exc: stripe.StripeError) -> PaymentError:
    request_id = getattr(exc, "request_id", None) or "no request id"
    return PaymentError(f"Stripe could not {action}: {exc.user_message or exc} ({request_id})")


class StripeGateway:
    name = "stripe"
    label = "Pay by card on Stripe's secure page"
    collects_card = False  # Stripe's page does

    def authorise(
        self, *, order: Any, amount: Decimal, currency: str, payment: dict[str, Any]
    ) -> Authorisation:
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
        raise RedirectRequired(session.url, session.id)

    def capture(self, *, order: Any, authorisation: Authorisation) -> None:
        return None  # Checkout captures when the customer pays

    def reconcile(self, order: Any) -> Any:
        return reconcile(order)

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


# -- Stripe's answers -----------------------------------------------------------------------


def _order_numbered(number: str, stripe_id: str) -> Any:
    """This shop's Stripe order of that number (Stripe objects carry it), or None."""
    from store.checkout.models import Order

    order = Order.objects.filter(number=number or "", gateway=StripeGateway.name).first()
    if order is None:
        logger.warning("Stripe's %s names no order of this shop", stripe_id)
    return order


def _has_session(order: Any) -> bool:
    """Unpaid, with a Checkout Session at Stripe to ask about."""
    return not order.is_paid and order.payment_reference.startswith("cs_")


def session_settle(
    session: dict[str, Any],
    *,
    payment_failed: bool = False,
    expired_message: str = "The payment was not completed in time.",
) -> Any:
    """Bring the order in line with its Checkout Session (as a dict); return the order.

    A paid session pays the order (once). An expired session fails it and gives the
    basket back, as does ``payment_failed`` (Stripe's word that a slower payment, such
    as a bank debit, did not go through). An open session, or a complete one whose slower
    payment is still on its way, changes nothing: the order waits for Stripe's answer.
    """
    from store.checkout import services

    number = session.get("client_reference_id") or (session.get("metadata") or {}).get(
        "order_number"
    )
    order = _order_numbered(number, session.get("id"))
    if order is None or order.is_paid:
        return order
    status, payment_status = session.get("status"), session.get("payment_status")
    if status == "complete" and payment_status in ("paid", "no_payment_required"):
        expected = (minor_units(order.total, order.currency), order.currency.lower())
        taken = (session.get("amount_total"), (session.get("currency") or "").lower())
        if taken != expected:
            return services.order_payment_mismatch(
                order_id=order.pk,
                message=f"Stripe session {session.get('id')} took {taken[0]} {taken[1]}, "
                f"the order is for {expected[0]} {expected[1]}",
            )
        intent = session.get("payment_intent")
        reference = intent if isinstance(intent, str) else (intent or {}).get("id", "")
        return services.order_paid(
            order_id=order.pk, authorisation=Authorisation(reference=reference or session["id"])
        )
    if status == "complete" and payment_failed:
        return services.order_payment_failed(
            order_id=order.pk, message="The payment did not go through."
        )
    if status == "expired":
        return services.order_payment_failed(order_id=order.pk, message=expired_message)
    return order


def _refund_failed(refund: dict[str, Any]) -> None:
    """A refund Stripe accepted has failed after all (the card was closed): staff must
    pay the customer back another way. The order's history says so."""
    from store.checkout.models import OrderEvent

    number = (refund.get("metadata") or {}).get("order_number", "")
    logger.error("Stripe refund %s of order %s failed", refund.get("id"), number or "?")
    order = _order_numbered(number, refund.get("id"))
    if order is not None:
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.REFUND_FAILED,
            amount=from_minor_units(refund.get("amount") or 0, order.currency),
            message=f"Stripe refund {refund.get('id')} failed after it was made "
            f"({refund.get('failure_reason') or 'no reason given'}): "
            "the customer has not been paid back.",
        )


def event_handle(kind: str, obj: dict[str, Any]) -> None:
    """Act on one verified webhook event. Repeats and out-of-order events are harmless."""
    with transaction.atomic():
        if kind in EVENTS_SETTLED:
            session_settle(obj, payment_failed=kind == "checkout.session.async_payment_failed")
        elif kind == EVENT_REFUND_FAILED:
            _refund_failed(obj)


def _session_fetch(client: stripe.StripeClient, order: Any) -> dict[str, Any] | None:
    try:
        return client.v1.checkout.sessions.retrieve(order.payment_reference).to_dict()
    except stripe.StripeError:
        logger.exception("Could not fetch Stripe session for order %s", order.number)
        return None


def session_confirm(order: Any) -> Any:
    """The customer is back from Stripe: ask Stripe rather than wait for the webhook."""
    if not _has_session(order):
        return order
    try:
        session = _session_fetch(stripe_client(), order)
    except PaymentError:
        logger.exception("Stripe is not configured; order %s not confirmed", order.number)
        return order
    return (session and session_settle(session)) or order


def session_open_url(order: Any) -> str:
    """Where the customer can still pay this order on Stripe's page, if anywhere."""
    if not _has_session(order):
        return ""
    try:
        session = _session_fetch(stripe_client(), order)
    except PaymentError:
        return ""
    return session["url"] if session and session.get("status") == "open" else ""


def _session_close(order: Any, expired_message: str) -> Any:
    """Expire the order's session so that it cannot be paid any more, and settle it. A
    session paid meanwhile cannot be expired: it is settled as paid instead."""
    client = stripe_client()
    try:
        session = client.v1.checkout.sessions.expire(order.payment_reference).to_dict()
    except stripe.InvalidRequestError:
        # Not open any more: completed or already expired. Stripe says which.
        session = _session_fetch(client, order)
    except stripe.StripeError:
        logger.exception("Could not expire Stripe session for order %s", order.number)
        session = None
    return (session and session_settle(session, expired_message=expired_message)) or order


def session_cancel(order: Any) -> Any:
    """The customer chose not to pay after all: close the session, give the basket back."""
    from store.checkout import services

    if order.is_paid or order.status != order.Status.PENDING_PAYMENT:
        return order
    if not order.payment_reference.startswith("cs_"):
        return services.order_payment_failed(order_id=order.pk, message="Payment cancelled.")
    return _session_close(order, "You cancelled the payment.")


def reconcile(order: Any) -> Any:
    """For the sweep: an order still awaiting payment long after its session should have
    ended (a webhook lost, a customer who never came back). Ask Stripe, and close the
    session if it is somehow still open."""
    if not _has_session(order):
        return order
    session = _session_fetch(stripe_client(), order)
    if session is None:
        return order
    if session.get("status") == "open":
        return _session_close(order, "The payment was not completed in time.")
    return session_settle(session) or order
