"""Catalogue endpoints (reference lines 431-4588): read parameters, apply the catalogue's
rules, return the shape the reference's examples show."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, QuerySet

from .. import catalogue as cat
from .. import exceptions
from ..context import Call
from ..models import Artist, Tag, Track
from ..routing import CATALOGUE_MAX_AGE, endpoint
from ..serializer import Items

BATCH_LIMIT = 500


def _tags(call: Call) -> list[str]:
    raw = call.params.required("tags")
    tags = [t.strip().lower() for t in raw.split(",") if t.strip()]
    if not tags:
        raise exceptions.MissingParameter("Required parameter tags is missing")
    return tags


def _with_all_tags(queryset: QuerySet, tags: list[str]) -> QuerySet:
    for tag in tags:
        queryset = queryset.filter(tags__id=tag)
    return queryset.distinct()


def _filtered(call: Call, releases: QuerySet, usage) -> QuerySet:
    """The ``type`` and ``packageIds`` filters that release lists share."""
    types = cat.release_types(call)
    if types:
        releases = releases.filter(type__in=types)
    return cat.with_packages(releases, cat.package_ids(call), usage)


def _released(queryset: QuerySet, field: str = "release_date") -> QuerySet:
    return queryset.filter(**{f"{field}__lte": datetime.now(UTC)})


def _release_shape(call: Call, usage, *, size: int | None = None):
    currency = call.currency
    size = size or cat.image_size(call, cat.RELEASE_IMAGE_SIZES, 50)
    return lambda release: cat.release_data(release, usage=usage, currency=currency, size=size)


def _track_shape(call: Call, usage):
    currency = call.currency
    size = cat.image_size(call, cat.RELEASE_IMAGE_SIZES, 50)
    return lambda track: cat.track_data(track, usage=usage, currency=currency, size=size)


def _search_results(call: Call, ranked: QuerySet, kind: str, shape) -> dict:
    """``searchResults``: each match with its type, score and the object itself."""

    def result(item):
        return {
            "type": kind,
            "score": cat.score_value(item.score, item.popularity),
            kind: shape(item),
        }

    return {"searchResults": cat.page_of(call, ranked, result, item_tag="searchResult")}


# -- artists -----------------------------------------------------------------------


@endpoint("GET", "artist/browse", max_age=CATALOGUE_MAX_AGE)
def artist_browse(call: Call) -> dict:
    letter = call.params.required("letter")
    call.country  # noqa: B018 - required
    size = cat.image_size(call, cat.ARTIST_IMAGE_SIZES, 150)
    artists = Artist.objects.filter(sort_name__istartswith=letter).order_by("sort_name", "id")
    return {
        "artists": cat.page_of(
            call, artists, lambda a: cat.artist_data(a, size=size), item_tag="artist"
        )
    }


@endpoint("GET", "artist/chart", max_age=CATALOGUE_MAX_AGE)
def artist_chart(call: Call) -> dict:
    country = call.country
    size = cat.image_size(call, cat.ARTIST_IMAGE_SIZES, 150)
    artists = (
        Artist.objects.filter(releases__territories__contains=f",{country},")
        .distinct()
        .order_by("-popularity", "id")
    )
    return {"chart": _chart(call, artists, "artist", lambda a: cat.artist_data(a, size=size))}


def _chart(call: Call, queryset: QuerySet, kind: str, shape) -> dict:
    from_date, to_date = cat.chart_window()
    total = min(queryset.count(), 100)
    page, size, items = call.page(total, lambda a, b: queryset[a : min(b, total)])
    start = (page - 1) * size
    entries = [
        {
            "position": start + i + 1,
            "change": cat.chart_change(item.id, start + i + 1),
            kind: shape(item),
        }
        for i, item in enumerate(items)
    ]
    return {
        "page": page,
        "pageSize": size,
        "totalItems": total,
        "type": kind,
        "fromDate": from_date,
        "toDate": to_date,
        "chartItem": entries,
    }


@endpoint("GET", "artist/details", max_age=CATALOGUE_MAX_AGE)
def artist_details(call: Call) -> dict:
    artist_id = call.params.integer("artistId", required=True)
    call.country  # noqa: B018 - required
    size = cat.image_size(call, cat.ARTIST_IMAGE_SIZES, 150)
    return {"artist": cat.artist_data(cat.get_artist(artist_id), size=size, full=True)}


@endpoint("GET", "artist/releases", max_age=CATALOGUE_MAX_AGE)
def artist_releases(call: Call) -> dict:
    artist_id = call.params.integer("artistId", required=True)
    usage = cat.usage_types(call)
    artist = cat.get_artist(artist_id)
    releases = cat.releases_in(call.country).filter(artist=artist)
    releases = _filtered(call, releases, usage)
    releases = releases.order_by("-release_date", "id")
    return {
        # The reference's JSON lists artist/releases under "releases" (line 732).
        "releases": cat.page_of(
            call, releases, _release_shape(call, usage), item_tag="release|releases"
        )
    }


@endpoint("GET", "artist/search", max_age=CATALOGUE_MAX_AGE)
def artist_search(call: Call) -> dict:
    q = call.params.required("q")
    call.country  # noqa: B018 - required
    order = cat.search_order(call, "sort_name")
    size = cat.image_size(call, cat.ARTIST_IMAGE_SIZES, 150)
    artists = cat.scored(Artist.objects.all(), q, ("name",)).order_by(*order)
    return _search_results(call, artists, "artist", lambda a: cat.artist_data(a, size=size))


@endpoint("GET", "artist/toptracks", max_age=CATALOGUE_MAX_AGE)
def artist_top_tracks(call: Call) -> dict:
    artist = cat.get_artist(call.params.integer("artistId", required=True))
    usage = cat.usage_types(call)
    tracks = cat.tracks_in(call.country).filter(artist=artist).order_by("-popularity", "id")
    return {"tracks": cat.page_of(call, tracks, _track_shape(call, usage), item_tag="track")}


@endpoint("GET", "artist/tags", max_age=CATALOGUE_MAX_AGE)
def artist_tags(call: Call) -> dict:
    artist = cat.get_artist(call.params.integer("artistId", required=True))
    call.country  # noqa: B018 - required
    tags = artist.tags.order_by("id")
    return {"tags": cat.page_of(call, tags, cat.tag_data, item_tag="tag")}


@endpoint("GET", "artist/bytag/top", max_age=CATALOGUE_MAX_AGE)
def artist_by_tag_top(call: Call) -> dict:
    tags = _tags(call)
    call.country  # noqa: B018 - required
    size = cat.image_size(call, cat.ARTIST_IMAGE_SIZES, 150)
    artists = _with_all_tags(Artist.objects.all(), tags).order_by("-popularity", "id")
    content = cat.page_of(
        call,
        artists,
        lambda a: {"artist": cat.artist_data(a, size=size)},
        wrapper_extra={"type": "artist"},
        item_tag="taggedItem",
    )
    return {"taggedResults": content}


# -- releases ----------------------------------------------------------------------


@endpoint("GET", "release/chart", max_age=CATALOGUE_MAX_AGE)
def release_chart(call: Call) -> dict:
    usage = cat.usage_types(call)
    releases = _released(cat.releases_in(call.country)).order_by("-popularity", "id")
    return {"chart": _chart(call, releases, "release", _release_shape(call, usage))}


@endpoint("GET", "release/details", max_age=CATALOGUE_MAX_AGE)
def release_details(call: Call) -> dict:
    release_id = call.params.integer("releaseId", required=True)
    usage = cat.usage_types(call)
    release = cat.get_release(call, release_id)
    size = cat.image_size(call, cat.RELEASE_IMAGE_SIZES, 50)
    return {
        "release": cat.release_data(
            release, usage=usage, currency=call.currency, size=size, details=True
        )
    }


def _batch(call: Call, ids: list[int], found: dict[int, object], kind: str, shape) -> dict:
    """Items in the requested order; the rest as errors when showErrors is true."""
    items, errors = [], []
    for item_id in ids:
        item = found.get(item_id)
        if item is not None:
            items.append(shape(item))
        else:
            errors.append(
                {
                    "@itemId": item_id,
                    "@code": 2001,
                    "errorMessage": f"{kind.capitalize()} not found",
                }
            )
    content = {f"{kind}s": Items(items, kind)}
    if call.params.boolean("showErrors"):
        content["errors"] = Items(errors, "error")
    return {"items": content}


@endpoint("GET", "release/details/batch", max_age=CATALOGUE_MAX_AGE)
def release_details_batch(call: Call) -> dict:
    ids = call.params.ids("releaseIds", limit=BATCH_LIMIT)
    usage = cat.usage_types(call)
    releases = cat.releases_in(call.country).filter(id__in=ids)
    releases = _filtered(call, releases, usage)
    found = {r.id: r for r in releases}
    return _batch(call, ids, found, "release", _release_shape(call, usage))


@endpoint("GET", "release/search", max_age=CATALOGUE_MAX_AGE)
def release_search(call: Call) -> dict:
    q = call.params.required("q")
    usage = cat.usage_types(call)
    order = cat.search_order(call, "title")
    releases = cat.scored(cat.releases_in(call.country), q, ("title", "artist__name"))
    releases = _filtered(call, releases, usage).order_by(*order)
    return _search_results(call, releases, "release", _release_shape(call, usage))


@endpoint("GET", "release/tracks", max_age=CATALOGUE_MAX_AGE)
def release_tracks(call: Call) -> dict:
    release = cat.get_release(call, call.params.integer("releaseId", required=True))
    usage = cat.usage_types(call)
    tracks = (
        Track.objects.filter(release=release)
        .select_related(*cat.TRACK_RELATED)
        .order_by("disc_number", "number", "id")
    )
    content = cat.page_of(call, tracks, _track_shape(call, usage), item_tag="track")
    if call.json:
        # The reference's JSON for release/tracks is unwrapped (line 2331): page, pageSize,
        # totalItems and a "tracks" array at the top level.
        content["tracks"] = content.pop("track")
        return content
    return {"tracks": content}


@endpoint("GET", "release/tags", max_age=CATALOGUE_MAX_AGE)
def release_tags(call: Call) -> dict:
    release = cat.get_release(call, call.params.integer("releaseId", required=True))
    tags = release.tags.order_by("id")
    return {"tags": cat.page_of(call, tags, cat.tag_data, item_tag="tag")}


def _release_by_tag(call: Call, order: tuple[str, ...]) -> dict:
    tags = _tags(call)
    usage = cat.usage_types(call)
    releases = _with_all_tags(_released(cat.releases_in(call.country)), tags).order_by(*order)
    shape = _release_shape(call, usage)
    content = cat.page_of(
        call,
        releases,
        lambda r: {"release": shape(r)},
        wrapper_extra={"type": "release"},
        item_tag="taggedItem",
    )
    return {"taggedResults": content}


@endpoint("GET", "release/bytag/new", max_age=CATALOGUE_MAX_AGE)
def release_by_tag_new(call: Call) -> dict:
    return _release_by_tag(call, ("-release_date", "id"))


@endpoint("GET", "release/bytag/top", max_age=CATALOGUE_MAX_AGE)
def release_by_tag_top(call: Call) -> dict:
    return _release_by_tag(call, ("-popularity", "id"))


# -- tracks ------------------------------------------------------------------------


@endpoint("GET", "track/chart", max_age=CATALOGUE_MAX_AGE)
def track_chart(call: Call) -> dict:
    usage = cat.usage_types(call)
    tracks = _released(cat.tracks_in(call.country), "release__release_date").order_by(
        "-popularity", "id"
    )
    return {"chart": _chart(call, tracks, "track", _track_shape(call, usage))}


@endpoint("GET", "track/details", max_age=CATALOGUE_MAX_AGE)
def track_details(call: Call) -> dict:
    track = cat.get_track(call, call.params.integer("trackId", required=True))
    usage = cat.usage_types(call)
    size = cat.image_size(call, cat.RELEASE_IMAGE_SIZES, 50)
    return {
        "track": cat.track_data(track, usage=usage, currency=call.currency, size=size, details=True)
    }


@endpoint("GET", "track/details/batch", max_age=CATALOGUE_MAX_AGE)
def track_details_batch(call: Call) -> dict:
    ids = call.params.ids("trackIds", limit=BATCH_LIMIT)
    usage = cat.usage_types(call)
    found = {t.id: t for t in cat.tracks_in(call.country).filter(id__in=ids)}
    return _batch(call, ids, found, "track", _track_shape(call, usage))


@endpoint("GET", "track/search", max_age=CATALOGUE_MAX_AGE)
def track_search(call: Call) -> dict:
    q = call.params.required("q")
    usage = cat.usage_types(call)
    order = cat.search_order(call, "title")
    tracks = cat.scored(
        cat.tracks_in(call.country), q, ("title", "artist__name", "release__title", "isrc")
    )
    if "explicit" in call.params and not call.params.boolean("explicit", default=True):
        tracks = tracks.filter(explicit=False)
    tracks = cat.with_packages(
        tracks, cat.package_ids(call), usage, premium_field="release__has_premium"
    ).order_by(*order)
    return _search_results(call, tracks, "track", _track_shape(call, usage))


# -- tags --------------------------------------------------------------------------


@endpoint("GET", "tag", max_age=CATALOGUE_MAX_AGE)
def tags(call: Call) -> dict:
    call.country  # noqa: B018 - required
    all_tags = Tag.objects.annotate(count=Count("releases")).order_by("-count", "id")
    return {
        "tags": cat.page_of(
            call, all_tags, lambda t: cat.tag_data(t, count=t.count), item_tag="tag"
        )
    }
