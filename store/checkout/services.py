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
5. ``order_refund`` works the same way round for staff refunds: the refund is written
   first, then 7digital is told of each line and the payment is returned, each call
   marked and committed before it goes out and its answer recorded after, never inside
   a transaction; ``order_refunds_sweep`` finishes a refund whose process stopped.
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
from .models import Order, OrderEvent, OrderLine, Refund, RefundLine

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

# How long one step of a refund (one call to 7digital, or the gateway's refund with its
# own retries: Stripe's library waits up to 80 s a try, three tries) may run before the
# sweep may carry the refund on in its place.
REFUND_LEASE = timedelta(minutes=10)
STILL_DELIVERING = "It is still being delivered. Try again when delivery has finished."
REFUND_UNDER_WAY = (
    "Another refund of this line is under way: its outcome will be in the order's history."
)


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

    No transaction is open while 7digital or the gateway is called: on SQLite it would
    hold the database's write lock through their timeouts and retries, and every other
    writer of the shop would wait. As with deliveries, the refund is written and
    committed first (which also keeps a second member of staff off the same lines), then
    each call is marked, committed, made, and its answer recorded before the next; a
    crash in between leaves a :class:`Refund` in progress for the sweep to finish.
    """
    if not reason.strip():
        raise ValueError("A refund needs a reason.")
    refund, outcome = _refund_open(
        order_id=order_id, line_ids=line_ids, actor=actor, reason=reason, override=override
    )
    if refund is None:
        return outcome
    return _refund_carry_on(refund, outcome)


def order_refund_resume(*, refund_id: int) -> RefundOutcome:
    """Carry on a refund whose process stopped part-way (the sweep queues this)."""
    now = timezone.now()
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.IN_PROGRESS:
            return RefundOutcome()
        if refund.lease_until and refund.lease_until > now:
            return RefundOutcome()  # its own process is still at it
        _refund_lease(refund.pk, now)
    return _refund_carry_on(refund, RefundOutcome())


def order_refunds_sweep() -> list[int]:
    """Queue every refund left in progress by a process that stopped (a crash, a
    deploy, a lost connection between a call and the record of its answer)."""
    from . import tasks

    refund_ids = list(
        Refund.objects.filter(status=Refund.Status.IN_PROGRESS)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now()))
        .values_list("pk", flat=True)[:200]
    )
    for pk in refund_ids:
        tasks.order_refund_resume.delay(pk)
    return refund_ids


def _refund_lease(refund_id: int, now) -> None:
    Refund.objects.filter(pk=refund_id).update(lease_until=now + REFUND_LEASE, last_attempt_at=now)


@transaction.atomic
def _refund_open(
    *, order_id: int, line_ids: list[int] | None, actor, reason: str, override: bool
) -> tuple[Refund | None, RefundOutcome]:
    """Write the refund and take its lines. The order's row lock makes two members of
    staff refunding at once take turns here: the second finds the lines taken."""
    outcome = RefundOutcome()
    order = Order.objects.select_for_update().get(pk=order_id)
    if not order.is_paid:
        raise ValueError("This order was never paid.")
    lines = order.lines.exclude(status=OrderLine.Status.REFUNDED)
    if line_ids is not None:
        lines = lines.filter(pk__in=line_ids)
    taken = set(
        RefundLine.objects.filter(
            refund__order=order, refund__status=Refund.Status.IN_PROGRESS
        ).values_list("line_id", flat=True)
    )
    chosen: list[OrderLine] = []
    for line in lines:
        if line.status == OrderLine.Status.PENDING:
            outcome.refused.append((line, STILL_DELIVERING))
        elif line.pk in taken:
            outcome.refused.append((line, REFUND_UNDER_WAY))
        else:
            chosen.append(line)
    if not chosen:
        return None, outcome
    now = timezone.now()
    refund = Refund.objects.create(
        order=order,
        actor=actor,
        reason=reason,
        override=override,
        lease_until=now + REFUND_LEASE,
        last_attempt_at=now,
    )
    RefundLine.objects.bulk_create(RefundLine(refund=refund, line=line) for line in chosen)
    return refund, outcome


def _refund_carry_on(refund: Refund, outcome: RefundOutcome) -> RefundOutcome:
    """Tell 7digital of each line not told yet, then return the payment."""
    for refund_line in refund.refund_lines.select_related("line"):
        line = refund_line.line
        refusal = refund_line.refusal  # from an earlier run of this refund
        if (
            not refusal
            and line.status == OrderLine.Status.DELIVERED
            and not line.refund_reported_at
        ):
            refusal = _refund_line_report(refund, line)
        if refusal and not refund.override:
            outcome.refused.append((line, refusal))
    return _refund_pay(refund, outcome)


def _refund_line_report(refund: Refund, line: OrderLine) -> str:
    """Tell 7digital that one line's sale is refunded, once; return its refusal in
    words, or "" when it accepted (or had accepted already)."""
    now = timezone.now()
    with transaction.atomic():
        _refund_lease(refund.pk, now)
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if line.refund_reported_at is not None:
            return ""  # told by an earlier refund whose payment failed: never twice
        earlier_unknown = line.refund_outcome_unknown
        line.refund_outcome_unknown = True
        line.save(update_fields=["refund_outcome_unknown"])
    try:
        _report_refund(refund.order, line)
    except errors.SevenDigitalError as exc:
        # A refund is not sold again by a repeated call: 7digital answers 2001, no such
        # sale. After an attempt whose answer never came back, that is the answer.
        if not (earlier_unknown and isinstance(exc, errors.NotFound)):
            return _refund_line_refused(refund, line, exc)
    _refund_line_reported(refund, line)
    return ""


@transaction.atomic
def _refund_line_reported(refund: Refund, line: OrderLine) -> None:
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    if line.refund_reported_at is not None:
        return
    line.refund_reported_at = timezone.now()
    line.refund_outcome_unknown = False
    line.save(update_fields=["refund_reported_at", "refund_outcome_unknown"])
    OrderEvent.objects.create(
        order_id=refund.order_id,
        line=line,
        kind=OrderEvent.Kind.REFUND_REPORTED,
        actor=refund.actor,
        message=refund.reason,
    )


@transaction.atomic
def _refund_line_refused(refund: Refund, line: OrderLine, exc: errors.SevenDigitalError) -> str:
    message = refund_refusal_message(exc)
    # 7digital answered, so the sale is as it was; unless it could not be reached, when
    # nobody knows whether the call arrived.
    OrderLine.objects.filter(pk=line.pk).update(refund_outcome_unknown=is_transient(exc))
    RefundLine.objects.filter(refund=refund, line=line).update(refusal=message[:500])
    if refund.override:
        OrderEvent.objects.create(
            order_id=refund.order_id,
            line=line,
            kind=OrderEvent.Kind.REFUND_OVERRIDE,
            actor=refund.actor,
            amount=line.price,
            message=f"{message} Overridden by staff. Reason: {refund.reason}",
        )
    else:
        OrderEvent.objects.create(
            order_id=refund.order_id,
            line=line,
            kind=OrderEvent.Kind.REFUND_REFUSED,
            actor=refund.actor,
            message=f"{message} Reason given: {refund.reason}",
        )
    return message


def _refund_pay(refund: Refund, outcome: RefundOutcome) -> RefundOutcome:
    """Return the payment for the lines 7digital accepted (or staff overrode)."""
    now = timezone.now()
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
        if refund.status != Refund.Status.IN_PROGRESS:
            return outcome  # finished meanwhile by another run
        to_pay_back = [
            refund_line.line
            for refund_line in refund.refund_lines.select_related("line")
            if refund.override or not refund_line.refusal
        ]
        if refund.amount is None:  # decided once: every later attempt sends the same
            refund.amount = sum((line.price for line in to_pay_back), Decimal("0"))
            # The same lines again (after a failure, or an answer lost) are the same refund.
            refund.payment_reference = f"refund-{refund.order.number}-" + "-".join(
                str(line.pk) for line in to_pay_back
            )
        refund.payment_outcome_unknown = refund.amount > 0
        refund.lease_until, refund.last_attempt_at = now + REFUND_LEASE, now
        refund.save()
    gateway_refund_id = ""
    if refund.amount > 0:
        order = refund.order
        try:
            gateway_refund_id = gateway_get(order.gateway).refund(
                order=order, amount=refund.amount, reference=refund.payment_reference
            )
        except PaymentError as exc:  # declined or failed: nothing was paid back
            logger.exception("Refund of order %s failed at the gateway", order.number)
            _refund_payment_failed(refund, str(exc))
            outcome.payment_error = str(exc)
            return outcome
    return _refund_finish(refund, to_pay_back, gateway_refund_id, outcome)


@transaction.atomic
def _refund_payment_failed(refund: Refund, message: str) -> None:
    """Lines told to 7digital stay told (``refund_reported_at``): a refund of them
    again sends only the payment."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.IN_PROGRESS:
        return
    refund.status = Refund.Status.PAYMENT_FAILED
    refund.payment_outcome_unknown = False
    refund.lease_until, refund.finished_at = None, timezone.now()
    refund.save()
    OrderEvent.objects.create(
        order_id=refund.order_id,
        kind=OrderEvent.Kind.REFUND_FAILED,
        actor=refund.actor,
        amount=refund.amount,
        message=f"{message}. Reason: {refund.reason}",
    )


