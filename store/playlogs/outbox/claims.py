"""Which sender holds which rows, and what became of them.

A sender claims due rows before sending them: it writes its own token and a lease
(``PLAYLOG_CLAIM_SECONDS``) on them, and no other sender takes a row while its lease
runs. On PostgreSQL the candidates are read with ``SELECT … FOR UPDATE SKIP LOCKED``, so
concurrent senders take different rows without waiting for each other. SQLite has no
row locks: its transactions start ``IMMEDIATE`` (see the database settings), which holds
the database's one write lock from the read to the update, and the update itself only
takes rows still unclaimed (compare and set).

A row is marked delivered only after 7digital answered 2xx, and only by the sender whose
claim it holds (see ``docs/playlogs-outbox.md`` for what a crash in between costs).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from store.playlogs.models import OutboxPlay
from store.playlogs.outbox.kinds import Kind, kind_get

logger = logging.getLogger(__name__)


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def rows_claim(kind: Kind, *, token: uuid.UUID, limit: int) -> list[OutboxPlay]:
    """Claim up to ``limit`` due rows for the sender holding ``token``, oldest first."""
    now = timezone.now()
    with transaction.atomic():
        candidates = kind.due(now).filter(_unclaimed(now)).order_by(kind.time_field)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        kind.model.objects.filter(_unclaimed(now), pk__in=ids).update(
            claimed_by=token,
            claimed_until=now + timedelta(seconds=settings.PLAYLOG_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    claimed = kind.model.objects.filter(claimed_by=token, delivered_at__isnull=True)
    if kind.related:
        claimed = claimed.select_related(*kind.related)
    return list(claimed.order_by(kind.time_field))


def _mine(kind: Kind, rows: Iterable[OutboxPlay], token: uuid.UUID) -> QuerySet:
    return kind.model.objects.filter(pk__in=[r.pk for r in rows], claimed_by=token)


def rows_delivered(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID) -> int:
    marked = _mine(kind, rows, token).update(
        delivered_at=timezone.now(),
        claimed_by=None,
        claimed_until=None,
        next_attempt_at=None,
        last_error="",
    )
    if marked < len(rows):
        # The claim ran out while 7digital took its time (longer than the claim, which
        # is renewed before each request), and another sender may send these rows again.
        logger.warning(
            "%s of %s %s plays sent after their claim ran out",
            len(rows) - marked,
            len(rows),
            kind.name,
        )
    return marked


@retry(
    # 7digital has the plays: the mark is tried again rather than the rows given back
    # (which would send them twice). Marking twice is harmless.
    retry=retry_if_exception_type(DatabaseError),
    wait=wait_exponential_jitter(multiplier=0.5, max=10),
    stop=stop_after_attempt(6),
    reraise=True,
)
def rows_marked(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID) -> int:
    """:func:`rows_delivered`, tried again while the database fails."""
    return rows_delivered(kind, rows, token=token)


def rows_renew(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID) -> list[OutboxPlay]:
    """Extend this sender's claim on ``rows`` before sending them; the rows it no longer
    holds (its claim ran out and another sender took them) are left out."""
    mine = _mine(kind, rows, token)
    mine.update(claimed_until=timezone.now() + timedelta(seconds=settings.PLAYLOG_CLAIM_SECONDS))
    held = set(mine.values_list("pk", flat=True))
    return [row for row in rows if row.pk in held]


def rows_rejected(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID, reason: str) -> int:
    return _mine(kind, rows, token).update(
        rejected=True,
        rejected_reason=reason,
        rejected_at=timezone.now(),
        claimed_by=None,
        claimed_until=None,
        next_attempt_at=None,
    )


def rows_failed(
    kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID, error: str, retry_at: datetime
) -> int:
    return _mine(kind, rows, token).update(
        last_error=error, next_attempt_at=retry_at, claimed_by=None, claimed_until=None
    )


def rows_release(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID) -> int:
    """Give back rows claimed and not sent (the sender is stopping)."""
    return _mine(kind, rows, token).update(
        claimed_by=None, claimed_until=None, attempts=F("attempts") - 1
    )


def has_due(kind: str) -> bool:
    """Whether ``kind`` has plays to send now that no sender holds (the sweep's question:
    no count needed)."""
    now = timezone.now()
    return kind_get(kind).due(now).filter(_unclaimed(now)).exists()
