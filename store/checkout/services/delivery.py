"""Delivering each paid line's sale to 7digital, and sending receipts.

``order_line_deliver`` reports each sale with ``user/deliveritem``. That call is not
idempotent (7digital sells again on a repeated transactionId), so before each attempt
the line is marked ``outcome_unknown`` and committed; if the answer never comes back
(timeout, dropped connection, crash), the next attempt first looks in the customer's
locker for a sale it has not accounted for, and takes that one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.sevendigital import get_uncached_client, is_transient
from sevendigital import errors
from store.checkout import tasks
from store.checkout.exceptions import DeliveryPending
from store.checkout.models import Order, OrderEvent, OrderLine

logger = logging.getLogger(__name__)

# After this many attempts without a definite answer the order shows "needs attention"
# to staff and customer; the sweep keeps trying.
ATTEMPTS_BEFORE_ATTENTION = 5


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
