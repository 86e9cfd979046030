"""The tally of proxied preview responses, counted in memory and written in batches.

Every clip the proxy serves from its start is counted for the reconciliation report
(responses that started playback vs plays recorded). Writing each count as it happens
made every clip wait for a database commit on one row per day and country, which every
other clip of that day and country also updates: on SQLite a commit per clip, on
PostgreSQL a row lock that all workers queue on. The counts are instead added up in
the process and written together, one upsert per day and country, by a timer thread
``PREVIEW_TALLY_FLUSH_SECONDS`` after the first count of a batch, and at the
process's exit.

What this gives up: counts not yet written when a process is killed outright (SIGKILL,
power loss) are lost, at most ``PREVIEW_TALLY_FLUSH_SECONDS`` of them. The tally is a
cross-check, not a play log: every play itself is its own row, written at once
(:func:`store.player.services.preview_play_start`). A batch that cannot be written
(the database is down) is kept and tried again at the next flush.

Whole tracks are counted the same way, per day and source (:class:`StreamTally`): the
subscription's streams and radio's, set against the plays recorded of them, and the
locker's, which are never reported (the reconciliation's "stream responses vs plays").

The plays the play endpoints refuse (no clip received, too many too fast) are counted
the same way, per day and reason (:class:`RefusalTally`): a client forging plays sends
them by the thousand, and each must not cost a database write.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from store.playlogs import services

logger = logging.getLogger(__name__)


class DailyTally:
    """Counts per (UTC day, key), written by :meth:`flush` through :meth:`write`."""

    name = "tally"

    def __init__(self) -> None:
        self._counts: Counter[tuple[date, str]] = Counter()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def write(self, *, day: date, key: str, n: int) -> None:
        raise NotImplementedError

    def _count(self, key: str, at: datetime | None) -> None:
        key = ((at or timezone.now()).astimezone(UTC).date(), key)
        with self._lock:
            self._counts[key] += 1
            batched = self._schedule()
        if not batched:
            self.flush()

    def _schedule(self) -> bool:
        """With the lock held: make sure a flush is due; False when counts are not batched."""
        delay = settings.PREVIEW_TALLY_FLUSH_SECONDS
        if delay <= 0:
            return False
        if self._timer is None:
            self._timer = threading.Timer(delay, self._flush_in_thread)
            self._timer.daemon = True
            self._timer.start()
        return True

    @property
    def pending(self) -> int:
        """Counted and not written yet."""
        with self._lock:
            return sum(self._counts.values())

    def flush(self) -> None:
        """Write what has been counted; on failure keep it for the next flush."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if not counts:
            return
        written: list[tuple[date, str]] = []
        try:
            for (day, key), n in counts.items():
                self.write(day=day, key=key, n=n)
                written.append((day, key))
        except DatabaseError:
            logger.exception("Could not write the %s; will retry", self.name)
            for key in written:
                del counts[key]
            with self._lock:
                self._counts.update(counts)
                self._schedule()

    def _flush_in_thread(self) -> None:
        try:
            self.flush()
        finally:
            connections.close_all()  # this thread's own connections: it is about to end


class ResponseTally(DailyTally):
    """Proxied clip responses that started playback, per (UTC day, country)."""

    name = "tally of proxied previews"

    def count(self, *, country: str, at: datetime | None = None) -> None:
        """Count one proxied response that started playback, on the day (UTC) of ``at``."""
        self._count(country.upper()[:2], at)

    def write(self, *, day: date, key: str, n: int) -> None:
        services.preview_responses_add(day=day, country=key, responses=n)


class RefusalTally(DailyTally):
    """Starts of preview plays refused, per (UTC day, reason)."""

    name = "tally of refused preview plays"

    def count(self, *, reason: str, at: datetime | None = None) -> None:
        """Count one refused start of a play, on the day (UTC) of ``at``."""
        self._count(str(reason), at)

    def write(self, *, day: date, key: str, n: int) -> None:
        services.preview_refusals_add(day=day, reason=key, refusals=n)


class StreamTally(DailyTally):
    """Whole-track responses that started playback, per (UTC day, source): subscription,
    catalogue (radio) or locker."""

    name = "tally of proxied streams"

    def count(self, *, source: str, at: datetime | None = None) -> None:
        """Count one stream response that started playback, on the day (UTC) of ``at``."""
        self._count(str(source), at)

    def write(self, *, day: date, key: str, n: int) -> None:
        services.stream_responses_add(day=day, source=key, responses=n)


tally = ResponseTally()
refusals = RefusalTally()
streams = StreamTally()
atexit.register(tally.flush)
atexit.register(refusals.flush)
atexit.register(streams.flush)
