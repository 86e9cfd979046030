"""Claimed rows into requests shaped for their endpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings

from sevendigital import errors
from sevendigital.resources import logging as log_api
from store.playlogs.models import CataloguePlay, OutboxPlay, PreviewPlay, SubscriptionPlay
from store.playlogs.outbox import kinds
from store.playlogs.outbox.kinds import Kind

logger = logging.getLogger(__name__)


@dataclass
class Request:
    """One POST to 7digital: its rows and how to send them."""

    rows: list[OutboxPlay]
    send: Callable[[list[OutboxPlay]], object]
    # Whether an error refuses every row of the request rather than one play.
    refuses_all: Callable[[errors.SevenDigitalError], bool] = lambda error: False


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _grouped(rows: Iterable[OutboxPlay], key: Callable) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _never_subscribed(error: errors.SevenDigitalError) -> bool:
    """``user/subscription/log``'s 1003 "User has never had a subscription" refuses the
    user, so every play of the request (1003 is also "out of range", for one play)."""
    return error.code == 1003 and "subscription" in error.message.lower()


def _unloggable(kind: Kind, row: OutboxPlay) -> str | None:
    """Why a row cannot make a log 7digital would take, before anything is sent."""
    if not (len(row.country) == 2 and row.country.isalpha()):
        return f"country {row.country!r} is not a 2-letter country code"
    if isinstance(row, CataloguePlay) and not row.listener_id:
        return "no listener id (userId) to report"
    if isinstance(row, SubscriptionPlay) and not row.partner_user_id:
        return "no partner user id to log the play for"
    return None


def requests_for(
    kind: Kind, rows: list[OutboxPlay], client
) -> tuple[list[Request], list[tuple[OutboxPlay, str]], list[tuple[OutboxPlay, Exception]]]:
    """The claimed rows as requests shaped for their endpoint; the rows that cannot make
    a valid log at all, with why (never sent); and those whose log could not be built
    for another reason (a bug: they fail, and are tried again later)."""
    logs = client.logging
    builder = {PreviewPlay: kinds.preview_log, CataloguePlay: kinds.catalogue_log}.get(
        kind.model, kinds.subscription_log
    )
    log_of: dict[int, object] = {}
    valid: list[OutboxPlay] = []
    invalid: list[tuple[OutboxPlay, str]] = []
    broken: list[tuple[OutboxPlay, Exception]] = []
    for row in rows:
        try:
            if reason := _unloggable(kind, row):
                raise ValueError(reason)
            log = builder(row)
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

    requests: list[Request] = []
    if kind.model is PreviewPlay:
        row_of = {id(log_of[id(row)]): row for row in valid}
        for batch in log_api.preview_batches(entries(valid)):
            requests.append(
                Request(
                    [row_of[id(log)] for log in batch],
                    # The query's country only authorises; each log carries its own.
                    lambda b: logs.previews(entries(b), country=settings.SEVENDIGITAL_COUNTRY),
                )
            )
    elif kind.model is CataloguePlay:
        for country, group in _grouped(valid, lambda r: r.country).items():
            for batch in _chunks(group, log_api.CATALOGUE_LOG_LIMIT):
                requests.append(
                    Request(batch, lambda b, c=country: logs.catalogue(entries(b), country=c))
                )
    else:
        groups = _grouped(valid, lambda r: (r.partner_user_id, r.country))
        for (user, country), group in groups.items():
            for batch in _chunks(group, log_api.SUBSCRIPTION_LOG_LIMIT):
                requests.append(
                    Request(
                        batch,
                        lambda b, u=user, c=country: logs.subscription(u, entries(b), country=c),
                        refuses_all=_never_subscribed,
                    )
                )
    return requests, invalid, broken
