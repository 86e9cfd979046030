"""Lockers and downloads: what a user bought, and the files of it (reference lines
4887-4947 and 4960-5080).

Rules the sandbox keeps, where the reference is silent:

* A download counts against the licensor's limit (``remainingDownloads`` in the locker)
  when its body starts at byte 0: the handler records it (``Delivery.record``) for a
  request without ``Range`` or with ``bytes=0-...``. Resuming from the middle and ``HEAD``
  do not count. A ZIP counts once for each track in it.
* A purchase's formats are those of the package bought (standard: 17, 33; premium: 45).
  Each is delivered in its codec at its bit rate (``audio.FORMAT_ENCODINGS``): 17 "MP3 320"
  as MP3 at 320 kbit/s (``audio/mpeg``, ``.mp3``, the reference's example), 33 "AAC 320" as
  AAC in an M4A file (``audio/mp4``, ``.m4a``; asked for 320 kbit/s, mono AAC gives 170-200,
  see ``docs/sandbox-audio.md``) and 45 "FLAC 16-bit 44.1kHz" as FLAC (``audio/flac``,
  ``.flac``); ZIP entries are named with the same extensions.
* 2002 (no licences) when the user, the purchase or the track is unknown, the sale was
  refunded, the release was taken down, the format is not in the package bought, or no
  downloads are left.

Bytes are real: each track is the generated song (``sandbox/audio.py``) at its full length,
and files and ZIPs are built once per content and kept in the audio cache, so a resumed
download gets the same bytes.
"""

from __future__ import annotations

import hashlib
import pathlib
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count

from .. import audio, exceptions
from ..models import PACKAGES, Download, PartnerUser, Purchase, Release, Track
from ..state import state

CHUNK_SIZE = 64 * 1024
BEST_FORMATS = (45, 17, 33)  # FLAC first, then MP3 320, then AAC 320
ZIP_CONTENT_TYPE = "application/zip"
# Part of the cache name: bump when the archive's layout or its files' encodings change
# (2: real AAC/FLAC; 3: each format at its own bit rate).
ZIP_VERSION = 3
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')

LOCKER_SORTS = {
    f"{column} {order}": (column, order == "desc")
    for column in ("releaseTitle", "purchaseDate", "artistName")
    for order in ("asc", "desc")
}


# -- the locker ------------------------------------------------------------------------------


@dataclass
class LockerEntry:
    """One release in the locker: the latest purchase of each of its tracks."""

    release: Release
    tracks: dict[int, tuple[Track, Purchase]] = field(default_factory=dict)

    @property
    def last_purchase(self) -> datetime:
        return max(purchase.purchased_at for _, purchase in self.tracks.values())


@dataclass(frozen=True)
class Locker:
    """The entries, sorted, and the downloads used per (purchase id, track id)."""

    entries: list[LockerEntry]
    downloads: dict[tuple[int, int], int]

    def remaining(self, purchase: Purchase, track: Track) -> int:
        """Downloads of the track left from this purchase (``remainingDownloads``)."""
        used = self.downloads.get((purchase.id, track.id), 0)
        return max(purchase.release.licensor.download_limit - used, 0)


def _entries(purchases: Iterable[Purchase]) -> list[LockerEntry]:
    entries: dict[int, LockerEntry] = {}
    for purchase in purchases:  # oldest first: a later purchase of a track wins
        entry = entries.setdefault(purchase.release_id, LockerEntry(purchase.release))
        bought = [purchase.track] if purchase.track else purchase.release.tracks.all()
        for track in bought:
            entry.tracks[track.id] = (track, purchase)
    return list(entries.values())


def _sorted(entries: list[LockerEntry], sort: str) -> list[LockerEntry]:
    column, descending = LOCKER_SORTS[sort]
    key = {
        "releaseTitle": lambda e: (e.release.title.lower(), e.release.id),
        "purchaseDate": lambda e: (e.last_purchase, e.release.id),
        "artistName": lambda e: (e.release.artist.name.lower(), e.release.id),
    }[column]
    return sorted(entries, key=key, reverse=descending)


# -- downloads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadItem:
    """One track to deliver: from which sale, in which format."""

    purchase: Purchase
    track: Track
    format_id: int


