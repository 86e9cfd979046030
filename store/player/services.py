"""Listening: the clips the preview proxy serves, and the plays the player reports.

Each is a local write (the clip grants and rate limits are counters in the cache, see
:mod:`store.player.limits`; a play is a row of :mod:`store.playlogs`), so a play is
recorded even while 7digital is down; :mod:`store.playlogs` ships it to 7digital's
``preview/log`` later, from the database.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from store.player import limits
from store.playlogs import services as playlogs
from store.playlogs.models import (
    PREVIEW_SECONDS_MAX,
    USER_AGENT_MAX_LENGTH,
    PreviewPlay,
    RefusalReason,
)


class PlayRefused(Exception):
    """A preview play this browser may not start; ``retry_after`` (seconds) for limits."""

    def __init__(self, reason: RefusalReason, retry_after: int | None = None) -> None:
        self.reason = RefusalReason(reason)
        self.retry_after = retry_after
        super().__init__(self.reason.label)


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
        playlogs.play_finished(play=play)  # reported even if the player never says more
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
        playlogs.play_finished(play=play)
    return play
