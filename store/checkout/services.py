"""Orders: placing, paying, crediting each sale to 7digital, refunding.

The order of events matters more here than anywhere else in the shop:

1. ``order_place`` writes the order and freezes the basket before any money moves,
   so a second submit cannot pay twice and a crash leaves a visible, unpaid order.
2. ``order_pay`` takes the money through the gateway. A refusal thaws the basket.
3. ``order_paid`` records the payment and, only after that commits, queues one
   delivery per line. From here the order exists even if every worker dies; the
   sweep (``order_lines_sweep``) finds lines nobody delivered.
4. ``order_line_deliver`` reports each sale with ``user/deliveritem``. That call is
   not idempotent (7digital sells again on a repeated transactionId), so before each
   attempt the line is marked ``outcome_unknown`` and committed; if the answer never
   comes back (timeout, dropped connection, crash), the next attempt first looks in
   the customer's locker for a sale it has not accounted for, and takes that one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.services import PartnerUserFailed, PartnerUserPending, partner_user_ensure
from sevendigital import errors
from store.basket.models import Basket
from store.basket.services import (
    BasketUnavailable,
    PriceChange,
    basket_lines_move,
    basket_prices_refresh,
)
from store.integrations.sevendigital import get_uncached_client, is_transient
from store.integrations.tasks import task_queue_on_commit

from .gateways import (
    Authorisation,
    PaymentDeclined,
    PaymentError,
    RedirectRequired,
    gateway_get,
)
from .models import Order, OrderEvent, OrderLine

logger = logging.getLogger(__name__)

# After this many attempts without a definite answer the order shows "needs attention"
# to staff and customer; the sweep keeps trying.
ATTEMPTS_BEFORE_ATTENTION = 5
POST_CODE_COUNTRIES = {"US"}  # user/deliveritem requires postCode there (reference line 6475)


class CheckoutNotPossible(Exception):
    """A pre-condition of checkout is not met; the message is for the customer, and
    ``changes`` says what re-pricing the basket changed on the way."""

    def __init__(self, message: str, changes: list[PriceChange] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []


class DeliveryPending(Exception):
    """A line could not be delivered yet; its task retries later."""


# -- checkout --------------------------------------------------------------------------------


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
        gateway = gateway_get(order.gateway)
        authorisation = gateway.authorise(
            order=order, amount=order.total, currency=order.currency, payment=payment
        )
        gateway.capture(order=order, authorisation=authorisation)
    except RedirectRequired as redirect:
        Order.objects.filter(pk=order.pk).update(payment_reference=redirect.reference)
        raise
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
    return order_paid(order_id=order.pk, authorisation=authorisation)


@transaction.atomic
def order_paid(*, order_id: int, authorisation: Authorisation) -> Order:
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
    order.payment_reference = authorisation.reference
    order.payment_error = ""
    order.save(update_fields=["status", "paid_at", "payment_reference", "payment_error"])
    if order.basket_id:  # a basket already given back to the customer is theirs
        Basket.objects.filter(pk=order.basket_id, status=Basket.Status.FROZEN).update(
            status=Basket.Status.SUBMITTED
        )
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.PAID, amount=order.total, message=message
    )
    from . import tasks

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


# -- delivering sales to 7digital ------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.ORDER_DELIVERY_LEASE_SECONDS)


def _claimed_purchases(partner_user_id: str) -> set[int]:
    return set(
        OrderLine.objects.filter(
            order__partner_user_id=partner_user_id, purchase_id__isnull=False
        ).values_list("purchase_id", flat=True)
    )


def _sale_in_locker(line: OrderLine) -> int | None:
    """The purchase id of a sale of this line's item that no order line accounts for."""
    order = line.order
    try:
        locker = get_uncached_client().locker.get(
            order.partner_user_id,
            release_id=line.release_id,
            track_id=line.track_id,
            page_size=50,
            country=order.country,
        )
    except errors.NotFound:
        return None
    claimed = _claimed_purchases(order.partner_user_id)
    for release in locker.releases:
        for bought in release.tracks:
            if (
                bought.purchase_id
                and bought.purchase_id not in claimed
                and bought.complete_album_purchase == (line.track_id is None)
                and (line.track_id is None or bought.track.id == line.track_id)
            ):
                return bought.purchase_id
    return None


def _order_status_update(order: Order) -> None:
    statuses = list(order.lines.values_list("status", "attempts"))
    if order.status in (Order.Status.REFUNDED, Order.Status.PARTLY_REFUNDED):
        return
    if all(status == OrderLine.Status.DELIVERED for status, _ in statuses):
        order.status, order.completed_at = Order.Status.COMPLETE, timezone.now()
    elif any(status == OrderLine.Status.FAILED for status, _ in statuses) or any(
        status == OrderLine.Status.PENDING and attempts >= ATTEMPTS_BEFORE_ATTENTION
        for status, attempts in statuses
    ):
        order.status = Order.Status.NEEDS_ATTENTION
    else:
        order.status = Order.Status.DELIVERING
    order.save(update_fields=["status", "completed_at"])