@dataclass(frozen=True)
class Delivery:
    """A file to send, and the tracks it counts as downloaded once sent from byte 0."""

    path: pathlib.Path
    content_type: str
    filename: str
    items: list[DownloadItem]

    def record(self) -> None:
        now = state.now()
        Download.objects.bulk_create(
            Download(purchase=i.purchase, track=i.track, format_id=i.format_id, downloaded_at=now)
            for i in self.items
        )


def _no_licence(message: str) -> exceptions.NotAvailable:
    return exceptions.NotAvailable(f"No licences found for the download request: {message}")


def _user(consumer_key: str, user_id: str | None) -> PartnerUser:
    user = PartnerUser.objects.filter(consumer_key=consumer_key, user_id=user_id).first()
    if user is None:
        raise _no_licence("the user does not exist")
    return user


def _purchases(user: PartnerUser, **filters) -> list[Purchase]:
    """The user's sales that still give licences, newest first."""
    return list(
        Purchase.objects.filter(user=user, refunded_at__isnull=True, **filters)
        .select_related("release__artist", "release__licensor", "track")
        .prefetch_related("release__tracks__artist")
        .order_by("-purchased_at", "-id")
    )


def _formats(purchase: Purchase) -> tuple[int, ...]:
    return tuple(format_id for format_id, _ in PACKAGES[purchase.package_id][1])


def _tracks(purchase: Purchase) -> list[Track]:
    if purchase.track_id:
        return [purchase.track]
    return sorted(purchase.release.tracks.all(), key=lambda t: (t.disc_number, t.number))


def _remaining(purchase: Purchase, track: Track) -> int:
    used = Download.objects.filter(purchase=purchase, track=track).count()
    return purchase.release.licensor.download_limit - used


def _check_available(purchases: list[Purchase]) -> None:
    if purchases and purchases[0].release.taken_down:
        raise _no_licence("the release is no longer available for download")


def _zip_items(purchases: list[Purchase], format_id: int | None) -> list[DownloadItem]:
    """One item per track, from its newest sale with downloads left, in order on the release."""
    chosen: dict[int, DownloadItem] = {}
    for purchase in purchases:  # newest first
        formats = _formats(purchase)
        if format_id is not None and format_id not in formats:
            continue
        fmt = format_id or next(f for f in BEST_FORMATS if f in formats)
        for track in _tracks(purchase):
            if track.id not in chosen and _remaining(purchase, track) > 0:
                chosen[track.id] = DownloadItem(purchase, track, fmt)
    return sorted(chosen.values(), key=lambda i: (i.track.disc_number, i.track.number))


# -- files -----------------------------------------------------------------------------------


def _safe(text: str) -> str:
    return _UNSAFE.sub(" ", text).strip(" .") or "track"


def _encoding(format_id: int) -> audio.Encoding:
    return audio.FORMAT_ENCODINGS[format_id]


def _track_path(track: Track, encoding: audio.Encoding) -> pathlib.Path:
    seconds = min(max(track.duration, 1), audio.MAX_DURATION_SECONDS)
    return audio.full_track_file(track.id, seconds, encoding, settings.SANDBOX_AUDIO_CACHE)


def _track_filename(track: Track, encoding: audio.Encoding) -> str:
    return f"{_safe(track.artist.name)} - {_safe(track.title)}.{encoding.extension}"


