"""Shipping recorded plays to 7digital: claim, send in batches, mark, retry, reject.

7digital pays labels from these logs: a play never reported is a licence breach, one
reported twice costs the partner money. So:

* **Claims.** A sender claims due rows before sending them: it writes its own token and
  a lease (``PLAYLOG_CLAIM_SECONDS``) on them, and no other sender takes a row while its
  lease runs. On PostgreSQL the candidates are read with ``SELECT … FOR UPDATE SKIP
  LOCKED``, so concurrent senders take different rows without waiting for each other.
  SQLite has no row locks: its transactions start ``IMMEDIATE`` (see the database
  settings), which holds the database's one write lock from the read to the update,
  and the update itself only takes rows still unclaimed (compare and set).
* **Delivered only once accepted.** A row is marked delivered after 7digital answered
  2xx, and only by the sender whose claim it holds. A sender killed between 7digital's
  acceptance and that update leaves its rows to be sent again when the lease runs out:
  a duplicate, which is the price of never losing a play (at most one batch per crash).
* **Retries.** Connection failures, timeouts, 5xx, 429 and non-1xxx API errors are
  transient: the rows wait ``PLAYLOG_RETRY_BASE_SECONDS`` * 2^(failures - 1), jittered
  and capped, and the sender backs off by as much before its next request.
* **Rejections.** A 1xxx error means 7digital refuses the request's content. The whole
  request is refused, so the batch is split in halves until the refused play is alone;
  it is then kept, flagged ``rejected`` with 7digital's message, and not sent again
  until staff retry it. (1003 on ``user/subscription/log`` refuses the user, not a
  play: all of that user's rows are rejected at once.)
* **Pace.** Every sender, in every process, takes its turn from one row in the database
  (:class:`~store.playlogs.models.DeliveryPace`), so all of them together stay under
  7digital's requests per second per consumer key.
"""

from __future__ import annotations

import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from sevendigital import errors
from sevendigital.resources import playlogs as log_api
from store.integrations.sevendigital import get_uncached_client
from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    CataloguePlay,
    DeliveryPace,
    OutboxPlay,
    PreviewPlay,
    SubscriptionPlay,
)

logger = logging.getLogger(__name__)

PACE_NAME = "sevendigital-logs"
# Requests leave a little further apart than the limit asks: two requests that left
# exactly 1/limit apart can arrive closer together than that.
PACE_MARGIN = 1.03
# A 429 all the same: wait out the window (7digital's is one second) and send again.
RATE_LIMITED_WAIT_SECONDS = 1.0
RATE_LIMITED_TRIES = 3


class ShipDeferred(Exception):
    """7digital keeps failing: stop sending, and try again after ``countdown`` seconds."""

    def __init__(self, countdown: float, error: BaseException) -> None:
        self.countdown = countdown
        self.error = error
        super().__init__(f"play logs deferred {countdown:.1f}s after: {error}")


# -- the three kinds --------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of play: its table, when its rows are due, how they are sent."""

    name: str
    label: str
    model: type[OutboxPlay]
    time_field: str
    claim_size: int
    related: tuple[str, ...] = ()

    def unsent(self) -> QuerySet:
        return self.model.objects.filter(delivered_at__isnull=True, rejected=False)

    def due(self, now: datetime) -> QuerySet:
        rows = self.unsent().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        if self.model is PreviewPlay:
            settled = now - timedelta(seconds=settings.PLAYLOG_PREVIEW_SETTLE_SECONDS)
            abandoned = now - timedelta(seconds=settings.PLAYLOG_PREVIEW_OPEN_SECONDS)
            rows = rows.filter(
                Q(seconds_played__gte=PREVIEW_SECONDS_MAX)
                | Q(reported_at__lte=settled)
                | Q(started_at__lte=abandoned)
            )
        return rows

    def next_due_at(self, play: OutboxPlay) -> datetime:
        """When a row just recorded becomes due (previews wait for the player)."""
        if isinstance(play, PreviewPlay):
            if play.seconds_played is not None and play.seconds_played >= PREVIEW_SECONDS_MAX:
                return timezone.now()
            if play.reported_at is not None:
                return play.reported_at + timedelta(seconds=settings.PLAYLOG_PREVIEW_SETTLE_SECONDS)
            return play.started_at + timedelta(seconds=settings.PLAYLOG_PREVIEW_OPEN_SECONDS)
        return timezone.now()


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "preview",
            "Preview plays",
            PreviewPlay,
            "started_at",
            claim_size=log_api.PREVIEW_LOG_LIMIT,
            related=("user__partner_user",),
        ),
        Kind(
            "catalogue",
            "Catalogue plays",
            CataloguePlay,
            "played_at",
            claim_size=5 * log_api.CATALOGUE_LOG_LIMIT,
        ),
        Kind(
            "subscription",
            "Subscription plays",
            SubscriptionPlay,
            "played_at",
            # Requests go per user: a claim of many users' plays is many requests,
            # which must all leave well within the claim (PLAYLOG_CLAIM_SECONDS).
            claim_size=log_api.SUBSCRIPTION_LOG_LIMIT,
        ),
    )
}


def kind_get(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"no such kind of play: {name!r}") from None


# -- what each request carries ------------------------------------------------------


@dataclass
class Request:
    """One POST to 7digital: its rows and how to send them."""

    rows: list[OutboxPlay]
    send: Callable[[list[OutboxPlay]], object]
    # Whether an error refuses every row of the request rather than one play.
    refuses_all: Callable[[errors.SevenDigitalError], bool] = lambda error: False


