"""The plays of whole tracks, as the player reports them (issue 19): every subscription
stream reaches ``user/subscription/log`` through the play outbox; locker streams are
never logged (reference lines 4737-4747).

As with previews, the player may report only what this browser was served: the stream
proxy grants one play per stream it served from byte 0 to this device
(:func:`stream_received`), and starting a play spends it. The play is written when it
starts, with 0 seconds and due when the track would have ended plus a margin, so a page
closed mid-track still logs it; each report raises the seconds (never past the time
elapsed since the start, nor the track's length) and makes it due a few seconds later,
or at once when the track was heard to its end.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from store.player import limits
from store.playlogs import services as playlogs
from store.playlogs.models import PlayMode, SubscriptionPlay

# A play with no word from the player is due this long after its track would have ended
# (a pause, a slow network), and a report a few seconds after it was made (more may
# follow: the player reports at every pause).
OPEN_MARGIN = timedelta(minutes=2)
# 7digital refuses a subscription log without a userAgent (1001): a player that sent
# none is still a play to pay for.
UNKNOWN_USER_AGENT = "unknown"


class StreamPlayRefused(Exception):
    """No stream of this track was served to this device: there is nothing to report."""


def _listener(device_id: str) -> str:
    return f"stream:{device_id}"


def stream_received(*, device_id: str, track_id: int) -> None:
    """The proxy served ``device_id`` a stream of ``track_id`` from its start."""
    limits.clip_received(listener=_listener(device_id), track_id=track_id)


def stream_play_start(
    *,
    user,
    device_id: str | None,
    partner_user_id: str,
    track_id: int,
    release_id: int,
    track_seconds: int | None,
    format_id: int,
    country: str,
    user_agent: str,
) -> SubscriptionPlay:
    """Record that a subscriber started playing a stream this device was served."""
    if not device_id or not limits.clip_take(listener=_listener(device_id), track_id=track_id):
        raise StreamPlayRefused("no stream of this track was played here")
    now = timezone.now()
    length = max(int(track_seconds or 0), 0) or None
    # Logged even if the player never says more: due when the track would have ended.
    return playlogs.subscription_play_record(
        track_id=track_id,
        release_id=release_id,
        format_id=format_id,
        user=user,
        partner_user_id=partner_user_id,
        country=country,
        user_agent=user_agent.strip() or UNKNOWN_USER_AGENT,
        played_at=now,  # the server's clock: reports are bounded from here
        seconds_played=0,
        play_mode=PlayMode.ONLINE,
        track_seconds=length,
        due_at=now + timedelta(seconds=length or 0) + OPEN_MARGIN,
    )


def _possible(play: SubscriptionPlay, now: datetime) -> int:
    """The most whole seconds ``play`` can have been heard by ``now``."""
    elapsed = (now - play.played_at).total_seconds() + settings.PREVIEW_STOP_SLACK_SECONDS
    most = max(int(elapsed), 0)
    return min(most, play.track_seconds) if play.track_seconds else most


@transaction.atomic
def stream_play_report(*, play_id: uuid.UUID | str, user, seconds: float) -> SubscriptionPlay:
    """The seconds heard so far of one of ``user``'s plays; the largest report wins, and
    a play being sent or sent is left as it was sent. Raises DoesNotExist for a play
    that is not the user's."""
    play = SubscriptionPlay.objects.select_for_update().get(pk=play_id, user=user)
    now = timezone.now()
    value = min(max(int(seconds), 0), _possible(play, now))
    sending = play.claimed_until is not None and play.claimed_until > now
    if play.delivered_at is not None or sending or value <= play.seconds_played:
        return play
    play.seconds_played = value
    play.reported_at = now
    ended = play.track_seconds is not None and value >= play.track_seconds
    settle = timedelta(seconds=settings.PLAYLOG_PREVIEW_SETTLE_SECONDS)
    play.due_at = now if ended else now + settle
    play.save(update_fields=["seconds_played", "reported_at", "due_at"])
    playlogs.play_finished(play=play)
    return play
