"""The user's locker: what they bought, with download URLs (reference lines 4960-5080)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count

from .. import exceptions
from ..catalogue import artist_data, release_image, track_core
from ..context import Call
from ..models import PACKAGES, Download, Purchase, Release, Track
from ..routing import endpoint
from ..serializer import Items, iso
from .users import partner_user

SORTS = {
    f"{column} {order}": (column, order == "desc")
    for column in ("releaseTitle", "purchaseDate", "artistName")
    for order in ("asc", "desc")
}
DEFAULT_SORT = "releaseTitle asc"


@dataclass
class _Entry:
    """One release in the locker: the latest purchase of each of its tracks."""

    release: Release
    tracks: dict[int, tuple[Track, Purchase]] = field(default_factory=dict)

    @property
    def last_purchase(self) -> datetime:
        return max(purchase.purchased_at for _, purchase in self.tracks.values())


def _entries(purchases: Iterable[Purchase]) -> list[_Entry]:
    entries: dict[int, _Entry] = {}
    for purchase in purchases:  # oldest first: a later purchase of a track wins
        entry = entries.setdefault(purchase.release_id, _Entry(purchase.release))
        bought = [purchase.track] if purchase.track else purchase.release.tracks.all()
        for track in bought:
            entry.tracks[track.id] = (track, purchase)
    return list(entries.values())


def _sorted(entries: list[_Entry], sort: str) -> list[_Entry]:
    column, descending = SORTS[sort]
    key = {
        "releaseTitle": lambda e: (e.release.title.lower(), e.release.id),
        "purchaseDate": lambda e: (e.last_purchase, e.release.id),
        "artistName": lambda e: (e.release.artist.name.lower(), e.release.id),
    }[column]
    return sorted(entries, key=key, reverse=descending)


def _download_url(purchase: Purchase, track: Track, format_id: int) -> str:
    query = urlencode(
        {"releaseId": purchase.release_id, "trackId": track.id, "formatId": format_id}
    )
    return f"{settings.SANDBOX_PUBLIC_URL.rstrip('/')}/media/user/downloadtrack?{query}"


def _locker_track(
    track: Track, purchase: Purchase, downloads: dict[tuple[int, int], int], available: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "track": {
            **track_core(track),
            "isrc": track.isrc,
            "discNumber": track.disc_number,
            "number": track.number,
        }
    }
    # A taken-down release, as the reference shows it: no downloads left to count, no
    # purchase to download from, no URLs.
    if available:
        used = downloads.get((purchase.id, track.id), 0)
        data["remainingDownloads"] = max(purchase.release.licensor.download_limit - used, 0)
    data["purchaseId"] = purchase.id if available else 0
    data["purchaseDate"] = iso(purchase.purchased_at)
    data["completeAlbumPurchase"] = purchase.track_id is None
    data["downloadUrls"] = (
        Items(
            [
                {
                    "url": _download_url(purchase, track, format_id),
                    "format": {"@id": format_id, "description": description},
                }
                for format_id, description in PACKAGES[purchase.package_id][1]
            ],
            "downloadUrl",
        )
        if available
        else None
    )
    return data


def _locker_release(entry: _Entry, downloads: dict[tuple[int, int], int]) -> dict[str, Any]:
    release = entry.release
    available = not release.taken_down
    data: dict[str, Any] = {
        "release": {
            "@id": release.id,
            "title": release.title,
            "version": release.version,
            "type": release.type,
            "barcode": release.barcode,
            "artist": artist_data(release.artist, appears_as=True),
            "slug": release.slug,
            "image": release_image(release.id),
            "label": {"@id": release.label_id, "name": release.label.name},
            "licensor": {"@id": release.licensor_id, "name": release.licensor.name},
        }
    }
    if available:
        data["release"]["download"] = {"releaseDate": iso(release.release_date)}
    tracks = sorted(entry.tracks.values(), key=lambda tp: (tp[0].disc_number, tp[0].number))
    data["lockerTracks"] = Items(
        [_locker_track(track, purchase, downloads, available) for track, purchase in tracks],
        "lockerTrack",
    )
    data["available"] = available
    return data


@endpoint("GET", "user/locker", auth="user")
def locker(call: Call) -> dict:
    user = partner_user(call)
    call.country  # noqa: B018 - required, as documented (1001 without it)
    sort = call.params.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter sort: {sort} (one of {', '.join(SORTS)})"
        )
    release_id = call.params.integer("releaseId")
    track_id = call.params.integer("trackId")
    purchase_id = call.params.integer("purchaseId")

    purchases = (
        Purchase.objects.filter(user=user, refunded_at__isnull=True)
        .select_related("release__artist", "release__label", "release__licensor", "track__artist")
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
    entries = _sorted(entries, sort)
    page, size, shown = call.page(len(entries), lambda start, end: entries[start:end])
    return {
        "locker": {
            "lockerReleases": {
                "page": page,
                "pageSize": size,
                "totalItems": len(entries),
                # Repeated inside lockerReleases, beside page and totalItems.
                "lockerRelease": [_locker_release(entry, downloads) for entry in shown],
            }
        }
    }
