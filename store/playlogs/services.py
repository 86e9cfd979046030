"""Writes for preview plays: clips received, start, stop, and the tallies of proxied
clip responses and refused plays.

All of them are local inserts or updates (and counters in the cache, see
:mod:`store.playlogs.limits`), so a play is recorded even while 7digital is down;
shipping the rows to 7digital's ``preview/log`` happens later, from the database.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from store.playlogs import limits, outbox, tasks
from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    USER_AGENT_MAX_LENGTH,
    CataloguePlay,
    EndReason,
    OutboxPlay,
    PlayMode,
    PreviewPlay,
    PreviewRefusalTally,
    PreviewResponseTally,
    RefusalReason,
    SubscriptionPlay,
)


class PlayRefused(Exception):
    """A preview play this browser may not start; ``retry_after`` (seconds) for limits."""

    def __init__(self, reason: RefusalReason, retry_after: int | None = None) -> None:
        self.reason = RefusalReason(reason)
        self.retry_after = retry_after
        super().__init__(self.reason.label)


def play_finished(*, play: OutboxPlay) -> None:
    """After the commit, make sure a task ships ``play`` once its kind says it falls due
    (a streamed play at once; a preview when the player has said all it will)."""
    _ship_when_due(outbox.kind_of(play).name, play)


def _ship_when_due(kind: str, play: OutboxPlay) -> None:
    """:func:`play_finished` for a play of ``kind`` (also for one just started: a
    preview falls due even if the player never says more)."""
    due_at = outbox.kind_get(kind).next_due_at(play)
    transaction.on_commit(lambda: tasks.ship_soon(kind, due_at=due_at))


def preview_anonymous_id_new() -> str:
    """A random, unguessable id for a visitor who is not signed in."""
    return secrets.token_hex(16)


def preview_clip_receive(*, listener: str, track_id: int) -> None:
    """Record that the proxy served ``listener`` the clip of ``track_id`` from its start:
    one play of it may be started (:func:`preview_play_start`) within
    ``PREVIEW_CLIP_GRANT_SECONDS``."""
    limits.clip_received(listener=listener, track_id=track_id)


def _preview_play_allow(*, track_id: int, anonymous_id: str | None, address: str | None) -> None:
    """Raise :class:`PlayRefused` unless this browser may start a play of ``track_id``.

    The ceilings count every attempt, refused or not, so a client that keeps asking
    without clips is answered 429 (and slowed) rather than 403 forever.
    """
    now = timezone.now()
    if address:
        wait = limits.rate_hit(
            scope="address",
            key=address,
            limit=limits.setting("PREVIEW_PLAYS_PER_ADDRESS_PER_MINUTE"),
            now=now,
        )
        if wait:
            raise PlayRefused(RefusalReason.ADDRESS_LIMIT, retry_after=wait)
    if not anonymous_id:  # no session yet: the proxy makes the id when it serves a clip
        raise PlayRefused(RefusalReason.NO_CLIP)
    wait = limits.rate_hit(
        scope="listener",
        key=anonymous_id,
        limit=limits.setting("PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE"),
        now=now,
    )
    if wait:
        raise PlayRefused(RefusalReason.LISTENER_LIMIT, retry_after=wait)
    if not limits.clip_take(listener=anonymous_id, track_id=track_id):
        raise PlayRefused(RefusalReason.NO_CLIP)


def preview_play_start(
    *,
    track_id: int,
    user,
    anonymous_id: str | None,
    address: str | None,
    country: str,
    user_agent: str,
) -> PreviewPlay:
    """Record that a visitor started a preview of ``track_id``, which they must have been
    served (:func:`preview_clip_receive`); raises :class:`PlayRefused` otherwise, or when
    the visitor (``anonymous_id``) or their ``address`` starts plays too fast.

    ``user`` is the signed-in user or ``None``; ``anonymous_id`` is the session's random id,
    kept for signed-in visitors too, so the play can still be matched to its session.
    """
    _preview_play_allow(track_id=track_id, anonymous_id=anonymous_id, address=address)
    if user is not None and not user.is_authenticated:
        user = None
    with transaction.atomic():
        play = PreviewPlay.objects.create(
            track_id=track_id,
            user=user,
            anonymous_id=anonymous_id,
            country=country.upper()[:2],
            user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
            # The server's clock, never the browser's: the seconds a stop may report are
            # counted from here.
            started_at=timezone.now().astimezone(UTC),
        )
        _ship_when_due("preview", play)  # reported even if the player never says more
    return play


def preview_seconds_clamp(
    seconds: float | Decimal, *, most: float | Decimal = PREVIEW_SECONDS_MAX
) -> Decimal:
    """Seconds played as stored: between 0 and the clip's length (or ``most``, if less),
    to the hundredth."""
    value = Decimal(str(seconds))
    if not value.is_finite():
        raise ValueError(f"seconds played must be a finite number, got {seconds!r}")
    most = min(Decimal(str(most)), Decimal(PREVIEW_SECONDS_MAX))
    value = min(max(value, Decimal(0)), max(most, Decimal(0)))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def preview_seconds_possible(play: PreviewPlay, *, now: datetime | None = None) -> Decimal:
    """The most seconds ``play`` can have been heard by ``now``: those elapsed since it
    started, plus ``PREVIEW_STOP_SLACK_SECONDS`` for the start request's time on the way."""
    elapsed = ((now or timezone.now()) - play.started_at).total_seconds()
    return Decimal(str(max(elapsed, 0) + limits.setting("PREVIEW_STOP_SLACK_SECONDS")))


@transaction.atomic
def preview_play_stop(
    *, play_id: uuid.UUID | str, user, anonymous_id: str | None, seconds: float | Decimal
) -> PreviewPlay:
    """Record the seconds a visitor listened to one of their own plays.

    The player reports the seconds accumulated so far each time it pauses, ends or the page
    goes away, so a play may be stopped several times: the largest report wins (a repeat or
    a late, smaller report changes nothing). No report counts more seconds than could have
    passed since the play started (:func:`preview_seconds_possible`), nor more than the
    clip lasts. A play being sent or already delivered to 7digital is left as it was
    sent. Raises ``PreviewPlay.DoesNotExist`` if the play is not the visitor's.
    """
    owner = PreviewPlay.objects.none()
    if user is not None and user.is_authenticated:
        owner = PreviewPlay.objects.filter(user=user)
    if anonymous_id:
        owner = owner | PreviewPlay.objects.filter(anonymous_id=anonymous_id)
    play = owner.select_for_update().get(pk=play_id)
    value = preview_seconds_clamp(seconds, most=preview_seconds_possible(play))
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
    :mod:`store.playlogs.tally`).
    """
    key = {"country": country.upper()[:2]}
    _tally_add(PreviewResponseTally, day=day, key=key, field="responses", n=responses)


@transaction.atomic
def preview_refusals_add(*, day: date, reason: str, refusals: int) -> None:
    """Add ``refusals`` refused starts of preview plays to ``day``'s tally for ``reason``,
    in batches as :func:`preview_responses_add` is."""
    key = {"reason": RefusalReason(reason).value}
    _tally_add(PreviewRefusalTally, day=day, key=key, field="refusals", n=refusals)
