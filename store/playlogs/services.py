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
    CataloguePlay,
    EndReason,
    OutboxPlay,
    PlayMode,
    PreviewPlay,
    PreviewResponseTally,
    SubscriptionPlay,
)


def _ship_when_due(kind: str, play: OutboxPlay) -> None:
    """After the commit, make sure a task ships ``play`` once it is due."""
    from store.playlogs import outbox, tasks

    due_at = outbox.kind_get(kind).next_due_at(play)
    transaction.on_commit(lambda: tasks.ship_soon(kind, due_at=due_at))


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
    play = PreviewPlay.objects.create(
        track_id=track_id,
        user=user,
        anonymous_id=anonymous_id or "",
        country=country.upper()[:2],
        user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
        started_at=(started_at or timezone.now()).astimezone(UTC),
    )
    _ship_when_due("preview", play)  # reported even if the player never says more
    return play


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
    a late, smaller report changes nothing). A play being sent or already delivered to
    7digital is left as it was sent. Raises ``PreviewPlay.DoesNotExist`` if the play is
    not the visitor's.
    """
    owner = PreviewPlay.objects.none()
    if user is not None and user.is_authenticated:
        owner = PreviewPlay.objects.filter(user=user)
    if anonymous_id:
        owner = owner | PreviewPlay.objects.filter(anonymous_id=anonymous_id)
    play = owner.select_for_update().get(pk=play_id)
    value = preview_seconds_clamp(seconds)
    # Being sent (claimed) or sent: 7digital gets what the log was built from, and the
    # database keeps saying the same.
    sending = play.claimed_until is not None and play.claimed_until > timezone.now()
    if (
        play.delivered_at is None
        and not sending
        and (play.seconds_played is None or value > play.seconds_played)
    ):
        play.seconds_played = value
        play.reported_at = timezone.now()
        play.save(update_fields=["seconds_played", "reported_at"])
        _ship_when_due("preview", play)
    return play


def _streamed(
    *, track_id, release_id, format_id, user, country, user_agent, played_at, seconds_played
) -> dict:
    """The fields a full-track play has whichever endpoint it is logged to, as stored."""
    return {
        "track_id": track_id,
        "release_id": release_id,
        "format_id": format_id,
        "user": user if user is not None and user.is_authenticated else None,
        "country": country.upper()[:2],
        "user_agent": (user_agent or "")[:USER_AGENT_MAX_LENGTH],
        "played_at": played_at.astimezone(UTC),
        "seconds_played": max(int(seconds_played), 0),
    }


@transaction.atomic
def catalogue_play_record(
    *,
    track_id: int,
    release_id: int,
    format_id: int,
    user,
    listener_id: str,
    country: str,
    user_agent: str,
    played_at: datetime,
    seconds_played: int,
    end_reason: str = EndReason.NATURAL_END,
) -> CataloguePlay:
    """Record a finished radio-style play of a catalogue stream, for ``catalogue/log``."""
    play = CataloguePlay.objects.create(
        **_streamed(
            track_id=track_id,
            release_id=release_id,
            format_id=format_id,
            user=user,
            country=country,
            user_agent=user_agent,
            played_at=played_at,
            seconds_played=seconds_played,
        ),
        listener_id=listener_id,
        end_reason=EndReason(end_reason),
    )
    _ship_when_due("catalogue", play)
    return play


@transaction.atomic
def subscription_play_record(
    *,
    track_id: int,
    release_id: int,
    format_id: int,
    user,
    partner_user_id: str,
    country: str,
    user_agent: str,
    played_at: datetime,
    seconds_played: int,
    play_mode: str = PlayMode.ONLINE,
) -> SubscriptionPlay:
    """Record a subscriber's play (streamed, or offline from the device's cache), for
    ``user/subscription/log``."""
    play = SubscriptionPlay.objects.create(
        **_streamed(
            track_id=track_id,
            release_id=release_id,
            format_id=format_id,
            user=user,
            country=country,
            user_agent=user_agent,
            played_at=played_at,
            seconds_played=seconds_played,
        ),
        partner_user_id=partner_user_id,
        play_mode=PlayMode(play_mode),
    )
    _ship_when_due("subscription", play)
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
