"""Writes for preview plays: start, stop, and the tally of proxied clip responses.

All of them are local inserts or updates, so a play is recorded even while 7digital is
down; shipping the rows to 7digital's ``preview/log`` happens later, from the database.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    USER_AGENT_MAX_LENGTH,
    PreviewPlay,
    PreviewResponseTally,
)


def preview_anonymous_id_new() -> str:
    """A random, unguessable id for a visitor who is not signed in."""
    return secrets.token_hex(16)


@transaction.atomic
def preview_play_start(
    *,
    track_id: int,
    user,
    anonymous_id: str,
    country: str,
    user_agent: str,
    started_at: datetime | None = None,
) -> PreviewPlay:
    """Record that a visitor started a preview of ``track_id``.

    ``user`` is the signed-in user or ``None``; ``anonymous_id`` is the session's random id,
    kept for signed-in visitors too, so the play can still be matched to its session.
    """
    if user is not None and not user.is_authenticated:
        user = None
    return PreviewPlay.objects.create(
        track_id=track_id,
        user=user,
        anonymous_id=anonymous_id or "",
        country=country.upper()[:2],
        user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
        started_at=(started_at or timezone.now()).astimezone(UTC),
    )


def preview_seconds_clamp(seconds: float | Decimal) -> Decimal:
    """Seconds played as stored: between 0 and the clip's length, to the hundredth."""
    value = Decimal(str(seconds))
    if not value.is_finite():
        raise ValueError(f"seconds played must be a finite number, got {seconds!r}")
    value = min(max(value, Decimal(0)), Decimal(PREVIEW_SECONDS_MAX))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def preview_play_stop(
    *, play_id: uuid.UUID | str, user, anonymous_id: str | None, seconds: float | Decimal
) -> PreviewPlay:
    """Record the seconds a visitor listened to one of their own plays.

    The player reports the seconds accumulated so far each time it pauses, ends or the page
    goes away, so a play may be stopped several times: the largest report wins (a repeat or
    a late, smaller report changes nothing). A play already delivered to 7digital is left
    as delivered. Raises ``PreviewPlay.DoesNotExist`` if the play is not the visitor's.
    """
    owner = PreviewPlay.objects.none()
    if user is not None and user.is_authenticated:
        owner = PreviewPlay.objects.filter(user=user)
    if anonymous_id:
        owner = owner | PreviewPlay.objects.filter(anonymous_id=anonymous_id)
    play = owner.select_for_update().get(pk=play_id)
    value = preview_seconds_clamp(seconds)
    if play.delivered_at is None and (play.seconds_played is None or value > play.seconds_played):
        play.seconds_played = value
        play.reported_at = timezone.now()
        play.save(update_fields=["seconds_played", "reported_at"])
    return play


@transaction.atomic
def preview_responses_add(*, day: date, country: str, responses: int) -> None:
    """Add ``responses`` proxied clip responses that started playback to ``day``'s tally.

    The proxy counts them in memory and calls this in batches (see
    :mod:`store.playlogs.tally`).
    """
    country = country.upper()[:2]
    tallies = PreviewResponseTally.objects.filter(day=day, country=country)
    if tallies.update(responses=F("responses") + responses):
        return
    try:
        with transaction.atomic():
            PreviewResponseTally.objects.create(day=day, country=country, responses=responses)
    except IntegrityError:  # another process created the day's row first
        tallies.update(responses=F("responses") + responses)
