"""Background work of play logs: ship each kind's due plays to 7digital, and the sweep.

Recording a play queues no message per play: :func:`ship_soon` queues at most one
shipping task per kind for each few seconds in which plays fall due (remembered in the
cache), and the beat sweep queues one for any kind that still has due plays (a crash,
an outage, a broker that was down when the play was recorded).
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import UTC, datetime

from celery import shared_task
from celery.signals import worker_shutting_down
from django.core.cache import cache
from django.db import OperationalError

logger = logging.getLogger(__name__)

# Plays falling due within the same few seconds share one queued task.
KICK_SECONDS = 2

# Set when the worker begins a warm shutdown (SIGTERM, a deploy): a shipping task
# finishes the request in flight and gives back the rows it has not sent, instead of
# keeping the worker up for the rest of its time.
shutting_down = threading.Event()


@worker_shutting_down.connect
def _stop_shipping(**kwargs) -> None:
    shutting_down.set()


@shared_task(
    bind=True,
    # The database was busy or away: nothing was sent that is not recorded.
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=None,
    ignore_result=True,
)
def playlogs_ship(self, kind: str) -> int:
    """Send ``kind``'s due plays to 7digital; queue the next task if time ran out."""
    from store.playlogs import outbox

    try:
        result = outbox.playlogs_ship(kind=kind, stop=shutting_down.is_set)
    except outbox.ShipDeferred as deferred:
        # 7digital keeps failing: the rows are marked with their next attempt, and this
        # task comes back then (the sweep would too, if the broker lost it).
        raise self.retry(countdown=deferred.countdown, max_retries=None) from deferred.error
    if result.more and not shutting_down.is_set():
        playlogs_ship.delay(kind)
    return result.delivered


@shared_task(ignore_result=True)
def playlogs_sweep() -> list[str]:
    """Periodic (django-celery-beat): queue a shipping task for each kind with due plays."""
    from store.playlogs import outbox

    queued = [kind for kind in outbox.KINDS if outbox.has_due(kind)]
    for kind in queued:
        playlogs_ship.delay(kind)
    return queued


def ship_soon(kind: str, *, due_at: datetime) -> None:
    """Make sure a shipping task for ``kind`` runs soon after ``due_at``.

    Called after a play is recorded. Never raises: a broker that cannot be reached
    costs only time, as the sweep will queue the task.
    """
    bucket = math.ceil(due_at.timestamp() / KICK_SECONDS) * KICK_SECONDS
    try:
        if not cache.add(f"playlogs:ship:{kind}:{bucket}", True, timeout=KICK_SECONDS * 4):
            return  # a task for this moment is queued already
        playlogs_ship.apply_async((kind,), eta=datetime.fromtimestamp(bucket, UTC))
    except Exception:  # the play is recorded; the sweep will ship it
        logger.warning("Could not queue the shipping of %s plays", kind, exc_info=True)
