"""Who may hear a whole track, and from which of 7digital's streams (issue 19).

Owners stream from their locker (``stream/locker``: never reported, as the reference
says), subscribers from their subscription (``stream/subscription``, with this browser's
device id so 7digital's one-device rule works), everyone else hears the preview. The
decision is the shop's first (its paid order lines and its subscription row), and
7digital's answer is the last word: a refusal upstream is put in words for the player.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from sevendigital import errors
from sevendigital.models.catalogue import Track
from store.checkout.models import OrderLine
from store.player.access import Streaming, streaming_of
from store.subscriptions.models import Subscription
from store.subscriptions.selectors import gives_streaming

# 7digital's streaming formats (reference line 4585): AAC 160 kbps, and AAC 64 kbps for
# those who save data.
FORMAT_STANDARD = 56
FORMAT_DATA_SAVER = 55

DEVICE_COOKIE = "player_device"
DEVICE_SALT = "store.player.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600


class Source(enum.StrEnum):
    LOCKER = "locker"
    SUBSCRIPTION = "subscription"


class Refusal(enum.StrEnum):
    """Why a whole track is not played; the player says it in these words."""

    SIGN_IN = "sign-in"
    PREVIEW_ONLY = "preview-only"
    NOT_STREAMABLE = "not-streamable"
    NOT_YET = "not-yet-streamable"
    LAPSED = "subscription-ended"
    NOT_HERE = "not-in-country"
    OTHER_DEVICE = "another-device"
    TOO_MANY = "too-many"
    UNAVAILABLE = "unavailable"


WORDS = {
    Refusal.SIGN_IN: "Sign in to play whole tracks.",
    Refusal.PREVIEW_ONLY: "Buy this track or subscribe to hear all of it.",
    Refusal.NOT_STREAMABLE: "This track is not available to stream.",
    Refusal.NOT_YET: "This track is not yet available to stream.",
    Refusal.LAPSED: "Your subscription has ended.",
    Refusal.NOT_HERE: "This track cannot be streamed in your country.",
    Refusal.OTHER_DEVICE: "Your subscription is playing on another device.",
    Refusal.TOO_MANY: "Too many tracks started: wait a moment.",
    Refusal.UNAVAILABLE: "Streaming is unavailable at the moment.",
}


@dataclass(frozen=True)
class Decision:
    source: Source | None
    refusal: Refusal | None = None

    @property
    def words(self) -> str:
        return WORDS[self.refusal] if self.refusal else ""


def owns(*, user, track_id: int, release_id: int | None) -> bool:
    """A delivered, unrefunded order line of the track or of its whole release."""
    owned = Q(track_id=track_id)
    if release_id:
        owned |= Q(track_id__isnull=True, release_id=release_id)
    return (
        OrderLine.objects.filter(order__user=user, status=OrderLine.Status.DELIVERED)
        .filter(owned)
        .exists()
    )


def stream_decide(*, user, track: Track, now: datetime) -> Decision:
    """Where ``user`` may hear all of ``track`` from, or why not."""
    if user is None or not user.is_authenticated:
        return Decision(None, Refusal.SIGN_IN)
    release_id = track.release.id if track.release else None
    if owns(user=user, track_id=track.id, release_id=release_id):
        return Decision(Source.LOCKER)
    subscription = Subscription.objects.filter(user=user).first()
    if not gives_streaming(subscription, now=now):
        return Decision(None, Refusal.LAPSED if subscription else Refusal.PREVIEW_ONLY)
    streaming = streaming_of(track, now=now)
    if streaming is Streaming.NONE:
        return Decision(None, Refusal.NOT_STREAMABLE)
    if streaming is Streaming.LATER:
        return Decision(None, Refusal.NOT_YET)
    return Decision(Source.SUBSCRIPTION)


def refusal_of(error: errors.SevenDigitalError, *, source: Source) -> Refusal:
    """7digital's refusal of a stream, in the player's terms."""
    if isinstance(error, errors.ConcurrentStream):
        return Refusal.OTHER_DEVICE
    if isinstance(error, errors.NotFound):  # 2001: not in this country
        return Refusal.NOT_HERE
    if isinstance(error, errors.NotAvailable):  # 2002: not owned, lapsed, not yet
        return Refusal.LAPSED if source is Source.SUBSCRIPTION else Refusal.PREVIEW_ONLY
    return Refusal.UNAVAILABLE


# -- this browser's device id ---------------------------------------------------------


def device_id_read(request) -> str | None:
    """The browser's device id from its signed cookie, or None (missing or forged)."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def device_id_new() -> str:
    return str(uuid.uuid4())


def device_cookie_set(response, device_id: str, *, secure: bool) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device_id,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
