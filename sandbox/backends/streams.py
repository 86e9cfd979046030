"""Full-track streaming from the stream host (reference lines 4583-4655): who may stream
which track, in which format, and the one-device rule of ``clientId`` (error 3201).

Rules the sandbox keeps, where the reference is silent (``docs/sandbox-streaming.md``):

* Formats 56 "AAC 160" and 55 "AAC 64" (line 4585), each an AAC file in MP4
  (``audio/mp4``) of the track's full length. Any other ``formatId`` (the log examples'
  50, the download formats) is 1002, naming the two. Each is encoded at the bit rate its
  name gives, 160 or 64 kbit/s on average (``audio.FORMAT_ENCODINGS``).
* 2001 when the track is not in the catalogue of ``country`` (unknown, not licensed
  there, or taken down). 2002 when the stream is not allowed: ``stream/locker`` for a
  track the user holds no unrefunded purchase of, or before its release date (a
  pre-order); ``stream/subscription`` for a user without access at the sandbox's clock
  (``subscriptions_backend.has_access``), or a release without a subscription-streaming
  date, or before it; ``stream/catalogue`` (radio) for a release without an
  ad-supported-streaming date, or before it.
* ``clientId`` on ``stream/subscription`` (lines 4631, 4651): when device B starts a
  track while device A is streaming, A may finish its current track (every request for
  that track, seeks included, is served) and is then refused with 3201 until the block
  window (``SANDBOX_STREAM_BLOCK_SECONDS``) has passed since its track's end. After that
  A may start again, and B is superseded in the same way. A device counts as streaming
  until its track's end plus the window (a paused player still holds its track).
  Requests without ``clientId`` are never refused for concurrency, nor do they
  supersede a device. ``HEAD`` is answered as ``GET`` would be (3201 included) but
  starts nothing.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from .. import audio, exceptions
from ..models import PartnerUser, Purchase, Stream, Track
from ..state import state
from .catalogue import catalogue_backend
from .subscriptions import subscriptions_backend

Kind = Stream.Kind

# The stream formats of line 4585: every one AAC (line 4584: "Format ID 56 (AAC 160)").
STREAM_FORMATS = {56: "AAC 160", 55: "AAC 64"}
CLIENT_ID_MAX = Stream._meta.get_field("client_id").max_length


@dataclass(frozen=True)
class StreamFile:
    """The audio to send: a cached file and its content type."""

    path: pathlib.Path
    content_type: str


@dataclass(frozen=True)
class Request:
    """One stream request as the rules see it."""

    consumer_key: str
    user_id: str | None
    track_id: int
    format_id: int
    country: str
    starts: bool  # a GET (a HEAD asks, and changes nothing)
    client_id: str | None = None


def block_window() -> timedelta:
    return timedelta(seconds=settings.SANDBOX_STREAM_BLOCK_SECONDS)


def _check_format(format_id: int) -> audio.Encoding:
    if format_id not in STREAM_FORMATS:
        available = ", ".join(f"{fid} ({name})" for fid, name in STREAM_FORMATS.items())
        raise exceptions.InvalidParameter(
            f"Invalid value for formatId: {format_id}. Streams are available in formats {available}"
        )
    return audio.FORMAT_ENCODINGS[format_id]


def _track(track_id: int, country: str) -> Track:
    track = catalogue_backend.tracks_in(country).filter(id=track_id).first()
    if track is None:
        raise exceptions.NotFound(
            "Track not found. This track isn't available for streaming in your country or shop."
        )
    return track


def _seconds(track: Track) -> int:
    return min(max(track.duration, 1), audio.MAX_DURATION_SECONDS)


def _file(track: Track, encoding: audio.Encoding) -> StreamFile:
    path = audio.full_track_file(track.id, _seconds(track), encoding, settings.SANDBOX_AUDIO_CACHE)
    return StreamFile(path, encoding.content_type)


def _opened(opens: datetime | None, now: datetime, what: str) -> None:
    if opens is None:
        raise exceptions.NotAvailable(f"Pre-release or license availability: {what}")
    if opens > now:
        raise exceptions.NotAvailable(
            f"Pre-release or license availability: {what} opens on {opens:%Y-%m-%d}"
        )


def _user(consumer_key: str, user_id: str | None) -> PartnerUser | None:
    return PartnerUser.objects.filter(consumer_key=consumer_key, user_id=user_id).first()


def _owns(user: PartnerUser | None, track: Track) -> bool:
    """Whether an unrefunded purchase of the track, or of its release, is in the locker."""
    if user is None:
        return False
    bought = Purchase.objects.filter(user=user, refunded_at__isnull=True)
    return (
        bought.filter(track_id=track.id).exists()
        or bought.filter(track__isnull=True, release_id=track.release_id).exists()
    )


def _ends(stream: Stream) -> datetime:
    return stream.started_at + timedelta(seconds=stream.track_seconds)


def stream_state(stream: Stream, now: datetime) -> str:
    """``playing``, ``finishing`` (superseded, on its last track), ``blocked`` or ``ended``."""
    if stream.superseded_at is not None and stream.blocked_until is not None:
        if now < stream.blocked_until:
            return "finishing" if now < _ends(stream) else "blocked"
        return "ended"
    return "playing" if now < _ends(stream) + block_window() else "ended"


def _in_transaction(action) -> None:
    """Run ``action`` in one transaction; once more if a request of the same device, at
    the same moment, inserted the device's row first (SQLite has no row locks)."""
    try:
        with transaction.atomic(using="sandbox"):
            action()
    except IntegrityError:
        with transaction.atomic(using="sandbox"):
            action()


