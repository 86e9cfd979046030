"""Background work of playlists: a customer's deletion once its undo window has passed,
and the sweep that sends deletions whose task was lost (the row holds the intent)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,  # after that the sweep sends it
    ignore_result=True,
)
def playlist_deletion_send(deletion_id: int) -> None:
    from . import deletions

    deletions.playlist_deletion_send(deletion_id=deletion_id)


@shared_task(ignore_result=True)
def playlist_deletions_sweep() -> int:
    """Periodic (every minute): deletions due for more than a minute and not sent."""
    from . import deletions

    return deletions.playlist_deletions_sweep()
