"""Writes for plays: full-track plays recorded, plays handed over for shipping, and the
tallies of proxied clip responses and refused plays.

All of them are local inserts or updates (preview plays are written by
:mod:`store.player.services`), so a play is recorded even while 7digital is down;
shipping the rows to 7digital's logs happens later, from the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import IntegrityError, models, transaction
from django.db.models import F

from store.playlogs import outbox, tasks
from store.playlogs.models import (
    USER_AGENT_MAX_LENGTH,
    CataloguePlay,
    EndReason,
    OutboxPlay,
    PlayMode,
    PreviewRefusalTally,
    PreviewResponseTally,
    RefusalReason,
    StreamResponseTally,
    SubscriptionPlay,
)


def play_finished(*, play: OutboxPlay) -> None:
    """After the commit, make sure a task ships ``play`` once its kind says it falls due:
    a streamed play at once; a preview when the player has said all it will, or (for one
    just started) when it would have, even if the player never says more."""
    kind = outbox.kind_of(play)
    due_at = kind.next_due_at(play)
    transaction.on_commit(lambda: tasks.ship_soon(kind.name, due_at=due_at))


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
    track_seconds: int | None = None,
    due_at: datetime | None = None,
) -> CataloguePlay:
    """Record a radio-style play of a catalogue stream, for ``catalogue/log``: finished
    (due at once), or at ``due_at`` for one the radio records as it starts
    (store/player/radio.py) and settles later."""
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
        track_seconds=track_seconds,
        due_at=due_at,
    )
    play_finished(play=play)
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
    track_seconds: int | None = None,
    due_at: datetime | None = None,
) -> SubscriptionPlay:
    """Record a subscriber's play (streamed, or offline from the device's cache), for
    ``user/subscription/log``: due at once, or at ``due_at`` for a play the player
    records as it starts (store/player/stream_plays.py) and reports on later."""
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
        track_seconds=track_seconds,
        due_at=due_at,
    )
    play_finished(play=play)
    return play


def _tally_add(model: type[models.Model], *, day: date, key: dict, field: str, n: int) -> None:
    """Add ``n`` to ``field`` on ``model``'s row of ``day`` and ``key`` (an upsert)."""
    rows = model.objects.filter(day=day, **key)
    if rows.update(**{field: F(field) + n}):
        return
    try:
        with transaction.atomic():
            model.objects.create(day=day, **key, **{field: n})
    except IntegrityError:  # another process created the day's row first
        rows.update(**{field: F(field) + n})


@transaction.atomic
def preview_responses_add(*, day: date, country: str, responses: int) -> None:
    """Add ``responses`` proxied clip responses that started playback to ``day``'s tally.

    The proxy counts them in memory and calls this in batches (see
    :mod:`store.player.tally`).
    """
    key = {"country": country.upper()[:2]}
    _tally_add(PreviewResponseTally, day=day, key=key, field="responses", n=responses)


@transaction.atomic
def preview_refusals_add(*, day: date, reason: str, refusals: int) -> None:
    """Add ``refusals`` refused starts of preview plays to ``day``'s tally for ``reason``,
    in batches as :func:`preview_responses_add` is."""
    key = {"reason": RefusalReason(reason).value}
    _tally_add(PreviewRefusalTally, day=day, key=key, field="refusals", n=refusals)


@transaction.atomic
def stream_responses_add(*, day: date, source: str, responses: int) -> None:
    """Add ``responses`` whole-track responses that started playback to ``day``'s tally
    for ``source``, in batches as :func:`preview_responses_add` is."""
    key = {"source": StreamResponseTally.Source(source).value}
    _tally_add(StreamResponseTally, day=day, key=key, field="responses", n=responses)