class StreamsBackend:
    # -- the three endpoints -----------------------------------------------------------

    def locker(self, request: Request) -> StreamFile:
        """``stream/locker``: a track the user bought, once released."""
        encoding = _check_format(request.format_id)
        track = _track(request.track_id, request.country)
        if not _owns(_user(request.consumer_key, request.user_id), track):
            raise exceptions.NotAvailable(
                f"Pre-release or license availability: track {track.id} is not in the user's locker"
            )
        now = state.now()
        _opened(track.release.release_date, now, f"track {track.id}'s release")
        if request.starts:
            self._record(request, Kind.LOCKER, track, now)
        return _file(track, encoding)

    def subscription(self, request: Request) -> StreamFile:
        """``stream/subscription``: a subscriber's stream of a release open to
        subscription streaming, one device at a time when ``clientId`` is sent."""
        encoding = _check_format(request.format_id)
        track = _track(request.track_id, request.country)
        now = state.now()
        user = _user(request.consumer_key, request.user_id)
        if user is None or not subscriptions_backend.has_access(user, now):
            raise exceptions.NotAvailable(
                "Pre-release or subscription availability: the user does not have a valid "
                "subscription"
            )
        _opened(track.release.streaming_date, now, f"subscription streaming of track {track.id}")
        if request.client_id:
            self._one_device(request, track, now)
        elif request.starts:
            self._record(request, Kind.SUBSCRIPTION, track, now)
        return _file(track, encoding)

    def catalogue(self, request: Request) -> StreamFile:
        """``stream/catalogue``: non-interactive radio, no user (line 4609)."""
        encoding = _check_format(request.format_id)
        track = _track(request.track_id, request.country)
        _opened(
            track.release.ad_supported_date, state.now(), f"radio streaming of track {track.id}"
        )
        return _file(track, encoding)

    # -- devices -------------------------------------------------------------------------

    def _record(self, request: Request, kind: str, track: Track, now: datetime) -> None:
        """Remember the stream of a user and device (no concurrency rule)."""

        def remember() -> None:
            stream = (
                Stream.objects.select_for_update()
                .filter(
                    consumer_key=request.consumer_key,
                    user_id=request.user_id,
                    kind=kind,
                    client_id=request.client_id or "",
                )
                .first()
            )
            self._play(stream, request, kind, track, now)

        _in_transaction(remember)

    def _play(
        self, stream: Stream | None, request: Request, kind: str, track: Track, now: datetime
    ) -> Stream:
        """The device's stream of ``track``: a seek of its current track, or a new start."""
        if stream is None:
            stream = Stream(
                consumer_key=request.consumer_key,
                user_id=request.user_id,
                kind=kind,
                client_id=request.client_id or "",
                requests=0,
            )
        elif stream.track_id == track.id and stream.superseded_at is None:
            stream.last_request_at = now
            stream.requests += 1
            stream.format_id = request.format_id
            stream.save()
            return stream
        stream.track_id = track.id
        stream.format_id = request.format_id
        stream.country = request.country
        stream.track_seconds = _seconds(track)
        stream.started_at = stream.last_request_at = now
        stream.requests = 1
        stream.superseded_at = stream.blocked_until = None
        stream.save()
        return stream

    def _one_device(self, request: Request, track: Track, now: datetime) -> None:
        """Lines 4631 and 4651: serve this device, or refuse it with 3201."""
        window = block_window()

        def decide() -> None:
            devices = list(
                Stream.objects.select_for_update()
                .filter(
                    consumer_key=request.consumer_key,
                    user_id=request.user_id,
                    kind=Kind.SUBSCRIPTION,
                )
                .exclude(client_id="")
                .order_by("pk")
            )
            this = next((d for d in devices if d.client_id == request.client_id), None)
            if this is not None and this.superseded_at is not None and now < this.blocked_until:
                if this.track_id != track.id:
                    raise exceptions.ConcurrentStream(
                        "Simultaneous stream requests from multiple locations - streaming "
                        "access temporarily disabled. This device may play again from "
                        f"{this.blocked_until:%Y-%m-%dT%H:%M:%SZ}."
                    )
                if request.starts:  # finishing its current track: seeks are served
                    this.last_request_at = now
                    this.requests += 1
                    this.save(update_fields=["last_request_at", "requests"])
                return
            if not request.starts:
                return
            starting = this is None or this.track_id != track.id or this.superseded_at is not None
            self._play(this, request, Kind.SUBSCRIPTION, track, now)
            if not starting:
                return
            for other in devices:
                if other.client_id == request.client_id or other.superseded_at is not None:
                    continue
                if now < _ends(other) + window:  # still streaming, or paused on its track
                    other.superseded_at = now
                    other.blocked_until = max(now, _ends(other)) + window
                    other.save(update_fields=["superseded_at", "blocked_until"])

        _in_transaction(decide)

    # -- the control API -----------------------------------------------------------------

    def streams(
        self,
        *,
        consumer_key: str | None = None,
        user_id: str | None = None,
        everything: bool = False,
    ) -> list[tuple[Stream, str]]:
        """Each user's streams per device with their state at the sandbox's clock, by
        user and device; only those not ``ended`` unless ``everything``."""
        found: QuerySet[Stream] = Stream.objects.order_by(
            "consumer_key", "user_id", "kind", "client_id"
        )
        if consumer_key:
            found = found.filter(consumer_key=consumer_key)
        if user_id:
            found = found.filter(user_id=user_id)
        now = state.now()
        listed = [(stream, stream_state(stream, now)) for stream in found]
        return [(s, st) for s, st in listed if everything or st != "ended"]

    def reset(self) -> None:
        Stream.objects.all().delete()


streams_backend = StreamsBackend()
