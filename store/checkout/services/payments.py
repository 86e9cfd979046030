"""Settling payments that finish away from the checkout: on the gateway's own page, by
its webhook, or not at all.

The gateway only reports (a :class:`PaymentStatus`); what that means for the order is
decided here, whichever way the news came (the webhook, the customer's return, the
sweep), and ``order_paid`` is idempotent, so Stripe repeating itself pays once:

* paid, for the order's sum: the order is paid; for another sum: held for staff;
* a slower payment that failed, or a session expired: the order fails and the basket
  is given back;
* still open, or a slower payment on its way: nothing changes; the order waits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from store.checkout.gateways import (
    Gateway,
    PaymentError,
    PaymentState,
    PaymentStatus,
    RefundFailure,
    from_minor_units,
    gateway_get,
    minor_units,
)
from store.checkout.models import Order, OrderEvent

from .orders import order_paid, order_payment_failed, order_payment_mismatch

logger = logging.getLogger(__name__)

NOT_IN_TIME = "The payment was not completed in time."


def _order_numbered(gateway: Gateway, number: str, label: str) -> Order | None:
    """This shop's order of that number at this gateway (its objects carry it), or None."""
    order = Order.objects.filter(number=number or "", gateway=gateway.name).first()
    if order is None:
        logger.warning("%s names no order of this shop", label)
    return order


def _order_settle(
    gateway: Gateway, status: PaymentStatus, *, expired_message: str = NOT_IN_TIME
) -> Order | None:
    """Bring the order in line with what the gateway says of its payment (see the
    module's notes); return the order."""
    order = _order_numbered(gateway, status.order_number, status.label)
    if order is None or order.is_paid:
        return order
    if status.state == PaymentState.PAID:
        expected = (minor_units(order.total, order.currency), order.currency.lower())
        taken = (status.amount_minor, status.currency)
        if taken != expected:
            return order_payment_mismatch(
                order_id=order.pk,
                message=f"{status.label} took {taken[0]} {taken[1]}, "
                f"the order is for {expected[0]} {expected[1]}",
            )
        return order_paid(
            order_id=order.pk, reference=status.captured_reference or status.reference
        )
    if status.state == PaymentState.FAILED:
        return order_payment_failed(order_id=order.pk, message="The payment did not go through.")
    if status.state == PaymentState.EXPIRED:
        return order_payment_failed(order_id=order.pk, message=expired_message)
    return order


def _order_payment_close(gateway: Gateway, order: Order, expired_message: str) -> Order:
    """Close the order's payment so that it cannot be paid any more, and settle it. A
    payment completed meanwhile cannot be closed: it is settled as paid instead."""
    status = gateway.payment_close(order=order)
    return (status and _order_settle(gateway, status, expired_message=expired_message)) or order


def order_payment_confirm(*, order: Order) -> Order:
    """The customer is back from the gateway's page: ask it rather than wait for the
    webhook."""
    gateway = gateway_get(order.gateway)
    if order.is_paid or not gateway.payment_exists(order=order):
        return order
    try:
        status = gateway.payment_get(order=order)
    except PaymentError:
        logger.exception("%s unusable; order %s not confirmed", gateway.label, order.number)
        return order
    return (status and _order_settle(gateway, status)) or order


def order_payment_url(*, order: Order) -> str:
    """Where the customer can still pay this order on the gateway's page, if anywhere."""
    gateway = gateway_get(order.gateway)
    if order.is_paid or not gateway.payment_exists(order=order):
        return ""
    try:
        status = gateway.payment_get(order=order)
    except PaymentError:
        return ""
    return status.url if status and status.state == PaymentState.OPEN else ""


def order_payment_cancel(*, order: Order) -> Order:
    """The customer chose not to pay after all: close the payment, give the basket back.
    Raises PaymentError when the gateway cannot be used (not configured)."""
    if order.is_paid or order.status != Order.Status.PENDING_PAYMENT:
        return order
    gateway = gateway_get(order.gateway)
    if not gateway.payment_exists(order=order):
        return order_payment_failed(order_id=order.pk, message="Payment cancelled.")
    return _order_payment_close(gateway, order, "You cancelled the payment.")


def order_payment_reconcile(*, order: Order) -> Order:
    """For the sweep: an order still awaiting payment long after its payment should have
    ended (a webhook lost, a customer who never came back). Ask the gateway, and close
    the payment if it is somehow still open."""
    gateway = gateway_get(order.gateway)
    if order.is_paid or not gateway.payment_exists(order=order):
        return order
    status = gateway.payment_get(order=order)
    if status is None:
        return order
    if status.state == PaymentState.OPEN:
        return _order_payment_close(gateway, order, NOT_IN_TIME)
    return _order_settle(gateway, status) or order


def _order_refund_failed(gateway: Gateway, failure: RefundFailure) -> None:
    """A refund the gateway accepted has failed after all (the card was closed): staff
    must pay the customer back another way. The order's history says so."""
    logger.error("%s of order %s failed", failure.label, failure.order_number or "?")
    order = _order_numbered(gateway, failure.order_number, failure.label)
    if order is not None:
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.REFUND_FAILED,
            amount=from_minor_units(failure.amount_minor, order.currency),
            message=f"{failure.label} failed after it was made "
            f"({failure.reason or 'no reason given'}): "
            "the customer has not been paid back.",
        )


def order_payment_event_handle(*, gateway: str, body: bytes, headers: Mapping[str, str]) -> None:
    """Act on one webhook of ``gateway``, once the gateway has verified it (raises
    WebhookError when it is refused). Repeats and out-of-order events are harmless."""
    adapter = gateway_get(gateway)
    event = adapter.webhook_parse(body=body, headers=headers)
    with transaction.atomic():
        if event.payment is not None:
            _order_settle(adapter, event.payment)
        elif event.refund_failure is not None:
            _order_refund_failed(adapter, event.refund_failure)


def order_payments_sweep() -> list[str]:
    """Settle orders still awaiting payment long after the customer could have paid.

    A gateway that can be asked (Stripe: a webhook lost, a customer who never came back)
    is asked; otherwise the payment was cut off (a process that died between placing the
    order and taking the money) and the order fails, giving the basket back.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.ORDER_PAYMENT_ABANDONED_MINUTES)
    settled = []
    stale = Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=cutoff)
    for order in stale.order_by("created_at")[:200]:
        try:
            if gateway_get(order.gateway).settles_later:
                order_payment_reconcile(order=order)
            else:
                order_payment_failed(order_id=order.pk, message="The payment was never completed.")
        except Exception:  # one order's trouble must not stop the others being settled
            logger.exception("Could not settle order %s awaiting payment", order.number)
            continue
        settled.append(order.number)
    return settled
