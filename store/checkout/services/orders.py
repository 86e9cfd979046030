"""Placing and paying for orders.

The order of events matters more here than anywhere else in the shop:

1. ``order_place`` writes the order and freezes the basket before any money moves,
   so a second submit cannot pay twice and a crash leaves a visible, unpaid order.
2. ``order_pay`` takes the money through the gateway. A refusal thaws the basket.
3. ``order_paid`` records the payment and, only after that commits, queues one
   delivery per line (``delivery``). From here the order exists even if every worker
   dies; the sweep (``order_lines_sweep``) finds lines nobody delivered.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services import PartnerUserFailed, PartnerUserPending, partner_user_ensure
from integrations.tasks import task_queue_on_commit
from store.basket.models import Basket
from store.basket.services import (
    BasketUnavailable,
    PriceChange,
    basket_lines_move,
    basket_prices_refresh,
)
from store.checkout import tasks
from store.checkout.gateways import (
    PaymentDeclined,
    PaymentError,
    PaymentState,
    RedirectRequired,
    gateway_get,
)
from store.checkout.models import Order, OrderEvent, OrderLine

logger = logging.getLogger(__name__)

POST_CODE_COUNTRIES = {"US"}  # user/deliveritem requires postCode there (reference line 6475)


class CheckoutNotPossible(Exception):
    """A pre-condition of checkout is not met; the message is for the customer, and
    ``changes`` says what re-pricing the basket changed on the way."""

    def __init__(self, message: str, changes: list[PriceChange] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []


def checkout_preconditions(*, user, basket: Basket | None, country: str) -> list[PriceChange]:
    """Check what must hold before a customer may pay, as django-oscar's checkout does.

    Returns the price changes found when every line was priced again with 7digital for
    ``country``: if there are any, the customer must see them before paying.
    """
    if basket is None or not basket.lines.exists():
        raise CheckoutNotPossible("Your basket is empty.")
    if not basket.is_open:
        raise CheckoutNotPossible("This basket is already being paid for.")
    try:
        partner_user_ensure(user=user)
    except PartnerUserPending as exc:
        raise CheckoutNotPossible(
            "Your account is still being set up with our music service. "
            "Please try again in a minute."
        ) from exc
    except PartnerUserFailed as exc:
        raise CheckoutNotPossible(
            "Your account could not be set up with our music service. Please contact us."
        ) from exc
    try:
        changes = basket_prices_refresh(basket=basket, country=country)
    except BasketUnavailable as exc:
        raise CheckoutNotPossible(
            "We cannot confirm prices with our music service just now. Nothing was charged; "
            "please try again shortly."
        ) from exc
    if not basket.lines.exists():
        raise CheckoutNotPossible("Nothing in your basket is on sale in your country.", changes)
    return changes


@transaction.atomic
def order_place(
    *, user, basket: Basket, country: str, post_code: str = "", gateway: str | None = None
) -> Order:
    """Write the order from the basket and freeze the basket while the payment is taken."""
    basket = Basket.objects.select_for_update().get(pk=basket.pk)
    if not basket.is_open:
        raise CheckoutNotPossible("This basket is already being paid for.")
    lines = list(basket.lines.all())
    if not lines:
        raise CheckoutNotPossible("Your basket is empty.")
    currencies = {line.currency for line in lines}
    if len(currencies) != 1:
        raise CheckoutNotPossible("Prices in your basket are in more than one currency.")
    if country in POST_CODE_COUNTRIES and not post_code.strip():
        raise CheckoutNotPossible("Please give your ZIP code.")
    order = Order.objects.create(
        user=user,
        email=user.email,
        partner_user_id=user.partner_user.partner_user_id,
        country=country,
        currency=currencies.pop(),
        total=sum((line.price for line in lines), Decimal("0")),
        gateway=gateway or settings.PAYMENT_GATEWAY,
        post_code=post_code.strip(),
        basket=basket,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            release_id=line.release_id,
            track_id=line.track_id,
            package_id=line.package_id,
            package_name=line.package_name,
            title=line.title,
            artist_name=line.artist_name,
            price=line.price,
            transaction_id=f"{order.number}-{index}",
        )
        for index, line in enumerate(lines, start=1)
    )
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PLACED, amount=order.total)
    basket.status = Basket.Status.FROZEN
    basket.save(update_fields=["status", "updated_at"])
    return order


def order_pay(*, order: Order, payment: dict[str, Any]) -> Order:
    """Take the money. Raises PaymentDeclined / PaymentError (order failed, basket given
    back) or RedirectRequired (the customer pays on the gateway's page)."""
    try:
        status = gateway_get(order.gateway).payment_create(order=order, payment=payment)
    except PaymentDeclined as exc:
        order_payment_failed(order_id=order.pk, message=str(exc))
        raise
    except Exception as exc:
        # Unexpected (PaymentError, or a gateway's own bug or network error): the customer
        # is told only that it failed, the detail is for us, and the basket is given back.
        logger.exception("Payment for order %s failed at the gateway", order.number)
        order_payment_failed(order_id=order.pk, message=f"Gateway error: {exc}")
        if isinstance(exc, PaymentError):
            raise
        raise PaymentError(str(exc)) from exc
    if status.state == PaymentState.OPEN:  # paid, or not, on the gateway's page
        Order.objects.filter(pk=order.pk).update(payment_reference=status.reference)
        raise RedirectRequired(status.url, status.reference)
    if status.state != PaymentState.PAID:
        message = f"Gateway error: {status.label} is {status.state}"
        logger.error("Payment for order %s: %s", order.number, message)
        order_payment_failed(order_id=order.pk, message=message)
        raise PaymentError(message)
    return order_paid(order_id=order.pk, reference=status.captured_reference or status.reference)


@transaction.atomic
def order_paid(*, order_id: int, reference: str) -> Order:
    """Record the payment and queue the deliveries. Safe to call twice (webhooks repeat)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.is_paid:
        return order
    message = order.gateway
    if order.status != Order.Status.PENDING_PAYMENT:
        # Money arrived for an order given up on (the basket went back to the customer,
        # who may have bought the same again): it is paid and delivered all the same, and
        # staff are told to look for a second order to refund.
        message += (
            f"; paid after the order was {order.get_status_display().lower()}: "
            "check the customer's other orders for the same items"
        )
        logger.error("Order %s paid after it was %s", order.number, order.status)
    order.status = Order.Status.PAID
    order.paid_at = timezone.now()
    order.payment_reference = reference
    order.payment_error = ""
    order.save(update_fields=["status", "paid_at", "payment_reference", "payment_error"])
    if order.basket_id:  # a basket already given back to the customer is theirs
        Basket.objects.filter(pk=order.basket_id, status=Basket.Status.FROZEN).update(
            status=Basket.Status.SUBMITTED
        )
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.PAID, amount=order.total, message=message
    )
    for pk in order.lines.values_list("pk", flat=True):
        task_queue_on_commit(tasks.order_line_deliver, pk)
    task_queue_on_commit(tasks.order_receipt_send, order.pk)
    return order


@transaction.atomic
def order_payment_failed(*, order_id: int, message: str) -> Order:
    """The payment did not happen: the order says why and the basket is the customer's again."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.is_paid:
        return order
    order.status = Order.Status.PAYMENT_FAILED
    order.payment_error = message[:500]
    order.save(update_fields=["status", "payment_error"])
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PAYMENT_FAILED, message=message)
    if order.basket_id:
        _basket_thaw(order.basket_id)
    return order


@transaction.atomic
def order_payment_mismatch(*, order_id: int, message: str) -> Order:
    """The gateway took a different sum than the order's: nothing is delivered until
    staff have looked (the money is not lost: it is on the gateway, and the order says so)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.is_paid or order.status == Order.Status.NEEDS_ATTENTION:
        return order
    logger.error("Payment for order %s does not match: %s", order.number, message)
    order.status = Order.Status.NEEDS_ATTENTION
    order.payment_error = message[:500]
    order.save(update_fields=["status", "payment_error"])
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PAYMENT_FAILED, message=message)
    return order


def _basket_thaw(basket_id: int) -> None:
    basket = Basket.objects.select_for_update().get(pk=basket_id)
    if basket.status != Basket.Status.FROZEN:
        return
    newer = Basket.objects.filter(owner=basket.owner_id, status=Basket.Status.OPEN).first()
    if newer is None:
        basket.status = Basket.Status.OPEN
        basket.save(update_fields=["status", "updated_at"])
    else:  # the customer started another basket meanwhile: give the lines back there
        basket_lines_move(source=basket, target=newer)
