"""The shapes handlers render: the reference's standard objects, and pages of them.

Shapes follow the reference's standard objects (7digital-api-1.2-reference.txt lines
108-430): artist, release, track, label, licensor, download/package/price/format and the
streaming availability blocks, with the fields each endpoint's example shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from .context import Call
from .models import (
    FORMAT_DESCRIPTIONS,
    PACKAGES,
    PREMIUM_PACKAGE,
    STANDARD_PACKAGE,
    Artist,
    PriceTier,
    Release,
    Track,
)
from .serializer import Items

TAG_URL = "http://www.7digital.com/tags/{tag}?partner=1401"


# -- shapes ----------------------------------------------------------------------


def _artwork(kind: str, item_id: int, size: int) -> str:
    padded = f"{item_id:010d}"
    base = settings.SANDBOX_ARTWORK_URL.rstrip("/")
    return f"{base}/{kind}/{padded[:2]}/{padded[2:5]}/{padded[5:8]}/{padded}_{size}.jpg"


def artist_image(artist_id: int, size: int = 150) -> str:
    return _artwork("artistimages", artist_id, size)


def release_image(release_id: int, size: int = 50) -> str:
    return _artwork("sleeveart", release_id, size)


def artist_data(
    artist: Artist, *, size: int = 150, appears_as: bool = False, full: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {"@id": artist.id, "name": artist.name}
    if appears_as:
        data["appearsAs"] = artist.name
    else:
        data["sortName"] = artist.sort_name
    data["slug"] = artist.slug
    data["image"] = artist_image(artist.id, size)
    if appears_as:
        data["isPlaceholderImage"] = True
        return data
    data["~appearsAs"] = None
    if full:
        data["bio"] = {"text": artist.bio}
    else:
        data["popularity"] = artist.popularity
    return data


def price_data(tier: PriceTier | None, currency: str) -> dict[str, Any]:
    amount = tier.amount(currency) if tier else None
    return {"currencyCode": currency, "sevendigitalPrice": amount, "recommendedRetailPrice": amount}


def package_data(package_id: int, tier: PriceTier | None, currency: str) -> dict[str, Any]:
    description, formats = PACKAGES[package_id]
    return {
        "@id": package_id,
        "description": description,
        "price": price_data(tier, currency),
        "formats": Items(
            [{"@id": fid, "description": FORMAT_DESCRIPTIONS[fid]} for fid, _ in formats],
            "format",
        ),
    }


def _packages(item: Release | Track, has_premium: bool, currency: str) -> Items:
    packages = [package_data(STANDARD_PACKAGE, item.standard_tier, currency)]
    if has_premium:
        packages.append(package_data(PREMIUM_PACKAGE, item.premium_tier, currency))
    return Items(packages, "package")


def usage_data(
    release: Release,
    usage: Iterable[str],
    currency: str,
    packages: Items | None,
    *,
    preview: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if "download" in usage:
        download: dict[str, Any] = {"releaseDate": release.release_date}
        if preview and release.preview_date:
            download["previewDate"] = release.preview_date
        download["packages"] = packages if packages is not None else Items([], "package")
        data["download"] = download
    if "subscriptionstreaming" in usage and release.streaming_date:
        data["subscriptionStreaming"] = {"releaseDate": release.streaming_date}
    if "adsupportedstreaming" in usage and release.ad_supported_date:
        data["adSupportedStreaming"] = {"releaseDate": release.ad_supported_date}
    return data


def release_data(
    release: Release,
    *,
    usage: Iterable[str] = (),
    currency: str = "GBP",
    size: int = 50,
    details: bool = False,
    brief: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@id": release.id,
        "title": release.title,
        "version": release.version,
        "type": release.type,
        "barcode": release.barcode,
        "year": release.year,
        "explicitContent": release.explicit,
        "slug": release.slug,
    }
    if details:
        data["cline"] = release.cline
        data["pline"] = release.pline
    data["artist"] = artist_data(release.artist, appears_as=True)
    data["image"] = release_image(release.id, size)
    data["label"] = {"@id": release.label_id, "name": release.label.name}
    data["licensor"] = {"@id": release.licensor_id, "name": release.licensor.name}
    data["popularity"] = release.popularity
    data["duration"] = release.duration
    data["trackCount"] = release.track_count
    if brief:
        return data
    data.update(
        usage_data(release, usage, currency, _packages(release, release.has_premium, currency))
    )
    return data


def track_core(track: Track) -> dict[str, Any]:
    """The fields every shape of a track starts with (details, lists, lockers)."""
    return {
        "@id": track.id,
        "title": track.title,
        "version": track.version,
        "artist": artist_data(track.artist, appears_as=True),
        "trackNumber": track.number,
        "duration": track.duration,
    }


def track_data(
    track: Track,
    *,
    usage: Iterable[str] = (),
    currency: str = "GBP",
    size: int = 50,
    details: bool = False,
) -> dict[str, Any]:
    release = track.release
    data: dict[str, Any] = {
        **track_core(track),
        "explicitContent": track.explicit,
        "isrc": track.isrc,
    }
    if details:
        data["pline"] = track.pline
    data["type"] = track.type
    data["release"] = release_data(release, size=size, brief=True)
    data["discNumber"] = track.disc_number
    data["popularity"] = track.popularity
    data["number"] = track.number
    data.update(
        usage_data(
            release, usage, currency, _packages(track, release.has_premium, currency), preview=True
        )
    )
    return data


def tag_data(tag, *, count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@id": tag.id, "text": tag.text, "url": TAG_URL.format(tag=tag.id)}
    if count is not None:
        data["count"] = count
    return data


# -- lists -------------------------------------------------------------------------


def page_of(
    call: Call, queryset: QuerySet | list, shape, *, wrapper_extra=None, item_tag: str
) -> dict[str, Any]:
    """``{page, pageSize, totalItems, <item_tag>: [...]}`` with 1003 past the end."""
    total = len(queryset) if isinstance(queryset, list) else queryset.count()
    page, size, items = call.page(total, lambda a, b: queryset[a:b])
    content: dict[str, Any] = {"page": page, "pageSize": size, "totalItems": total}
    content.update(wrapper_extra or {})
    content[item_tag] = [shape(item) for item in items]
    return content


def score_value(score: int, popularity) -> str:
    """A score in the reference's style (``9.148376``): match weight plus popularity."""
    return f"{score + float(popularity):.6f}"
