"""Reads for the staff dashboard of play logs: plays per day, backlog, failures, and the
reconciliation of plays recorded against 7digital's answers, the clip responses and the
plays refused.

Days are UTC days (the tally of preview responses counts per UTC day too). The daily
figures are counted by the database, one aggregate query per kind; Python only lays
the counts out on the calendar, so days without plays still appear, as zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from store.playlogs.models import (
    PreviewRefusalTally,
    PreviewResponseTally,
    RefusalReason,
    StreamResponseTally,
)
from store.playlogs.outbox import KINDS, Kind, kind_get

# The oldest unsent play is late once it is older than this: previews wait up to
# PLAYLOG_PREVIEW_OPEN_SECONDS for the player, and retries back off up to
# PLAYLOG_RETRY_MAX_SECONDS (10 minutes), so anything older means shipping is stuck.
BACKLOG_LATE_AFTER = timedelta(minutes=15)

DELIVERED = Q(delivered_at__isnull=False)
REJECTED = Q(delivered_at__isnull=True, rejected=True)
UNSENT = Q(delivered_at__isnull=True, rejected=False)
FAILING = UNSENT & ~Q(last_error="")
WAITING = UNSENT & Q(last_error="")
# What the daily figures count (a play is delivered, rejected or unsent).
FIGURES = {"recorded": Q(), "delivered": DELIVERED, "rejected": REJECTED, "unsent": UNSENT}


@dataclass(frozen=True)
class PlayCounts:
    """One kind's plays on one day."""

    kind: str
    label: str
    recorded: int = 0
    delivered: int = 0
    rejected: int = 0
    unsent: int = 0


@dataclass(frozen=True)
class DayPlays:
    """Plays of one UTC day, one :class:`PlayCounts` per kind in the order of ``KINDS``."""

    day: date
    kinds: tuple[PlayCounts, ...]

    @property
    def recorded(self) -> int:
        return sum(counts.recorded for counts in self.kinds)

    def of(self, kind: str) -> PlayCounts:
        return next(counts for counts in self.kinds if counts.kind == kind)


@dataclass(frozen=True)
class ReconciliationDay:
    """A day's plays beside the proxied preview responses that started playback."""

    plays: DayPlays
    preview_responses: int
    # Starts of preview plays refused (no clip received, too many too fast): never
    # recorded, never reported, so not in the difference either.
    preview_refused: int = 0
    # Whole-track responses that started playback, by source (StreamResponseTally).
    stream_responses: dict[str, int] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.plays.day

    @property
    def preview_recorded(self) -> int:
        return self.plays.of("preview").recorded

    @property
    def difference(self) -> int:
        """Responses that started playback minus preview plays recorded: more responses
        than plays means plays went unrecorded (or a player never reported)."""
        return self.preview_responses - self.preview_recorded

    @property
    def streams(self) -> tuple[StreamReconciliation, ...]:
        """Whole tracks, per source: responses that started playback beside the plays
        recorded (none for the locker, whose streams are never reported)."""
        return tuple(
            StreamReconciliation(
                source=source.value,
                label=source.label,
                responses=self.stream_responses.get(source.value, 0),
                recorded=(self.plays.of(source.value).recorded if source.value in KINDS else None),
            )
            for source in StreamResponseTally.Source
        )


@dataclass(frozen=True)
class StreamReconciliation:
    source: str
    label: str
    responses: int
    recorded: int | None  # None: not a kind of play (locker streams)

    @property
    def difference(self) -> int | None:
        return None if self.recorded is None else self.responses - self.recorded


@dataclass(frozen=True)
class KindBacklog:
    kind: str
    label: str
    unsent: int
    failing: int
    rejected: int
    oldest_unsent_at: datetime | None
    oldest_unsent_age: timedelta | None

    @property
    def late(self) -> bool:
        return self.oldest_unsent_age is not None and self.oldest_unsent_age > BACKLOG_LATE_AFTER

    @property
    def failures(self) -> int:
        """Rows the retry button puts back: failing and rejected."""
        return self.failing + self.rejected


@dataclass(frozen=True)
class Failure:
    kind: str
    label: str
    id: object
    played_at: datetime
    track_id: int
    attempts: int
    state: str  # "rejected" or "failing"
    reason: str
    last_attempt_at: datetime | None


def _utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def plays_per_day(*, days: int = 30, today: date | None = None) -> list[DayPlays]:
    """Plays recorded, delivered and rejected (and still unsent) per UTC day and kind,
    for the ``days`` days up to ``today``, newest first; days without plays are zeros."""
    today = today or _utc_today()
    first = today - timedelta(days=days - 1)
    counted: dict[tuple[str, date], dict[str, int]] = {}
    for kind in KINDS.values():
        rows = (
            kind.model.objects.filter(
                **{
                    f"{kind.time_field}__gte": _day_start(first),
                    f"{kind.time_field}__lt": _day_start(today + timedelta(days=1)),
                }
            )
            .annotate(day=TruncDate(kind.time_field, tzinfo=UTC))
            .values("day")
            .order_by()
            # Named apart from the fields: "rejected" would shadow the field in REJECTED.
            .annotate(**{f"n_{name}": Count("pk", filter=where) for name, where in FIGURES.items()})
        )
        counted.update(
            {(kind.name, row["day"]): {name: row[f"n_{name}"] for name in FIGURES} for row in rows}
        )
    calendar = (today - timedelta(days=offset) for offset in range(days))
    return [
        DayPlays(
            day=day,
            kinds=tuple(
                PlayCounts(kind=kind.name, label=kind.label, **counted.get((kind.name, day), {}))
                for kind in KINDS.values()
            ),
        )
        for day in calendar
    ]


