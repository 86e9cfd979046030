"""Background work of subscriptions: each change sent to 7digital, the sweep that sends
what was left behind, the monthly windows and the daily reconciliation.

The retry policy lives in the rows, not in Celery (services/sync.py): a change that
failed for now waits for its ``next_attempt_at`` and the minute's sweep queues it, so a
task lost with its worker or its broker costs at most that minute.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from sevendigital.errors import SevenDigitalError
from store.checkout.gateways import PaymentError

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),  # the database was busy (SQLite): try again soon
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,  # after that the sweep queues it again
    ignore_result=True,
)
def subscription_sync_send(sync_id: int) -> None:
    """Tell 7digital the newest state of this change's subscription, and confirm it."""
    from . import services

    services.subscription_sync_send(sync_id=sync_id)


@shared_task(ignore_result=True)
def subscription_syncs_sweep() -> int:
    """Periodic (every minute): queue changes due again and attempts whose worker died."""
    from . import services

    return len(services.subscription_syncs_sweep())


@shared_task(ignore_result=True)
def subscription_refunds_sweep() -> int:
    """Periodic (every 5 minutes): resume staff refunds whose process stopped."""
    from .services import refunds

    return len(refunds.subscription_refunds_sweep())


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,  # after that the sweep queues it again
    ignore_result=True,
)
def subscription_refund_resume(refund_id: int) -> None:
    """Finish a staff refund left in progress: ask the gateway again, record the answer."""
    from .services import refunds

    refunds.subscription_refund_resume(refund_id=refund_id)


@shared_task(ignore_result=True)
def subscriptions_roll() -> int:
    """Periodic (daily): tell 7digital the next month of yearly plans and long trials."""
    from . import services

    return services.subscriptions_roll()


@shared_task(ignore_result=True)
def subscriptions_reconcile() -> dict[str, int]:
    """Periodic (daily): compare 7digital's state with the shop's and repair drift."""
    from . import services

    return services.subscriptions_reconcile()


@shared_task(
    autoretry_for=(PaymentError,),  # the gateway could not be reached: it must still hear
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    ignore_result=True,
)
def subscription_renewal_stop(subscription_id: int) -> bool:
    """Tell the gateway not to bill an ended subscription again (a closed account)."""
    from . import services

    return services.subscription_renewal_stop(subscription_id=subscription_id)


@shared_task(ignore_result=True)
def subscriptions_test_cycle() -> int:
    """Periodic (every few minutes): the test gateway's renewals, failed renewals and
    expiries, as its clock brings them, reach the shop's rows and 7digital."""
    from . import services

    return services.subscriptions_test_cycle()


@shared_task(
    autoretry_for=(OperationalError, SevenDigitalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
    ignore_result=True,
)
def offline_devices_disable(user_id: int) -> int:
    """A subscription stopped giving premium access: disable the customer's offline
    devices at 7digital (unless it gives it again by now). If every retry fails, the
    customer's devices page disables them when next opened."""
    from integrations.sevendigital import is_transient

    from .services import devices

    try:
        return devices.offline_devices_disable_all(user_id=user_id)
    except SevenDigitalError as exc:
        if is_transient(exc):
            raise  # tried again later
        logger.error("Offline devices of user %s not disabled: %r", user_id, exc)
        return 0