@transaction.atomic
def _refund_finish(
    refund: Refund, to_pay_back: list[OrderLine], gateway_refund_id: str, outcome: RefundOutcome
) -> RefundOutcome:
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.IN_PROGRESS:
        return outcome  # finished meanwhile by another run
    now = timezone.now()
    if to_pay_back:
        OrderLine.objects.filter(pk__in=[line.pk for line in to_pay_back]).update(
            status=OrderLine.Status.REFUNDED, refunded_at=now
        )
        for line in to_pay_back:
            line.status, line.refunded_at = OrderLine.Status.REFUNDED, now
        order.amount_refunded += refund.amount
        remaining = order.lines.exclude(status=OrderLine.Status.REFUNDED).exists()
        order.status = Order.Status.PARTLY_REFUNDED if remaining else Order.Status.REFUNDED
        order.save(update_fields=["amount_refunded", "status"])
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.REFUNDED,
            actor=refund.actor,
            amount=refund.amount,
            message=f"{refund.reason} ({gateway_refund_id})"
            if gateway_refund_id
            else refund.reason,
        )
        outcome.refunded, outcome.amount = to_pay_back, refund.amount
    refund.status = Refund.Status.DONE
    refund.gateway_refund_id = gateway_refund_id
    refund.payment_outcome_unknown = False
    refund.lease_until, refund.finished_at = None, now
    refund.save()
    return outcome


def _report_refund(order: Order, line: OrderLine) -> None:
    refunds = get_uncached_client().refunds
    if line.track_id is not None:
        refunds.track(order.partner_user_id, purchase_id=line.purchase_id, track_id=line.track_id)
    else:
        refunds.release(
            order.partner_user_id, purchase_id=line.purchase_id, release_id=line.release_id
        )
