"""The kinds of play the outbox ships, each a strategy.

A kind says everything that differs between plays: its table, how its plays fall due,
the log a row becomes (and why a row cannot make one), how logs are grouped into
requests to its endpoint, and what a refusal refuses. Nothing outside this module asks
which kind a play is: a new kind of play is one more :class:`Kind` here, and one more
entry in :data:`KINDS`. The kinds side by side: ``docs/playlogs-outbox.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sevendigital import errors
from sevendigital.resources import playlogs as log_api
from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    CataloguePlay,
    OutboxPlay,
    PreviewPlay,
    SubscriptionPlay,
)
from store.playlogs.outbox.batching import Request, chunks, grouped


class Kind:
    """One kind of play. Subclasses declare the attributes and :meth:`log` and
    :meth:`requests`; the rest has defaults that suit plays logged once recorded."""

    name: ClassVar[str]
    label: ClassVar[str]
    model: ClassVar[type[OutboxPlay]]
    # The moment a play happened: rows are claimed oldest first, and counted per day by it.
    time_field: ClassVar[str] = "played_at"
    # Rows one claim takes: as many as its requests can send well within the claim
    # (PLAYLOG_CLAIM_SECONDS).
    claim_size: ClassVar[int]
    # Relations :meth:`log` reads, fetched with the claimed rows.
    related: ClassVar[tuple[str, ...]] = ()
    # The staff's pages: the chart's colour (Okabe-Ito: told apart with the common
    # colour-vision deficiencies), the admin list's columns between the time and track
    # and the delivery state, and its filters besides the state, the time and country.
    colour: ClassVar[str]
    admin_columns: ClassVar[tuple[str, ...]]
    admin_filters: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        return f"<Kind {self.name}>"

    # -- when its plays fall due --

    def unsent(self) -> QuerySet:
        return self.model.objects.filter(delivered_at__isnull=True, rejected=False)

    def due(self, now: datetime) -> QuerySet:
        """Rows to send now: unsent, not waiting out a backoff, and fallen due."""
        rows = self.unsent().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        return self.fallen_due(rows, now)

    def fallen_due(self, rows: QuerySet, now: datetime) -> QuerySet:
        """Of ``rows``, those whose play is over by ``now``: all of them, by default, as
        a play recorded is a play finished."""
        return rows

    def next_due_at(self, play: OutboxPlay) -> datetime:
        """When a row just recorded (or reported) falls due."""
        return timezone.now()

    # -- the log a row becomes --

    def log(self, row: OutboxPlay) -> Any:
        """The client's log entry for ``row``."""
        raise NotImplementedError

    def unloggable(self, row: OutboxPlay) -> str | None:
        """Why ``row`` cannot make a log 7digital would take, before anything is sent."""
        if not (len(row.country) == 2 and row.country.isalpha()):
            return f"country {row.country!r} is not a 2-letter country code"
        return None

    # -- the requests --

    def requests(self, rows: list[OutboxPlay], logs, entries) -> list[Request]:
        """``rows`` (all loggable) as requests to this kind's endpoint on the client's
        ``logs`` resource; ``entries(batch)`` gives a batch's log entries."""
        raise NotImplementedError

    def refuses_all(self, error: errors.SevenDigitalError) -> bool:
        """Whether a 1xxx ``error`` refuses every row of its request, not one play."""
        return False

    def unfilled(self, claimed: int, requests: list[Request]) -> Request | None:
        """A request to give back rather than send part-full (its rows start the next
        claim), or None."""
        return None


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


class PreviewKind(Kind):
    """30-second clips, to ``preview/log``: due once the player has said all it will."""

    name = "preview"
    label = "Preview plays"
    model = PreviewPlay
    time_field = "started_at"
    claim_size = log_api.PREVIEW_LOG_LIMIT
    related = ("user__partner_user",)
    colour = "#0072b2"
    admin_columns = ("country", "user", "anonymous_id", "seconds_played", "play_mode")
    admin_filters = ("play_mode",)

    def fallen_due(self, rows: QuerySet, now: datetime) -> QuerySet:
        """Heard to the end, or quiet for PLAYLOG_PREVIEW_SETTLE_SECONDS since the
        player's last report, or started PLAYLOG_PREVIEW_OPEN_SECONDS ago with none."""
        settled = now - timedelta(seconds=settings.PLAYLOG_PREVIEW_SETTLE_SECONDS)
        abandoned = now - timedelta(seconds=settings.PLAYLOG_PREVIEW_OPEN_SECONDS)
        return rows.filter(
            Q(seconds_played__gte=PREVIEW_SECONDS_MAX)
            | Q(reported_at__lte=settled)
            | Q(started_at__lte=abandoned)
        )

    def next_due_at(self, play: PreviewPlay) -> datetime:
        if play.seconds_played is not None and play.seconds_played >= PREVIEW_SECONDS_MAX:
            return timezone.now()
        if play.reported_at is not None:
            return play.reported_at + timedelta(seconds=settings.PLAYLOG_PREVIEW_SETTLE_SECONDS)
        return play.started_at + timedelta(seconds=settings.PLAYLOG_PREVIEW_OPEN_SECONDS)

    def log(self, row: PreviewPlay) -> log_api.PreviewLog:
        return preview_log(row)

    def requests(self, rows: list[PreviewPlay], logs, entries) -> list[Request]:
        """Up to 500 logs and 100 KiB a request (reference line 4846), any countries: the
        query's country only authorises, each log carries its own."""
        row_of = {id(log): row for row, log in zip(rows, entries(rows), strict=True)}
        return [
            Request(
                [row_of[id(log)] for log in batch],
                lambda b: logs.previews(entries(b), country=settings.SEVENDIGITAL_COUNTRY),
            )
            for batch in log_api.preview_batches(entries(rows))
        ]

    def unfilled(self, claimed: int, requests: list[Request]) -> Request | None:
        """Long logs filled 100 KiB before 500: the last request is part-full, and its
        rows go back to start the next claim's full requests (a request is 1/5 of a
        second of 7digital's limit; a half-empty one wastes half of it)."""
        if claimed == self.claim_size and len(requests) > 1:
            return requests[-1]
        return None


