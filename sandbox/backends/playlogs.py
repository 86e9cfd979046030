"""Play logs received from ``preview/log``, ``catalogue/log`` and ``user/subscription/log``
(reference lines 4735-4886): their per-second rate limit, who may send subscription logs,
and the logs kept for tests to count (``/_sandbox/playlogs``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet

from .. import exceptions
from ..models import ReceivedPlayLog
from ..state import state
from .subscriptions import subscriptions_backend

# Two logs are the same play when these agree (dateTimePlayed compared as sent).
SAME_PLAY = ("kind", "consumer_key", "user_id", "track_id", "played_at_text")


def _distinct_plays(logs: QuerySet) -> int:
    return logs.order_by().values(*SAME_PLAY).distinct().count()


def _received_so_far() -> QuerySet:
    """The logs stored up to now: counts taken in several queries agree with each other
    while more logs arrive (a later request's logs have higher ids)."""
    last = ReceivedPlayLog.objects.aggregate(last=Max("id"))["last"] or 0
    return ReceivedPlayLog.objects.filter(id__lte=last)


class PlayLogsBackend:
    # -- the rate limit, shared by the three endpoints ------------------------------------

    def rate_limit(self) -> int:
        """Log requests per second per key: the control API's value, else the setting."""
        with state.lock:
            override = state.log_rate_limit
        return settings.SANDBOX_LOG_RATE_LIMIT if override is None else override

    def set_rate_limit(self, value: int | None) -> None:
        """0: unlimited; None: back to SANDBOX_LOG_RATE_LIMIT."""
        with state.lock:
            state.log_rate_limit = value

    def admit(self, *, consumer_key: str) -> None:
        """Count one log request from the key, or refuse it (429) over the limit."""
        limit = self.rate_limit()
        if not state.admit_log_request(consumer_key, limit):
            raise exceptions.LogRateLimited(
                f"Rate limit exceeded: at most {limit} log requests per second per key"
            )

    # -- receiving -----------------------------------------------------------------------

    def check_subscriber(self, *, consumer_key: str, user_id: str) -> None:
        """Subscription plays only from a user who ever had a subscription (line 4788)."""
        if not subscriptions_backend.ever_had(consumer_key=consumer_key, user_id=user_id):
            raise exceptions.OutOfRange("User has never had a subscription")

    def store(
        self, *, kind: str, consumer_key: str, country: str, plays: list[dict[str, Any]]
    ) -> int:
        """Keep one request's logs: one insert, one request id, one arrival time."""
        request_id, received_at = uuid.uuid4(), state.now()
        rows = [
            ReceivedPlayLog(
                kind=kind,
                consumer_key=consumer_key,
                request_country=country,
                request_id=request_id,
                received_at=received_at,
                **play,
            )
            for play in plays
        ]
        with transaction.atomic(using="sandbox"):
            ReceivedPlayLog.objects.bulk_create(rows)
        return len(rows)

    # -- control -------------------------------------------------------------------------

    def delete_all(self) -> int:
        """Forget every received log; how many there were."""
        deleted, _ = ReceivedPlayLog.objects.all().delete()
        return deleted

    def reset(self) -> None:
        """Back to the seeded state: no logs. (The rate limit is in-memory state, which
        ``state.reset()`` clears.)"""
        self.delete_all()

    def received(
        self, *, kind: str | None, since: int, limit: int
    ) -> tuple[int, int, list[ReceivedPlayLog]]:
        """(count, distinct plays, the first ``limit`` logs) of those after id ``since``."""
        logs = _received_so_far()
        if kind:
            logs = logs.filter(kind=kind)
        logs = logs.filter(id__gt=since)
        count = logs.count()
        distinct = _distinct_plays(logs)
        return count, distinct, list(logs.order_by("id")[:limit])

    def summary(self) -> dict[str, dict[str, int]]:
        """Per kind: logs, distinct plays, duplicates and the requests that brought them."""
        received = _received_so_far()
        totals = {
            row["kind"]: row
            for row in received.order_by()
            .values("kind")
            .annotate(logs=Count("id"), requests=Count("request_id", distinct=True))
        }
        summary = {}
        for kind in ReceivedPlayLog.Kind.values:
            row = totals.get(kind, {"logs": 0, "requests": 0})
            distinct = _distinct_plays(received.filter(kind=kind)) if row["logs"] else 0
            summary[kind] = {
                "logs": row["logs"],
                "distinct": distinct,
                "duplicates": row["logs"] - distinct,
                "requests": row["requests"],
            }
        return summary


playlogs_backend = PlayLogsBackend()