def _finish_attempt(line_id: int, **changes: Any) -> OrderLine:
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("order").get(pk=line_id)
        for name, value in changes.items():
            setattr(line, name, value)
        line.lease_until = None
        line.save()
        order = Order.objects.select_for_update().get(pk=line.order_id)
        _order_status_update(order)
        kind = {
            OrderLine.Status.DELIVERED: OrderEvent.Kind.DELIVERED,
            OrderLine.Status.FAILED: OrderEvent.Kind.DELIVERY_FAILED,
        }.get(line.status)
        if kind and "status" in changes:
            OrderEvent.objects.create(order=order, line=line, kind=kind, message=line.last_error)
    return line


def order_line_deliver(*, line_id: int) -> OrderLine:
    """Report one paid line's sale to 7digital, exactly once (see the module's notes)."""
    now = timezone.now()
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("order").get(pk=line_id)
        if line.status != OrderLine.Status.PENDING or not line.order.is_paid:
            return line
        if line.lease_until and line.lease_until > now:
            raise DeliveryPending(f"line {line.pk}: another attempt is under way")
        look_first = line.outcome_unknown
        line.attempts += 1
        line.outcome_unknown = True
        line.first_attempt_at = line.first_attempt_at or now
        line.last_attempt_at = now
        line.lease_until = now + _lease()
        line.save()
    order = line.order

    try:
        if look_first and (purchase_id := _sale_in_locker(line)):
            return _finish_attempt(
                line.pk,
                status=OrderLine.Status.DELIVERED,
                purchase_id=purchase_id,
                outcome_unknown=False,
                delivered_at=timezone.now(),
                last_error="",
            )
        purchase = get_uncached_client().purchasing.deliver_item(
            order.partner_user_id,
            release_id=line.release_id,
            track_id=line.track_id,
            package_id=line.package_id,
            transaction_id=line.transaction_id,
            retail_price=line.price,
            post_code=order.post_code or None,
            country=order.country,
        )
    except errors.SevenDigitalError as exc:
        if is_transient(exc):
            # The sale may or may not have been made: outcome_unknown stays set.
            _finish_attempt(line.pk, last_error=f"{exc.__class__.__name__}: {exc}"[:500])
            raise DeliveryPending(str(exc)) from exc
        logger.error("7digital refused the sale of order line %s: %r", line.pk, exc)
        return _finish_attempt(
            line.pk,
            status=OrderLine.Status.FAILED,
            outcome_unknown=False,
            last_error=f"7digital refused it ({exc.code}): {exc}"[:500],
        )
    return _finish_attempt(
        line.pk,
        status=OrderLine.Status.DELIVERED,
        purchase_id=purchase.id,
        outcome_unknown=False,
        delivered_at=timezone.now(),
        last_error="",
    )


# Receipts older than this are not sent late: the customer has their order page.
RECEIPT_LATE_LIMIT = timedelta(days=2)


def order_receipts_sweep() -> list[int]:
    """Queue the receipt of every order paid a while ago whose receipt was never sent:
    its task was lost with a broker that could not be reached, or ran out of retries."""
    from . import tasks

    now = timezone.now()
    quiet = now - timedelta(seconds=settings.ORDER_SWEEP_AFTER_SECONDS)
    order_ids = list(
        Order.objects.filter(
            paid_at__lt=quiet, paid_at__gt=now - RECEIPT_LATE_LIMIT, receipt_sent_at__isnull=True
        ).values_list("pk", flat=True)[:500]
    )
    for pk in order_ids:
        tasks.order_receipt_send.delay(pk)
    return order_ids


def order_lines_sweep() -> list[int]:
    """Queue every paid line that is not delivered and that nobody is working on.

    This is what delivers a sale when the worker died between payment and delivery,
    or when a task ran out of retries.
    """
    from . import tasks

    now = timezone.now()
    quiet = now - timedelta(seconds=settings.ORDER_SWEEP_AFTER_SECONDS)
    line_ids = list(
        OrderLine.objects.filter(
            status=OrderLine.Status.PENDING,
            order__paid_at__isnull=False,
            order__paid_at__lt=quiet,
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=quiet))
        .values_list("pk", flat=True)[:500]
    )
    for pk in line_ids:
        tasks.order_line_deliver.delay(pk)
    return line_ids


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
            gateway = gateway_get(order.gateway)
            reconcile = getattr(gateway, "reconcile", None)
            if reconcile is None:
                order_payment_failed(order_id=order.pk, message="The payment was never completed.")
            else:
                reconcile(order)
        except Exception:  # one order's trouble must not stop the others being settled
            logger.exception("Could not settle order %s awaiting payment", order.number)
            continue
        settled.append(order.number)
    return settled


# -- refunds ---------------------------------------------------------------------------------