def _zip_path(items: list[DownloadItem]) -> pathlib.Path:
    """The ZIP of these tracks, built once: the same tracks give the same bytes."""
    key = ",".join(f"{i.track.id}:{i.format_id}" for i in items)
    version = f"v{ZIP_VERSION}.{audio.GENERATOR_VERSION}"
    digest = hashlib.sha256(f"{version}:{key}".encode()).hexdigest()[:24]
    path = pathlib.Path(settings.SANDBOX_AUDIO_CACHE) / "zips" / f"{digest}.zip"
    if path.exists():
        return path
    with audio.atomic_file(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        for item in items:
            track, encoding = item.track, _encoding(item.format_id)
            name = f"{track.disc_number}-{track.number:02d} {_track_filename(track, encoding)}"
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            source_path = _track_path(track, encoding)
            with source_path.open("rb") as source, archive.open(info, "w") as entry:
                while chunk := source.read(CHUNK_SIZE):
                    entry.write(chunk)
    return path


class LockersBackend:
    def locker(
        self,
        *,
        user: PartnerUser,
        sort: str,
        release_id: int | None,
        track_id: int | None,
        purchase_id: int | None,
    ) -> Locker:
        """The user's unrefunded purchases as locker releases, sorted; 2001 for an
        unknown ``purchase_id``."""
        purchases = (
            Purchase.objects.filter(user=user, refunded_at__isnull=True)
            .select_related(
                "release__artist", "release__label", "release__licensor", "track__artist"
            )
            .prefetch_related("release__tracks__artist")
            .order_by("purchased_at", "id")
        )
        if purchase_id is not None:
            purchases = purchases.filter(id=purchase_id)
            if not purchases.exists():
                raise exceptions.NotFound(f"No tracks found for purchaseId {purchase_id}")
        if release_id is not None:
            purchases = purchases.filter(release_id=release_id)
        entries = _entries(purchases)
        if release_id is not None and track_id is not None:
            for entry in entries:
                entry.tracks = {k: v for k, v in entry.tracks.items() if k == track_id}
            entries = [entry for entry in entries if entry.tracks]

        downloads = {
            (row["purchase_id"], row["track_id"]): row["count"]
            for row in Download.objects.filter(purchase__user=user)
            .values("purchase_id", "track_id")
            .annotate(count=Count("id"))
        }
        return Locker(_sorted(entries, sort), downloads)

    def track_download(
        self,
        *,
        consumer_key: str,
        user_id: str | None,
        track_id: int,
        release_id: int,
        format_id: int,
    ) -> Delivery:
        """One bought track in one format, from a sale with downloads of it left."""
        user = _user(consumer_key, user_id)
        purchases = [
            p
            for p in _purchases(user, release_id=release_id)
            if p.track_id in (None, track_id) and any(t.id == track_id for t in _tracks(p))
        ]
        if not purchases:
            raise _no_licence(f"track {track_id} of release {release_id} was not bought")
        _check_available(purchases)
        purchases = [p for p in purchases if format_id in _formats(p)]
        if not purchases:
            raise _no_licence(f"format {format_id} is not in the package bought")
        for purchase in purchases:
            track = next(t for t in _tracks(purchase) if t.id == track_id)
            if _remaining(purchase, track) > 0:
                break
        else:
            raise _no_licence(f"no downloads of track {track_id} are left")
        encoding = _encoding(format_id)
        return Delivery(
            _track_path(track, encoding),
            content_type=encoding.content_type,
            filename=_track_filename(track, encoding),
            items=[DownloadItem(purchase, track, format_id)],
        )

    def release_download(
        self, *, consumer_key: str, user_id: str | None, release_id: int, format_id: int | None
    ) -> Delivery:
        """The user's tracks of a release as a ZIP (each in ``format_id``, or the best bought)."""
        purchases = _purchases(_user(consumer_key, user_id), release_id=release_id)
        if not purchases:
            raise _no_licence(f"release {release_id} was not bought")
        _check_available(purchases)
        items = _zip_items(purchases, format_id)
        if not items:
            raise _no_licence(f"no downloads of release {release_id} are left in that format")
        release = purchases[0].release
        return Delivery(
            _zip_path(items),
            content_type=ZIP_CONTENT_TYPE,
            filename=f"{_safe(release.artist.name)} - {_safe(release.title)}.zip",
            items=items,
        )

    def purchase_download(
        self, *, consumer_key: str, user_id: str | None, purchase_id: int
    ) -> Delivery:
        """The tracks of one sale as a ZIP, each in the best format bought."""
        purchases = _purchases(_user(consumer_key, user_id), id=purchase_id)
        if not purchases:
            raise _no_licence(f"purchase {purchase_id} does not exist for this user")
        _check_available(purchases)
        items = _zip_items(purchases, None)
        if not items:
            raise _no_licence(f"no downloads of purchase {purchase_id} are left")
        return Delivery(
            _zip_path(items),
            content_type=ZIP_CONTENT_TYPE,
            filename=f"7digital_Downloads_{state.now():%d-%m-%Y}.zip",
            items=items,
        )


lockers_backend = LockersBackend()