class StreamedKind(Kind):
    """Full-track plays: due when recorded whole, or at the ``due_at`` the player's
    reports set (store/player/stream_plays.py)."""

    def fallen_due(self, rows: QuerySet, now: datetime) -> QuerySet:
        return rows.filter(Q(due_at__isnull=True) | Q(due_at__lte=now))

    def next_due_at(self, play: OutboxPlay) -> datetime:
        return play.due_at or timezone.now()


class CatalogueKind(StreamedKind):
    """Radio-style full-track plays, to ``catalogue/log``: due once recorded."""

    name = "catalogue"
    label = "Catalogue plays"
    model = CataloguePlay
    claim_size = 5 * log_api.CATALOGUE_LOG_LIMIT
    colour = "#e69f00"
    admin_columns = ("release_id", "country", "listener_id", "seconds_played", "end_reason")
    admin_filters = ("end_reason",)

    def log(self, row: CataloguePlay) -> log_api.CatalogueLog:
        return catalogue_log(row)

    def unloggable(self, row: CataloguePlay) -> str | None:
        if reason := super().unloggable(row):
            return reason
        return None if row.listener_id else "no listener id (userId) to report"

    def requests(self, rows: list[CataloguePlay], logs, entries) -> list[Request]:
        """One country a request (``country`` travels in the query), 100 logs at most."""
        return [
            Request(batch, lambda b, c=country: logs.catalogue(entries(b), country=c))
            for country, group in grouped(rows, lambda r: r.country).items()
            for batch in chunks(group, log_api.CATALOGUE_LOG_LIMIT)
        ]


class SubscriptionKind(StreamedKind):
    """A subscriber's plays, streamed or offline, to ``user/subscription/log``: due once
    recorded; one user a request."""

    name = "subscription"
    label = "Subscription plays"
    model = SubscriptionPlay
    # Requests go per user: a claim of many users' plays is many requests, which must
    # all leave well within the claim (PLAYLOG_CLAIM_SECONDS).
    claim_size = log_api.SUBSCRIPTION_LOG_LIMIT
    colour = "#009e73"
    admin_columns = ("release_id", "country", "partner_user_id", "seconds_played", "play_mode")
    admin_filters = ("play_mode",)

    def log(self, row: SubscriptionPlay) -> log_api.SubscriptionLog:
        return subscription_log(row)

    def unloggable(self, row: SubscriptionPlay) -> str | None:
        if reason := super().unloggable(row):
            return reason
        return None if row.partner_user_id else "no partner user id to log the play for"

    def requests(self, rows: list[SubscriptionPlay], logs, entries) -> list[Request]:
        return [
            Request(
                batch,
                lambda b, u=user, c=country: logs.subscription(u, entries(b), country=c),
            )
            for (user, country), group in grouped(
                rows, lambda r: (r.partner_user_id, r.country)
            ).items()
            for batch in chunks(group, log_api.SUBSCRIPTION_LOG_LIMIT)
        ]

    def refuses_all(self, error: errors.SevenDigitalError) -> bool:
        """1003 "User has never had a subscription" refuses the user, so every play of
        the request (1003 is also "out of range", for one play)."""
        return error.code == 1003 and "subscription" in error.message.lower()


KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (PreviewKind(), CatalogueKind(), SubscriptionKind())
}


def kind_get(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"no such kind of play: {name!r}") from None


def kind_of(play: OutboxPlay) -> Kind:
    """The kind of a play row, by its model."""
    for kind in KINDS.values():
        if isinstance(play, kind.model):
            return kind
    raise ValueError(f"no kind of play is stored as {type(play).__name__}")