@dataclass
class RefundOutcome:
    refunded: list[OrderLine] = field(default_factory=list)
    refused: list[tuple[OrderLine, str]] = field(default_factory=list)
    amount: Decimal = Decimal("0")
    payment_error: str = ""


def refund_refusal_message(exc: errors.SevenDigitalError) -> str:
    """7digital's answer in words staff can act on."""
    if isinstance(exc, errors.NotFound):
        return (
            "7digital has no such sale to refund (2001): it was already refunded, or the "
            "sale was never made."
        )
    if isinstance(exc, errors.NotAvailable):
        return (
            "7digital refuses refunds outside the reporting period (2002): a sale can be "
            "refunded in its month and until the 4th of the next."
        )
    if is_transient(exc):
        return "7digital could not be reached. Nothing was refunded; try again shortly."
    return f"7digital refused the refund ({exc.code}): {exc}"


def order_refund(
    *,
    order_id: int,
    line_ids: list[int] | None,
    actor,
    reason: str,
    override: bool = False,
) -> RefundOutcome:
    """Refund lines of an order (all of them with ``line_ids=None``).

    Each line is either refunded whole (reported to 7digital, money returned, audited)
    or left as it was: a line 7digital refuses is not paid back unless staff confirm the
    override, which is audited with their reason.
    """
    if not reason.strip():
        raise ValueError("A refund needs a reason.")
    outcome = RefundOutcome()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.is_paid:
            raise ValueError("This order was never paid.")
        lines = order.lines.exclude(status=OrderLine.Status.REFUNDED)
        if line_ids is not None:
            lines = lines.filter(pk__in=line_ids)
        to_pay_back: list[OrderLine] = []
        for line in lines:
            if line.status == OrderLine.Status.PENDING:
                outcome.refused.append(
                    (line, "It is still being delivered. Try again when delivery has finished.")
                )
                continue
            if line.status == OrderLine.Status.DELIVERED and not line.refund_reported_at:
                try:
                    _report_refund(order, line)
                except errors.SevenDigitalError as exc:
                    message = refund_refusal_message(exc)
                    if not override:
                        OrderEvent.objects.create(
                            order=order,
                            line=line,
                            kind=OrderEvent.Kind.REFUND_REFUSED,
                            actor=actor,
                            message=f"{message} Reason given: {reason}",
                        )
                        outcome.refused.append((line, message))
                        continue
                    OrderEvent.objects.create(
                        order=order,
                        line=line,
                        kind=OrderEvent.Kind.REFUND_OVERRIDE,
                        actor=actor,
                        amount=line.price,
                        message=f"{message} Overridden by staff. Reason: {reason}",
                    )
                else:
                    line.refund_reported_at = timezone.now()
                    line.save(update_fields=["refund_reported_at"])
                    OrderEvent.objects.create(
                        order=order,
                        line=line,
                        kind=OrderEvent.Kind.REFUND_REPORTED,
                        actor=actor,
                        message=reason,
                    )
            to_pay_back.append(line)

        amount = sum((line.price for line in to_pay_back), Decimal("0"))
        if to_pay_back and amount > 0:
            try:
                reference = gateway_get(order.gateway).refund(
                    order=order,
                    amount=amount,
                    # The same lines again (a retry after a timeout) are the same refund.
                    reference=f"refund-{order.number}-"
                    + "-".join(str(line.pk) for line in to_pay_back),
                )
            except (PaymentError, PaymentDeclined) as exc:
                logger.exception("Refund of order %s failed at the gateway", order.number)
                OrderEvent.objects.create(
                    order=order,
                    kind=OrderEvent.Kind.REFUND_FAILED,
                    actor=actor,
                    amount=amount,
                    message=f"{exc}. Reason: {reason}",
                )
                outcome.payment_error = str(exc)
                return outcome
        else:
            reference = ""
        now = timezone.now()
        for line in to_pay_back:
            line.status, line.refunded_at = OrderLine.Status.REFUNDED, now
            line.save(update_fields=["status", "refunded_at"])
        if to_pay_back:
            order.amount_refunded += amount
            remaining = order.lines.exclude(status=OrderLine.Status.REFUNDED).exists()
            order.status = Order.Status.PARTLY_REFUNDED if remaining else Order.Status.REFUNDED
            order.save(update_fields=["amount_refunded", "status"])
            OrderEvent.objects.create(
                order=order,
                kind=OrderEvent.Kind.REFUNDED,
                actor=actor,
                amount=amount,
                message=f"{reason} ({reference})" if reference else reason,
            )
        outcome.refunded, outcome.amount = to_pay_back, amount
    return outcome


def _report_refund(order: Order, line: OrderLine) -> None:
    refunds = get_uncached_client().refunds
    if line.track_id is not None:
        refunds.track(order.partner_user_id, purchase_id=line.purchase_id, track_id=line.track_id)
    else:
        refunds.release(
            order.partner_user_id, purchase_id=line.purchase_id, release_id=line.release_id
        )
