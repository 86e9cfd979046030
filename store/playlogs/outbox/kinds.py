"""The kinds of play the outbox ships, and the log each row becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sevendigital.resources import logging as log_api
from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    CataloguePlay,
    OutboxPlay,
    PreviewPlay,
    SubscriptionPlay,
)


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


def preview_log(play: PreviewPlay) -> log_api.PreviewPlay:
    return log_api.PreviewPlay(
        track_id=play.track_id,
        played_at=play.started_at,
        seconds_played=whole_seconds(play.seconds_played),
        user_agent=play.user_agent,
        user_id=preview_listener_id(play),
        country=play.country,
        play_mode=play.play_mode,
    )


def catalogue_log(play: CataloguePlay) -> log_api.CataloguePlay:
    return log_api.CataloguePlay(
        track_id=play.track_id,
        release_id=play.release_id,
        format_id=play.format_id,
        played_at=play.played_at,
        seconds_played=play.seconds_played,
        user_agent=play.user_agent,
        user_id=play.listener_id,
        end_reason=play.end_reason,
    )


def subscription_log(play: SubscriptionPlay) -> log_api.SubscriptionPlay:
    return log_api.SubscriptionPlay(
        track_id=play.track_id,
        release_id=play.release_id,
        format_id=play.format_id,
        played_at=play.played_at,
        seconds_played=play.seconds_played,
        user_agent=play.user_agent,
        play_mode=play.play_mode,
    )
