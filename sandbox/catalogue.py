"""Catalogue rules and shapes: what a country sees, at what price, in which form.

Shapes follow the reference's standard objects (7digital-api-1.2-reference.txt lines
108-430): artist, release, track, label, licensor, download/package/price/format and the
streaming availability blocks, with the fields each endpoint's example shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from . import exceptions
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

USAGE_TYPES = ("download", "subscriptionstreaming", "adsupportedstreaming")
RELEASE_IMAGE_SIZES = (33, 50, 100, 180, 182, 200, 350, 500, 800)
ARTIST_IMAGE_SIZES = (150, 200, 300)
TAG_URL = "http://www.7digital.com/tags/{tag}?partner=1401"

RELEASE_RELATED = ("artist", "label", "licensor", "standard_tier", "premium_tier")
TRACK_RELATED = (
    "artist",
    "standard_tier",
    "premium_tier",
    "release",
    "release__artist",
    "release__label",
    "release__licensor",
)


# -- request options -----------------------------------------------------------


def usage_types(call: Call) -> tuple[str, ...]:
    """``usageTypes`` is required where the reference says so; unknown values are 1006."""
    raw = call.params.required("usageTypes")
    values = tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    unknown = [v for v in values if v not in USAGE_TYPES]
    if unknown or not values:
        raise exceptions.InvalidEnumeration(
            f"Invalid value for parameter usageTypes: {raw}. "
            f"Use one or more of {', '.join(USAGE_TYPES)}"
        )
    return values


def image_size(call: Call, allowed: tuple[int, ...], default: int) -> int:
    size = call.params.integer("imageSize")
    if size is None:
        return default
    if size not in allowed:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter imageSize: {size}. "
            f"Available sizes: {', '.join(map(str, allowed))}"
        )
    return size


def package_ids(call: Call) -> set[int] | None:
    raw = call.params.get("packageIds")
    if raw is None:
        return None
    try:
        return {int(v) for v in raw.split(",") if v.strip()}
    except ValueError as exc:
        raise exceptions.InvalidParameter(f"Invalid value for parameter packageIds: {raw}") from exc


def release_types(call: Call) -> list[str] | None:
    raw = call.params.get("type")
    if raw is None:
        return None
    types = [t.strip().capitalize() for t in raw.split(",") if t.strip()]
    allowed = {choice.value for choice in Release.Type}
    if any(t not in allowed for t in types):
        raise exceptions.InvalidEnumeration(
            f"Invalid value for parameter type: {raw}. Use album, single or video"
        )
    return types


# -- visibility ------------------------------------------------------------------


def releases_in(country: str) -> QuerySet[Release]:
    return Release.objects.filter(
        territories__contains=f",{country},", taken_down=False
    ).select_related(*RELEASE_RELATED)


def tracks_in(country: str) -> QuerySet[Track]:
    return Track.objects.filter(
        release__territories__contains=f",{country},", release__taken_down=False
    ).select_related(*TRACK_RELATED)


def with_packages(
    queryset: QuerySet,
    packages: set[int] | None,
    usage: Iterable[str],
    *,
    premium_field: str = "has_premium",
) -> QuerySet:
    """``packageIds`` keeps items offered in one of the packages (download only).

    Every item is offered in the standard package (a nil price still lists it); the
    premium package only where the release has lossless formats.
    """
    if not packages or "download" not in usage or STANDARD_PACKAGE in packages:
        return queryset
    if PREMIUM_PACKAGE in packages:
        return queryset.filter(**{premium_field: True})
    return queryset.none()


def get_release(call: Call, release_id: int) -> Release:
    try:
        return releases_in(call.country).get(id=release_id)
    except Release.DoesNotExist as exc:
        raise exceptions.NotFound("Release id not licensed for this partner") from exc


def get_track(call: Call, track_id: int) -> Track:
    try:
        return tracks_in(call.country).get(id=track_id)
    except Track.DoesNotExist as exc:
        raise exceptions.NotFound("Track not found") from exc


def get_artist(artist_id: int) -> Artist:
    try:
        return Artist.objects.get(id=artist_id)
    except Artist.DoesNotExist as exc:
        raise exceptions.NotFound("Artist not found") from exc


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


def scored(queryset: QuerySet, q: str, fields: tuple[str, ...]) -> QuerySet:
    """Rank matches: whole-field match, then prefix, then anywhere (any of ``fields``)."""
    whens = []
    for weight, lookup in ((10, "iexact"), (7, "istartswith"), (3, "icontains")):
        for name in fields:
            whens.append(When(**{f"{name}__{lookup}": q}, then=Value(weight)))
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition).annotate(
        score=Case(*whens, default=Value(0), output_field=IntegerField())
    )


SORTS = {"score": "score", "name": None, "popularity": "popularity"}


def search_order(call: Call, name_field: str) -> list[str]:
    """``sort`` as "{column} {order}": score (default, desc), name or popularity."""
    raw = call.params.get("sort", "score desc").strip()
    column, _, order = raw.partition(" ")
    column = column.lower()
    order = (order or "asc").strip().lower()
    if column not in SORTS or order not in ("asc", "desc"):
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter sort: {raw}. "
            "Sort by score, name or popularity, asc or desc"
        )
    field = SORTS[column] or name_field
    sign = "-" if order == "desc" else ""
    return [f"{sign}{field}", "-popularity", "id"]


def score_value(score: int, popularity) -> str:
    """A score in the reference's style (``9.148376``): match weight plus popularity."""
    return f"{score + float(popularity):.6f}"


def chart_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The rolling weekly chart: the seven days before today (UTC)."""
    today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=7), today - timedelta(days=1)


CHANGES = ("Up", "Down", "NonMover", "New")


def chart_change(item_id: int, position: int) -> str:
    """A deterministic movement for a chart entry."""
    return CHANGES[(item_id * 31 + position) % len(CHANGES)]
