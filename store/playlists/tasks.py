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


IMPORT_RETRIES = 5  # then the sweep sends it again, up to imports.MAX_ATTEMPTS runs


@shared_task(bind=True, max_retries=IMPORT_RETRIES, ignore_result=True)
def playlist_import_run(self, import_id: int) -> None:
    from . import imports

    try:
        imports.playlist_import_run(import_id=import_id)
    except imports.TryLater as exc:
        if self.request.retries >= IMPORT_RETRIES:
            return  # still queued: the sweep's
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc


@shared_task(ignore_result=True)
def playlist_imports_sweep() -> int:
    """Periodic (every minute): imports still queued a while after they were asked for."""
    from . import imports

    return imports.playlist_imports_sweep()
