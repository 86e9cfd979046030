"""Staff refunds of paid orders.

``order_refund`` works the same way round as delivery: the refund is written first,
then 7digital is told of each line and the payment is returned, each call marked and
committed before it goes out and its answer recorded after, never inside a
transaction; ``order_refunds_sweep`` finishes a refund whose process stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.sevendigital import get_uncached_client, is_transient
from sevendigital import errors
from store.checkout import tasks
from store.checkout.gateways import PaymentError, gateway_get
from store.checkout.models import Order, OrderEvent, OrderLine, Refund, RefundLine

logger = logging.getLogger(__name__)

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
