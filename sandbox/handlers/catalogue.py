"""Catalogue endpoints (reference lines 431-4588): read parameters, ask the catalogue
backend, return the shape the reference's examples show."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import shapes
from ..backends.catalogue import Chart
from ..backends.catalogue import catalogue_backend as backend
from ..context import Call
from ..routing import CATALOGUE_MAX_AGE, endpoint
from ..serializer import Items
from . import options
from .options import ARTIST_IMAGE_SIZES, RELEASE_IMAGE_SIZES

BATCH_LIMIT = 500


def _release_shape(call: Call, usage, *, size: int | None = None):
    currency = call.currency
    size = size or options.image_size(call, RELEASE_IMAGE_SIZES, 50)
    return lambda release: shapes.release_data(release, usage=usage, currency=currency, size=size)


def _track_shape(call: Call, usage):
    currency = call.currency
    size = options.image_size(call, RELEASE_IMAGE_SIZES, 50)
    return lambda track: shapes.track_data(track, usage=usage, currency=currency, size=size)


def _artist_shape(call: Call):
    size = options.image_size(call, ARTIST_IMAGE_SIZES, 150)
    return lambda artist: shapes.artist_data(artist, size=size)


def _search_results(call: Call, ranked: QuerySet, kind: str, shape) -> dict:
    """``searchResults``: each match with its type, score and the object itself."""

    def result(item):
        return {
            "type": kind,
            "score": shapes.score_value(item.score, item.popularity),
            kind: shape(item),
        }

    return {"searchResults": shapes.page_of(call, ranked, result, item_tag="searchResult")}


def _chart(call: Call, chart: Chart, kind: str, shape) -> dict:
    page, size, items = call.page(chart.total, lambda a, b: chart.items[a : min(b, chart.total)])
    start = (page - 1) * size
    entries = [
        {
            "position": start + i + 1,
            "change": chart.change(item.id, start + i + 1),
            kind: shape(item),
        }
        for i, item in enumerate(items)
    ]
    return {
        "page": page,
        "pageSize": size,
        "totalItems": chart.total,
        "type": kind,
        "fromDate": chart.from_date,
        "toDate": chart.to_date,
        "chartItem": entries,
    }


def _tagged(call: Call, items: QuerySet, kind: str, shape) -> dict:
    content = shapes.page_of(
        call,
        items,
        lambda item: {kind: shape(item)},
        wrapper_extra={"type": kind},
        item_tag="taggedItem",
    )
    return {"taggedResults": content}


# -- artists -----------------------------------------------------------------------


@endpoint("GET", "artist/browse", max_age=CATALOGUE_MAX_AGE)
def artist_browse(call: Call) -> dict:
    letter = call.params.required("letter")
    call.country  # noqa: B018 - required
    shape = _artist_shape(call)
    artists = backend.artists_by_letter(letter=letter)
    return {"artists": shapes.page_of(call, artists, shape, item_tag="artist")}


@endpoint("GET", "artist/chart", max_age=CATALOGUE_MAX_AGE)
def artist_chart(call: Call) -> dict:
    country = call.country
    shape = _artist_shape(call)
    return {"chart": _chart(call, backend.artist_chart(country=country), "artist", shape)}


@endpoint("GET", "artist/details", max_age=CATALOGUE_MAX_AGE)
def artist_details(call: Call) -> dict:
    artist_id = call.params.integer("artistId", required=True)
    call.country  # noqa: B018 - required
    size = options.image_size(call, ARTIST_IMAGE_SIZES, 150)
    artist = backend.artist(artist_id=artist_id)
    return {"artist": shapes.artist_data(artist, size=size, full=True)}


@endpoint("GET", "artist/releases", max_age=CATALOGUE_MAX_AGE)
def artist_releases(call: Call) -> dict:
    artist_id = call.params.integer("artistId", required=True)
    usage = options.usage_types(call)
    artist = backend.artist(artist_id=artist_id)  # 2001 before the country is read
    releases = backend.artist_releases(
        artist=artist,
        country=call.country,
        types=options.release_types(call),
        packages=options.package_ids(call),
        usage=usage,
    )
    return {
        # The reference's JSON lists artist/releases under "releases" (line 732).
        "releases": shapes.page_of(
            call, releases, _release_shape(call, usage), item_tag="release|releases"
        )
    }


@endpoint("GET", "artist/search", max_age=CATALOGUE_MAX_AGE)
def artist_search(call: Call) -> dict:
    q = call.params.required("q")
    call.country  # noqa: B018 - required
    order = options.search_order(call, "sort_name")
    shape = _artist_shape(call)
    return _search_results(call, backend.artist_search(q=q, order=order), "artist", shape)


@endpoint("GET", "artist/toptracks", max_age=CATALOGUE_MAX_AGE)
def artist_top_tracks(call: Call) -> dict:
    artist = backend.artist(artist_id=call.params.integer("artistId", required=True))
    usage = options.usage_types(call)
    tracks = backend.artist_top_tracks(artist=artist, country=call.country)
    return {"tracks": shapes.page_of(call, tracks, _track_shape(call, usage), item_tag="track")}


@endpoint("GET", "artist/tags", max_age=CATALOGUE_MAX_AGE)
def artist_tags(call: Call) -> dict:
    artist = backend.artist(artist_id=call.params.integer("artistId", required=True))
    call.country  # noqa: B018 - required
    tags = backend.artist_tags(artist=artist)
    return {"tags": shapes.page_of(call, tags, shapes.tag_data, item_tag="tag")}


@endpoint("GET", "artist/bytag/top", max_age=CATALOGUE_MAX_AGE)
def artist_by_tag_top(call: Call) -> dict:
    tags = options.tags(call)
    call.country  # noqa: B018 - required
    shape = _artist_shape(call)
    return _tagged(call, backend.artists_by_tags(tags=tags), "artist", shape)


# -- releases ----------------------------------------------------------------------


@endpoint("GET", "release/chart", max_age=CATALOGUE_MAX_AGE)
def release_chart(call: Call) -> dict:
    usage = options.usage_types(call)
    chart = backend.release_chart(country=call.country)
    return {"chart": _chart(call, chart, "release", _release_shape(call, usage))}


@endpoint("GET", "release/details", max_age=CATALOGUE_MAX_AGE)
def release_details(call: Call) -> dict:
    release_id = call.params.integer("releaseId", required=True)
    usage = options.usage_types(call)
    release = backend.release(release_id=release_id, country=call.country)
    size = options.image_size(call, RELEASE_IMAGE_SIZES, 50)
    return {
        "release": shapes.release_data(
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
    usage = options.usage_types(call)
    found = backend.releases_by_ids(
        ids=ids,
        country=call.country,
        types=options.release_types(call),
        packages=options.package_ids(call),
        usage=usage,
    )
    return _batch(call, ids, found, "release", _release_shape(call, usage))


@endpoint("GET", "release/search", max_age=CATALOGUE_MAX_AGE)
def release_search(call: Call) -> dict:
    q = call.params.required("q")
    usage = options.usage_types(call)
    order = options.search_order(call, "title")
    releases = backend.release_search(
        q=q,
        country=call.country,
        types=options.release_types(call),
        packages=options.package_ids(call),
        usage=usage,
        order=order,
    )
    return _search_results(call, releases, "release", _release_shape(call, usage))


@endpoint("GET", "release/tracks", max_age=CATALOGUE_MAX_AGE)
def release_tracks(call: Call) -> dict:
    release_id = call.params.integer("releaseId", required=True)
    release = backend.release(release_id=release_id, country=call.country)
    usage = options.usage_types(call)
    tracks = backend.release_tracks(release=release)
    content = shapes.page_of(call, tracks, _track_shape(call, usage), item_tag="track")
    if call.json:
        # The reference's JSON for release/tracks is unwrapped (line 2331): page, pageSize,
        # totalItems and a "tracks" array at the top level.
        content["tracks"] = content.pop("track")
        return content
    return {"tracks": content}


@endpoint("GET", "release/tags", max_age=CATALOGUE_MAX_AGE)
def release_tags(call: Call) -> dict:
    release_id = call.params.integer("releaseId", required=True)
    release = backend.release(release_id=release_id, country=call.country)
    tags = backend.release_tags(release=release)
    return {"tags": shapes.page_of(call, tags, shapes.tag_data, item_tag="tag")}


def _release_by_tag(call: Call, order: tuple[str, ...]) -> dict:
    tags = options.tags(call)
    usage = options.usage_types(call)
    releases = backend.releases_by_tags(tags=tags, country=call.country, order=order)
    return _tagged(call, releases, "release", _release_shape(call, usage))


@endpoint("GET", "release/bytag/new", max_age=CATALOGUE_MAX_AGE)
def release_by_tag_new(call: Call) -> dict:
    return _release_by_tag(call, ("-release_date", "id"))


@endpoint("GET", "release/bytag/top", max_age=CATALOGUE_MAX_AGE)
def release_by_tag_top(call: Call) -> dict:
    return _release_by_tag(call, ("-popularity", "id"))


# -- tracks ------------------------------------------------------------------------


@endpoint("GET", "track/chart", max_age=CATALOGUE_MAX_AGE)
def track_chart(call: Call) -> dict:
    usage = options.usage_types(call)
    chart = backend.track_chart(country=call.country)
    return {"chart": _chart(call, chart, "track", _track_shape(call, usage))}


@endpoint("GET", "track/details", max_age=CATALOGUE_MAX_AGE)
def track_details(call: Call) -> dict:
    track_id = call.params.integer("trackId", required=True)
    track = backend.track(track_id=track_id, country=call.country)
    usage = options.usage_types(call)
    size = options.image_size(call, RELEASE_IMAGE_SIZES, 50)
    return {
        "track": shapes.track_data(
            track, usage=usage, currency=call.currency, size=size, details=True
        )
    }


@endpoint("GET", "track/details/batch", max_age=CATALOGUE_MAX_AGE)
def track_details_batch(call: Call) -> dict:
    ids = call.params.ids("trackIds", limit=BATCH_LIMIT)
    usage = options.usage_types(call)
    found = backend.tracks_by_ids(ids=ids, country=call.country)
    return _batch(call, ids, found, "track", _track_shape(call, usage))


@endpoint("GET", "track/search", max_age=CATALOGUE_MAX_AGE)
def track_search(call: Call) -> dict:
    q = call.params.required("q")
    usage = options.usage_types(call)
    order = options.search_order(call, "title")
    country = call.country
    clean_only = "explicit" in call.params and not call.params.boolean("explicit", default=True)
    tracks = backend.track_search(
        q=q,
        country=country,
        clean_only=clean_only,
        packages=options.package_ids(call),
        usage=usage,
        order=order,
    )
    return _search_results(call, tracks, "track", _track_shape(call, usage))


# -- tags --------------------------------------------------------------------------


@endpoint("GET", "tag", max_age=CATALOGUE_MAX_AGE)
def tags(call: Call) -> dict:
    call.country  # noqa: B018 - required
    return {
        "tags": shapes.page_of(
            call,
            backend.tags_by_use(),
            lambda t: shapes.tag_data(t, count=t.count),
            item_tag="tag",
        )
    }
