"""The sender: claimed rows out to 7digital in paced requests, and the staff's retry.

A 1xxx error means 7digital refuses the request's content. The whole request is refused,
so the batch is split in halves until the refused play is alone; it is then kept, flagged
``rejected`` with 7digital's message, and not sent again until staff retry it (unless its
kind says the refusal refuses every row of the request: see :mod:`.kinds`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.sevendigital import get_uncached_client
from sevendigital import errors
from store.playlogs import tasks
from store.playlogs.models import OutboxPlay
from store.playlogs.outbox import claims, pacing
from store.playlogs.outbox.batching import Request, requests_for
from store.playlogs.outbox.claims import (
    has_due,
    rows_claim,
    rows_failed,
    rows_rejected,
    rows_release,
    rows_renew,
)
from store.playlogs.outbox.kinds import Kind, kind_get
from store.playlogs.outbox.pacing import (
    RATE_LIMITED_TRIES,
    RATE_LIMITED_WAIT_SECONDS,
    backoff_seconds,
    is_refusal,
    rate_limited,
)

logger = logging.getLogger(__name__)


class ShipDeferred(Exception):
    """7digital keeps failing: stop sending, and try again after ``countdown`` seconds."""

    def __init__(self, countdown: float, error: BaseException) -> None:
        self.countdown = countdown
        self.error = error
        super().__init__(f"play logs deferred {countdown:.1f}s after: {error}")


@dataclass
class ShipResult:
    delivered: int = 0
    rejected: int = 0
    failed: int = 0
    requests: int = 0
    more: bool = False  # stopped with rows still due (time was up or asked to stop)


@dataclass
class _Sender:
    kind: Kind
    token: uuid.UUID
    client: object
    result: ShipResult
    sleep: Callable[[float], None]

    def send(self, request: Request) -> None:
        """Send one request; on a refusal, split it until the refused plays are alone."""
        request.rows = rows_renew(self.kind, request.rows, token=self.token)
        if not request.rows:
            return
        try:
            self._send_paced(request)
        except errors.SevenDigitalError as error:
            if not is_refusal(error):
                raise
            if len(request.rows) == 1 or self.kind.refuses_all(error):
                self.result.rejected += rows_rejected(
                    self.kind, request.rows, token=self.token, reason=str(error)
                )
                logger.warning(
                    "7digital refused %s %s plays: %s", len(request.rows), self.kind.name, error
                )
                return
            middle = len(request.rows) // 2
            for half in (request.rows[:middle], request.rows[middle:]):
                self.send(Request(half, request.send))
            return
        self.result.delivered += claims.rows_marked(self.kind, request.rows, token=self.token)

    def _send_paced(self, request: Request) -> None:
        """Send at this sender's turn; a 429 (another client of the same key, or
        requests bunched up in transit) waits out 7digital's window and tries again."""
        for tries in range(1, RATE_LIMITED_TRIES + 1):
            pacing.pace_wait(sleep=self.sleep)
            self.result.requests += 1
            try:
                request.send(request.rows)
                return
            except errors.SevenDigitalError as error:
                if not rate_limited(error) or tries == RATE_LIMITED_TRIES:
                    raise
                self.sleep(RATE_LIMITED_WAIT_SECONDS)


def playlogs_ship(
    *,
    kind: str,
    seconds: float | None = None,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    client=None,
) -> ShipResult:
    """Send due plays of ``kind`` to 7digital for up to ``seconds``; safe to run in as
    many processes at once as wanted. Raises :class:`ShipDeferred` when 7digital keeps
    failing for longer than the time left."""
    play_kind = kind_get(kind)
    client = client or get_uncached_client()
    budget = settings.PLAYLOG_SHIP_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + budget
    result = ShipResult()
    failures = 0
    while True:
        if stop() or time.monotonic() >= deadline:
            result.more = has_due(kind)
            return result
        token = uuid.uuid4()
        rows = rows_claim(play_kind, token=token, limit=play_kind.claim_size)
        if not rows:
            return result
        sender = _Sender(play_kind, token, client, result, sleep)
        pending, invalid, broken = requests_for(play_kind, rows, client)
        for row, reason in invalid:
            result.rejected += rows_rejected(play_kind, [row], token=token, reason=reason)
        for row, error in broken:
            result.failed += _failed(play_kind, [row], token, error)
        unfilled = play_kind.unfilled(len(rows), pending)
        if unfilled is not None:
            pending = [request for request in pending if request is not unfilled]
            rows_release(play_kind, unfilled.rows, token=token)
        try:
            while pending and not stop() and time.monotonic() < deadline:
                # Out of pending before it is sent: once 7digital may have it, its rows
                # are never given back (only failed, or left to their claim).
                request = pending.pop(0)
                try:
                    sender.send(request)
                except (errors.SevenDigitalError, OSError):
                    pending.insert(0, request)
                    raise
                except DatabaseError:
                    raise
                except Exception as error:  # a play the client could not send: a bug
                    logger.exception("Could not send %s %s plays", len(request.rows), kind)
                    result.failed += _failed(play_kind, request.rows, token, error)
                    continue
                failures = 0
        except (errors.SevenDigitalError, OSError) as error:
            left = [row for request in pending for row in request.rows]
            pending = []
            # Successive failures wait longer, across tasks too: the rows remember.
            failures = max([failures + 1, *(row.attempts for row in left)])
            delay = backoff_seconds(failures)
            result.failed += _failed(play_kind, left, token, error, delay=delay)
            logger.warning(
                "Could not send %s %s plays to 7digital (%s); again in %.1fs",
                len(left),
                kind,
                error,
                delay,
            )
            if time.monotonic() + delay >= deadline:
                raise ShipDeferred(delay, error) from error
            sleep(delay)
        finally:
            unsent = [row for request in pending for row in request.rows]
            if unsent:
                rows_release(play_kind, unsent, token=token)


def _failed(
    kind: Kind, rows: list[OutboxPlay], token: uuid.UUID, error: BaseException, *, delay=None
) -> int:
    if delay is None:
        delay = backoff_seconds(max((row.attempts for row in rows), default=1))
    return rows_failed(
        kind,
        rows,
        token=token,
        error=str(error)[:2000] or type(error).__name__,
        retry_at=timezone.now() + timedelta(seconds=delay),
    )


@transaction.atomic
def playlogs_retry(*, kind: str, ids: Iterable | None = None) -> int:
    """Send rejected or failing plays again now (staff's retry button).

    Rejected rows lose their flag but keep 7digital's reason in ``last_error``, so the
    page still says why they failed before. Returns how many rows were put back.
    """
    play_kind = kind_get(kind)
    rows = play_kind.model.objects.filter(delivered_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    failing = rows.filter(rejected=False).exclude(last_error="").update(next_attempt_at=None)
    rejected = rows.filter(rejected=True).update(
        rejected=False, rejected_at=None, last_error=F("rejected_reason"), next_attempt_at=None
    )
    if failing + rejected:
        transaction.on_commit(lambda: tasks.ship_soon(kind, due_at=timezone.now()))
    return failing + rejected
