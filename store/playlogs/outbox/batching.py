"""Claimed rows into requests: each row's log built and checked, then grouped by its kind."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.playlogs.models import OutboxPlay

if TYPE_CHECKING:
    from store.playlogs.outbox.kinds import Kind

logger = logging.getLogger(__name__)


@dataclass
class Request:
    """One POST to 7digital: its rows and how to send them."""

    rows: list[OutboxPlay]
    send: Callable[[list[OutboxPlay]], object]


def chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def grouped(rows: Iterable[OutboxPlay], key: Callable) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def requests_for(
    kind: Kind, rows: list[OutboxPlay], client
) -> tuple[list[Request], list[tuple[OutboxPlay, str]], list[tuple[OutboxPlay, Exception]]]:
    """The claimed rows as requests shaped for their endpoint; the rows that cannot make
    a valid log at all, with why (never sent); and those whose log could not be built
    for another reason (a bug: they fail, and are tried again later)."""
    log_of: dict[int, object] = {}
    valid: list[OutboxPlay] = []
    invalid: list[tuple[OutboxPlay, str]] = []
    broken: list[tuple[OutboxPlay, Exception]] = []
    for row in rows:
        try:
            if reason := kind.unloggable(row):
                raise ValueError(reason)
            log = kind.log(row)
            log.to_json()  # the client's own checks: play mode, end reason, aware time
        except ValueError as exc:
            invalid.append((row, f"Not sent: {exc}"))
            continue
        except Exception as exc:  # a bug, not the play's fault: it fails, and is retried
            logger.exception("Could not build the %s log of play %s", kind.name, row.pk)
            broken.append((row, exc))
            continue
        log_of[id(row)] = log
        valid.append(row)

    def entries(batch: list[OutboxPlay]) -> list:
        return [log_of[id(row)] for row in batch]

    return kind.requests(valid, client.logging, entries), invalid, broken
