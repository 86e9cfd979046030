"""Background work of accounts: creating partner users at 7digital."""

from __future__ import annotations

import contextlib

from celery import shared_task
from django.db import OperationalError

from accounts.exceptions import PartnerUserFailed, PartnerUserPending


@shared_task(
    # OperationalError: the database was busy (SQLite's lock, a failover); nothing was
    # recorded, and 7digital's 2003 makes trying again safe.
    autoretry_for=(PartnerUserPending, OperationalError),
    retry_backoff=True,  # 1 s, 2 s, 4 s ... with full jitter, so retries do not come in step
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=16,  # about three hours; after that the sweep queues it again
    ignore_result=True,
)
def partner_user_link(partner_user_id: int) -> None:
    """Create an account's partner user at 7digital (retried while 7digital fails)."""
    # A refusal is recorded on the link, with the reason, for staff to retry.
    from accounts import services

    with contextlib.suppress(PartnerUserFailed):
        services.partner_user_link(partner_user_id=partner_user_id)


@shared_task(ignore_result=True)
def partner_users_sweep() -> int:
    """Periodic: queue again the links left pending (django-celery-beat, every 5 min)."""
    from accounts import services

    return services.partner_users_sweep()