def whole_seconds(value: Decimal | int | None) -> int:
    if value is None:
        return 0  # the player never said: logged as pre-fetched, as the reference asks
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def preview_listener_id(play: PreviewPlay) -> str:
    """The userId 7digital gets for a preview: the account's partner user id when the
    listener was signed in, else the random id of their browser session."""
    partner = getattr(play.user, "partner_user", None) if play.user_id else None
    if partner is not None:
        return partner.partner_user_id
    return f"anon-{play.anonymous_id or play.pk}"


def preview_log(play: PreviewPlay) -> log_api.PreviewLog:
    return log_api.PreviewLog(
        track_id=play.track_id,
        played_at=play.started_at,
        seconds_played=whole_seconds(play.seconds_played),
        user_agent=play.user_agent,
        user_id=preview_listener_id(play),
        country=play.country,
        play_mode=play.play_mode,
    )


def catalogue_log(play: CataloguePlay) -> log_api.CatalogueLog:
    return log_api.CatalogueLog(
        track_id=play.track_id,
        release_id=play.release_id,
        format_id=play.format_id,
        played_at=play.played_at,
        seconds_played=play.seconds_played,
        user_agent=play.user_agent,
        user_id=play.listener_id,
        end_reason=play.end_reason,
    )


def subscription_log(play: SubscriptionPlay) -> log_api.SubscriptionLog:
    return log_api.SubscriptionLog(
        track_id=play.track_id,
        release_id=play.release_id,
        format_id=play.format_id,
        played_at=play.played_at,
        seconds_played=play.seconds_played,
        user_agent=play.user_agent,
        play_mode=play.play_mode,
    )


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
    builder = {PreviewPlay: preview_log, CataloguePlay: catalogue_log}.get(
        kind.model, subscription_log
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


# -- claims ------------------------------------------------------------------------


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
def _marked(kind: Kind, rows: list[OutboxPlay], *, token: uuid.UUID) -> int:
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


# -- pace and backoff ----------------------------------------------------------------


def pace_wait(*, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait for this sender's turn to send a log request, shared with every process.

    Each turn moves the row's ``next_at`` on by one interval with a compare-and-set
    update, so two senders can never take the same turn.
    """
    interval = timedelta(seconds=PACE_MARGIN / settings.PLAYLOG_REQUESTS_PER_SECOND)
    while True:
        now = timezone.now()
        pace, _ = DeliveryPace.objects.get_or_create(name=PACE_NAME, defaults={"next_at": now})
        turn = max(now, pace.next_at)
        if DeliveryPace.objects.filter(name=PACE_NAME, next_at=pace.next_at).update(
            next_at=turn + interval
        ):
            break
    delay = (turn - timezone.now()).total_seconds()
    if delay > 0:
        sleep(delay)


def backoff_seconds(failures: int, *, rng: random.Random | None = None) -> float:
    """base * 2^(failures - 1), capped, with "equal jitter": between half and all of it."""
    ceiling = min(
        settings.PLAYLOG_RETRY_MAX_SECONDS,
        settings.PLAYLOG_RETRY_BASE_SECONDS * math.pow(2, max(failures, 1) - 1),
    )
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def is_refusal(error: errors.SevenDigitalError) -> bool:
    """A 1xxx error: 7digital refuses what was sent, and sending it again cannot help.
    (A 400 that is not an API answer, from a proxy say, is no refusal: it is retried.)"""
    return error.code is not None and 1000 <= error.code < 2000


# -- the sender ------------------------------------------------------------------------


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
            if len(request.rows) == 1 or request.refuses_all(error):
                self.result.rejected += rows_rejected(
                    self.kind, request.rows, token=self.token, reason=str(error)
                )
                logger.warning(
                    "7digital refused %s %s plays: %s", len(request.rows), self.kind.name, error
                )
                return
            middle = len(request.rows) // 2
            for half in (request.rows[:middle], request.rows[middle:]):
                self.send(Request(half, request.send, request.refuses_all))
            return
        self.result.delivered += _marked(self.kind, request.rows, token=self.token)

    def _send_paced(self, request: Request) -> None:
        """Send at this sender's turn; a 429 (another client of the same key, or
        requests bunched up in transit) waits out 7digital's window and tries again."""
        for tries in range(1, RATE_LIMITED_TRIES + 1):
            pace_wait(sleep=self.sleep)
            self.result.requests += 1
            try:
                request.send(request.rows)
                return
            except errors.SevenDigitalError as error:
                if not _rate_limited(error) or tries == RATE_LIMITED_TRIES:
                    raise
                self.sleep(RATE_LIMITED_WAIT_SECONDS)


def _rate_limited(error: errors.SevenDigitalError) -> bool:
    return error.http_status == 429


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
        if (
            play_kind.model is PreviewPlay
            and len(rows) == play_kind.claim_size
            and len(pending) > 1
        ):
            # Long logs filled 100 KiB before 500: the last request is part-full, and its
            # rows go back to start the next claim's full requests (a request is 1/5 of
            # a second of 7digital's limit; a half-empty one wastes half of it).
            rows_release(play_kind, pending.pop().rows, token=token)
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


# -- staff actions and counts ------------------------------------------------------------


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
        from store.playlogs import tasks

        transaction.on_commit(lambda: tasks.ship_soon(kind, due_at=timezone.now()))
    return failing + rejected


def has_due(kind: str) -> bool:
    """Whether ``kind`` has plays to send now that no sender holds (the sweep's question:
    no count needed)."""
    now = timezone.now()
    return kind_get(kind).due(now).filter(_unclaimed(now)).exists()