def reconciliation(*, days: int = 30, today: date | None = None) -> list[ReconciliationDay]:
    """Per UTC day, newest first: each kind's plays and what became of them, and the
    proxied preview responses that started playback (summed over countries)."""
    plays = plays_per_day(days=days, today=today)
    responses = dict(
        PreviewResponseTally.objects.filter(day__gte=plays[-1].day, day__lte=plays[0].day)
        .values("day")
        .order_by()
        .annotate(responses=Sum("responses"))
        .values_list("day", "responses")
    )
    refused = dict(
        PreviewRefusalTally.objects.filter(day__gte=plays[-1].day, day__lte=plays[0].day)
        .values("day")
        .order_by()
        .annotate(refused=Sum("refusals"))
        .values_list("day", "refused")
    )
    streamed: dict[date, dict[str, int]] = {}
    for day, source, n in (
        StreamResponseTally.objects.filter(day__gte=plays[-1].day, day__lte=plays[0].day)
        .values("day", "source")
        .order_by()
        .annotate(n=Sum("responses"))
        .values_list("day", "source", "n")
    ):
        streamed.setdefault(day, {})[source] = n
    return [
        ReconciliationDay(
            plays=day,
            preview_responses=responses.get(day.day, 0),
            preview_refused=refused.get(day.day, 0),
            stream_responses=streamed.get(day.day, {}),
        )
        for day in plays
    ]


@dataclass(frozen=True)
class Refusals:
    reason: str
    label: str
    refused: int


def refusals(*, days: int = 30, today: date | None = None) -> list[Refusals]:
    """Starts of preview plays refused in the ``days`` UTC days up to ``today``, per
    reason (every reason, in the order of ``RefusalReason``, zeros included)."""
    today = today or _utc_today()
    counted = dict(
        PreviewRefusalTally.objects.filter(
            day__gte=today - timedelta(days=days - 1), day__lte=today
        )
        .values("reason")
        .order_by()
        .annotate(refused=Sum("refusals"))
        .values_list("reason", "refused")
    )
    return [
        Refusals(reason=reason.value, label=reason.label, refused=counted.get(reason.value, 0))
        for reason in RefusalReason
    ]


def _kind_backlog(kind: Kind, now: datetime) -> KindBacklog:
    figures = kind.model.objects.filter(delivered_at__isnull=True).aggregate(
        n_unsent=Count("pk", filter=UNSENT),
        n_failing=Count("pk", filter=FAILING),
        n_rejected=Count("pk", filter=REJECTED),
        oldest=Min(kind.time_field, filter=UNSENT),
    )
    oldest = figures["oldest"]
    return KindBacklog(
        kind=kind.name,
        label=kind.label,
        unsent=figures["n_unsent"],
        failing=figures["n_failing"],
        rejected=figures["n_rejected"],
        oldest_unsent_at=oldest,
        oldest_unsent_age=max(now - oldest, timedelta(0)) if oldest else None,
    )


def backlog(*, now: datetime | None = None) -> list[KindBacklog]:
    """Per kind: plays not yet delivered nor rejected, those of them whose last send
    failed, the rejected ones, and how long the oldest unsent play has waited."""
    now = now or timezone.now()
    return [_kind_backlog(kind, now) for kind in KINDS.values()]


def failures(*, kind: str | None = None, limit: int = 50) -> list[Failure]:
    """Rejected plays and plays whose last send failed, most recently played first.

    ``kind`` narrows them to one kind (``ValueError`` for an unknown one).
    """
    kinds = [kind_get(kind)] if kind else list(KINDS.values())
    found: list[Failure] = []
    for play_kind in kinds:
        rows = (
            play_kind.model.objects.filter(REJECTED | FAILING)
            .order_by(f"-{play_kind.time_field}")
            .values(
                "pk",
                play_kind.time_field,
                "track_id",
                "attempts",
                "rejected",
                "rejected_reason",
                "last_error",
                "last_attempt_at",
            )[:limit]
        )
        found.extend(
            Failure(
                kind=play_kind.name,
                label=play_kind.label,
                id=row["pk"],
                played_at=row[play_kind.time_field],
                track_id=row["track_id"],
                attempts=row["attempts"],
                state="rejected" if row["rejected"] else "failing",
                reason=(row["rejected_reason"] or row["last_error"])
                if row["rejected"]
                else row["last_error"],
                last_attempt_at=row["last_attempt_at"],
            )
            for row in rows
        )
    found.sort(key=lambda failure: failure.played_at, reverse=True)
    return found[:limit]
