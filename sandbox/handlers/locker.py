"""The user's locker: what they bought, with download URLs (reference lines 4960-5080)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from .. import exceptions
from ..backends.lockers import LOCKER_SORTS, Locker, LockerEntry
from ..backends.lockers import lockers_backend as backend
from ..context import Call
from ..models import PACKAGES, Purchase, Track
from ..routing import endpoint
from ..serializer import Items, iso
from ..shapes import artist_data, release_image, track_core
from .users import partner_user

DEFAULT_SORT = "releaseTitle asc"


def _download_url(purchase: Purchase, track: Track, format_id: int) -> str:
    query = urlencode(
        {"releaseId": purchase.release_id, "trackId": track.id, "formatId": format_id}
    )
    return f"{settings.SANDBOX_PUBLIC_URL.rstrip('/')}/media/user/downloadtrack?{query}"


def _locker_track(
    track: Track, purchase: Purchase, locker: Locker, available: bool
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
        data["remainingDownloads"] = locker.remaining(purchase, track)
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


def _locker_release(entry: LockerEntry, locker: Locker) -> dict[str, Any]:
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
        [_locker_track(track, purchase, locker, available) for track, purchase in tracks],
        "lockerTrack",
    )
    data["available"] = available
    return data


@endpoint("GET", "user/locker", auth="user")
def locker(call: Call) -> dict:
    user = partner_user(call)
    call.country  # noqa: B018 - required, as documented (1001 without it)
    sort = call.params.get("sort", DEFAULT_SORT)
    if sort not in LOCKER_SORTS:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter sort: {sort} (one of {', '.join(LOCKER_SORTS)})"
        )
    release_id = call.params.integer("releaseId")
    track_id = call.params.integer("trackId")
    purchase_id = call.params.integer("purchaseId")
    locker = backend.locker(
        user=user, sort=sort, release_id=release_id, track_id=track_id, purchase_id=purchase_id
    )
    entries = locker.entries
    page, size, shown = call.page(len(entries), lambda start, end: entries[start:end])
    return {
        "locker": {
            "lockerReleases": {
                "page": page,
                "pageSize": size,
                "totalItems": len(entries),
                # Repeated inside lockerReleases, beside page and totalItems.
                "lockerRelease": [_locker_release(entry, locker) for entry in shown],
            }
        }
    }
