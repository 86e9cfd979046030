"""Two requests at the same moment, each in a thread of its own with its own database
connection, for the tests that promise "exactly once" when work is repeated at once.

Such a test commits for real (``@pytest.mark.django_db(transaction=True, ...)``): a
thread cannot see rows written in another connection's open transaction. It needs the
database's own locks to be real too, so it runs where the suite's database is
PostgreSQL (CI's second pass). SQLite's in-memory test database is shared between the
threads' connections with table locks that fail at once ("database table is locked")
instead of waiting, so a race there says nothing about the locking: it is not run.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

RACE_SECONDS = 60
# How long a racer at a meeting point waits for the others (see at_once).
MEETING_SECONDS = 1.0

# For @pytest.mark.optional_on: in CI's SQLite pass these tests skip as not applicable.
NEEDS_ROW_LOCKS = "races need PostgreSQL's row locks"


def require_row_locks() -> None:
    """Skip unless the suite's database is PostgreSQL, where two connections wait for
    each other's row locks.

    Not :func:`tests.prerequisites.require_postgres`: that finds *a* PostgreSQL server,
    and these tests need the one Django's connections use, which is the suite's
    database or none (a server on this machine cannot stand in for SQLite mid-run).
    """
    if connection.vendor != "postgresql":
        pytest.skip(
            f"not applicable: the suite's database is {connection.vendor}, and {NEEDS_ROW_LOCKS} "
            "(SQLite's in-memory test database refuses a second writer at once instead of "
            "waiting); run the suite with a postgres:// DATABASE_URL"
        )


def catalogue_seeded() -> None:
    """The session's seeded sandbox catalogue, put back if an earlier transactional
    test's flush wiped it (this test's own flush wipes it again when it ends; the tests
    that run after transactional ones put it back the same way)."""
    from sandbox.models import Release
    from sandbox.seed import seed
    from tests.conftest import TEST_CATALOGUE_TRACKS

    if not Release.objects.using("sandbox").exists():
        seed(tracks=TEST_CATALOGUE_TRACKS)


class _Meetings:
    """Meeting points: each racer's first call of a method waits there until every
    racer still running has come to it too, or ``wait`` seconds have passed."""

    def __init__(self, racers: int, wait: float) -> None:
        self.racers = racers
        self.wait = wait
        self.changed = threading.Condition()
        self.arrived: dict[str, set[int]] = {}
        self.finished: set[int] = set()

    def hold(self, point: str, original: Callable) -> Callable:
        arrived = self.arrived.setdefault(point, set())

        def held(*args, **kwargs):
            me = threading.get_ident()
            with self.changed:
                if me not in arrived:
                    arrived.add(me)
                    self.changed.notify_all()
                    self.changed.wait_for(
                        lambda: len(arrived | self.finished) >= self.racers, timeout=self.wait
                    )
            return original(*args, **kwargs)

        return held

    def finish(self) -> None:
        with self.changed:
            self.finished.add(threading.get_ident())
            self.changed.notify_all()


def at_once(
    *calls: Callable[[], Any],
    meet_at: Sequence[tuple[type, str]] = (),
    wait: float = MEETING_SECONDS,
    timeout: float = RACE_SECONDS,
) -> list[Any]:
    """Run each call in its own thread, all released together by a barrier; return what
    each returned, or the exception it raised, in the order given.

    ``meet_at`` makes the race as close as it can be: (class, method name) pairs, such as
    the write that follows a check (``(Order, "save")``) or the call to 7digital. Each
    racer's first call of each waits until the others have come to it too (or finished),
    for up to ``wait`` seconds. Where a lock keeps the racers apart, the other racer is
    held at the lock and never comes: the first goes on after ``wait``, and the test
    passes that much later. Where nothing keeps them apart, both have checked before
    either writes, every time, so the test fails every time rather than now and then.
    (Should the code stop calling a method named, the race is only as close as the
    barrier makes it.)
    """
    start = threading.Barrier(len(calls), timeout=timeout)
    meetings = _Meetings(len(calls), wait)
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except BaseException as exc:  # handed to the test, which says what it expects
            outcomes[index] = exc
        finally:
            meetings.finish()
            connections.close_all()  # this thread's own connections

    with contextlib.ExitStack() as patches:
        for owner, method in meet_at:
            point = f"{owner.__qualname__}.{method}"
            held = meetings.hold(point, getattr(owner, method))
            patches.enter_context(mock.patch.object(owner, method, held))
        threads = [
            threading.Thread(target=run, args=(index, call), daemon=True)
            for index, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return outcomes
