"""Offline devices (``user/unlimitedStreaming/offline``, ``user/offlineclients`` and the
stream host's ``offline/subscription``, reference lines 4656-4736).

Rules the sandbox keeps, where the reference is silent (docs/sandbox-offline.md):

* ``clientId`` is typed "integer" (lines 4693, 4712) but every example is a GUID: both
  are accepted, a whole number of up to 19 digits or a hyphenated GUID. A device is the
  same whatever the GUID's case or the number's leading zeros (``client_key``).
* Enabling a device needs the premium plan (line 6419: "full unlimited streaming and
  offline access") with access at the sandbox's clock; the standard and trial plans, no
  subscription at all, or a lapsed one are 1003 "This account type cannot register
  offline device".
* At most ``SANDBOX_OFFLINE_DEVICE_LIMIT`` devices are enabled per user at once (the
  reference states no number); one more is 1003 "Maximum number of offline devices
  registered". Enabling an enabled device again changes nothing and is not refused.
* Disabling (``offlineEnabled=false``) needs no plan, frees the slot, and is idempotent:
  disabling a disabled or never registered device answers ``offlineEnabled`` false.
  The sandbox never disables a device itself when a plan changes or lapses (7digital
  documents no such thing): the partner disables them, and ``offline/subscription``
  refuses a lapsed user (2002) or a non-premium plan (1003) whatever the device says.
* ``offline/subscription`` serves the whole track in the stream formats, 55 (AAC 64) and
  56 (AAC 160) (line 4585), to a premium subscriber with access whose ``clientId`` is
  registered and enabled; an unknown user or one without access is 2002 (line 4676),
  an unregistered or disabled device 1003, a track not in the country's catalogue 2001,
  and a release whose streaming date is unset or still ahead 2002.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from .. import audio, exceptions
from ..context import ID_MAX
from ..models import OfflineDevice, PartnerUser, Subscription
from ..state import state
from .catalogue import catalogue_backend
from .subscriptions import subscriptions_backend

# offlineMaxTrackCount: the reference's example (line 4704); 7digital documents no other.
OFFLINE_MAX_TRACK_COUNT = 4000
STREAM_FORMATS = (55, 56)  # AAC 64 and AAC 160 (line 4585)
CLIENT_ID_NUMBER = re.compile(r"\d{1,19}", re.ASCII)
CLIENT_ID_GUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII | re.IGNORECASE
)


def client_key(client_id: str) -> str:
    """The canonical spelling of a ``clientId`` (a whole number or a GUID); 1002 otherwise."""
    text = client_id.strip()
    if CLIENT_ID_NUMBER.fullmatch(text) and int(text) <= ID_MAX:
        return str(int(text))
    if CLIENT_ID_GUID.fullmatch(text):
        return text.lower()
    raise exceptions.InvalidParameter(
        f"Invalid value for parameter clientId: {client_id[:60]} (a whole number, or a GUID "
        "such as e5ada89d-db5b-4d0e-b70b-820796d7d583)"
    )


@dataclass(frozen=True)
class OfflineStatus:
    """What POST and GET ``user/unlimitedStreaming/offline`` answer."""

    enabled: bool
    max_track_count: int = OFFLINE_MAX_TRACK_COUNT


@dataclass(frozen=True)
class OfflineTrack:
    """A whole track to send for caching, and its content type."""

    path: pathlib.Path
    content_type: str


def _account_refused(why: str) -> exceptions.OfflineRefused:
    return exceptions.OfflineRefused(f"This account type cannot register offline device: {why}")


class OfflineBackend:
    # -- the API ---------------------------------------------------------------------

    def set_status(self, *, user: PartnerUser, client_id: str, enabled: bool) -> OfflineStatus:
        """Enable or disable a device for offline play (lines 4681-4706)."""
        key = client_key(client_id)
        now = state.now()
        with transaction.atomic(using="sandbox"):
            # One user's registrations one at a time, so two at once cannot both take
            # the last slot (a no-op on SQLite, whose writes are serialised anyway).
            PartnerUser.objects.select_for_update().filter(pk=user.pk).first()
            device = OfflineDevice.objects.filter(user=user, client_key=key).first()
            if not enabled:
                if device is not None and device.enabled:
                    device.enabled = False
                    device.updated_at = now
                    device.save(update_fields=["enabled", "updated_at"])
                return OfflineStatus(enabled=False)
            self._check_plan(user, now)
            if device is not None and device.enabled:
                return OfflineStatus(enabled=True)
            limit = settings.SANDBOX_OFFLINE_DEVICE_LIMIT
            if OfflineDevice.objects.filter(user=user, enabled=True).count() >= limit:
                raise exceptions.OfflineRefused(
                    f"Maximum number of offline devices registered: {limit} devices are "
                    "enabled for this user; disable one first"
                )
            if device is None:
                OfflineDevice.objects.create(
                    user=user,
                    client_id=client_id.strip(),
                    client_key=key,
                    enabled=True,
                    registered_at=now,
                    updated_at=now,
                )
            else:
                device.enabled = True
                device.updated_at = now
                device.save(update_fields=["enabled", "updated_at"])
        return OfflineStatus(enabled=True)

    def status(self, *, user: PartnerUser, client_id: str) -> OfflineStatus:
        """A device's status (lines 4707-4721): disabled when never registered."""
        key = client_key(client_id)
        enabled = OfflineDevice.objects.filter(user=user, client_key=key, enabled=True).exists()
        return OfflineStatus(enabled=enabled)

    def clients(self, *, user: PartnerUser) -> QuerySet[OfflineDevice]:
        """The user's devices enabled for offline play, oldest first (lines 4722-4736)."""
        return OfflineDevice.objects.filter(user=user, enabled=True).order_by("registered_at", "pk")

    def offline_track(
        self,
        *,
        consumer_key: str,
        user_id: str | None,
        client_id: str,
        track_id: int,
        format_id: int,
        country: str,
    ) -> OfflineTrack:
        """The whole track for a registered device to cache (lines 4656-4680)."""
        key = client_key(client_id)
        if format_id not in STREAM_FORMATS:
            raise exceptions.InvalidParameter(
                f"Invalid value for parameter formatId: {format_id} (offline streams are "
                "format 55, AAC 64, or 56, AAC 160)"
            )
        now = state.now()
        user = PartnerUser.objects.filter(consumer_key=consumer_key, user_id=user_id).first()
        if user is None or not subscriptions_backend.has_access(user, now):
            raise exceptions.NotAvailable(
                "Pre-release or subscription availability: the user does not have a valid "
                "subscription account"
            )
        self._check_plan(user, now)
        if not OfflineDevice.objects.filter(user=user, client_key=key, enabled=True).exists():
            raise exceptions.OfflineRefused(
                f"Client {client_id[:60]} is not registered for offline playback: register "
                "it with user/unlimitedStreaming/offline first"
            )
        track = catalogue_backend.tracks_in(country).filter(id=track_id).first()
        if track is None:
            raise exceptions.NotFound(
                "Track not found: this track isn't available for streaming in your country or shop"
            )
        opens = track.release.streaming_date
        if opens is None or opens > now:
            raise exceptions.NotAvailable(
                "Pre-release or subscription availability: the track is not available for "
                "streaming" + (f" until {opens:%Y-%m-%d}" if opens is not None else "")
            )
        encoding = audio.FORMAT_ENCODINGS[format_id]
        seconds = min(max(track.duration, 1), audio.MAX_DURATION_SECONDS)
        path = audio.full_track_file(track.id, seconds, encoding, settings.SANDBOX_AUDIO_CACHE)
        return OfflineTrack(path=path, content_type=encoding.content_type)

    def _check_plan(self, user: PartnerUser, now: datetime) -> None:
        """1003 unless the user's plan is premium and gives access at ``now``."""
        subscription = Subscription.objects.filter(user=user).first()
        if subscription is None:
            raise _account_refused("the user has no subscription")
        if subscription.plan_code != Subscription.Plan.PREMIUM:
            raise _account_refused(
                f"offline play needs the premium plan, not {subscription.plan_code}"
            )
        if not subscriptions_backend.has_access(user, now):
            raise _account_refused("the subscription has ended")

    # -- the control API -------------------------------------------------------------

    def devices(
        self, *, consumer_key: str | None = None, user_id: str | None = None
    ) -> QuerySet[OfflineDevice]:
        """Every device ever registered, enabled or not, oldest first."""
        found = OfflineDevice.objects.select_related("user").order_by("registered_at", "pk")
        if consumer_key:
            found = found.filter(user__consumer_key=consumer_key)
        if user_id:
            found = found.filter(user__user_id=user_id)
        return found

    def reset(self) -> None:
        OfflineDevice.objects.all().delete()


offline_backend = OfflineBackend()
