"""Background work of orders: crediting sales to 7digital, receipts, refunds left
part-way, the sweep."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .exceptions import DeliveryPending


@shared_task(
    # DeliveryPending: 7digital failed or another attempt is under way. The service left
    # the line marked so that the next attempt cannot sell it twice.
    autoretry_for=(DeliveryPending, OperationalError),
    retry_backoff=5,  # 5 s, 10 s, 20 s ... with full jitter
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=12,  # about two hours; after that the sweep queues it again
    ignore_result=True,
)
def order_line_deliver(line_id: int) -> None:
    """Report one paid order line's sale to 7digital (user/deliveritem)."""
    from . import services

    services.order_line_deliver(line_id=line_id)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=12,  # after that the sweep queues it again
    ignore_result=True,
)
def order_refund_resume(refund_id: int) -> None:
    """Finish a staff refund whose process stopped part-way (7digital, then payment)."""
    from . import services

    services.order_refund_resume(refund_id=refund_id)


@shared_task(ignore_result=True)
def order_lines_sweep() -> int:
    """Periodic: queue paid lines nobody delivered, receipts never sent and refunds
    left part-way (django-celery-beat, every 5 min)."""
    from . import services

    services.order_receipts_sweep()
    services.order_refunds_sweep()
    return len(services.order_lines_sweep())


@shared_task(ignore_result=True)
def order_payments_sweep() -> int:
    """Periodic: settle orders left awaiting payment (django-celery-beat, every 5 min)."""
    from . import services

    return len(services.order_payments_sweep())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8, ignore_result=True)
def order_receipt_send(order_id: int) -> None:
    """Email the customer a receipt for a paid order (once)."""
    from . import emails

    emails.order_receipt_send(order_id=order_id)
