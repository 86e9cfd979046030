"""Catalogue endpoints: artists, releases, tracks, tags, charts and batch details.

Public catalogue calls are authorised by the consumer key alone. Every method
takes ``country`` to override the client's default for one call (prices,
currency and availability depend on it) and ``image_size`` where the reference
offers ``imageSize``. ``usage_types`` defaults to all three usage types so that
the availability of every object is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from ..models import (
    Artist,
    Batch,
    BatchError,
    Chart,
    Page,
    Release,
    SearchResult,
    ServiceStatus,
    Tag,
    Track,
    items_of,
    section,
)
from ._base import Resource

USAGE_TYPES = ("download", "subscriptionstreaming", "adsupportedstreaming")
BATCH_LIMIT = 500

T = TypeVar("T", Release, Track)


def _paging(page: int | None, page_size: int | None) -> dict[str, Any]:
    return {"page": page, "pageSize": page_size}


def _ids(values: Iterable[int | str]) -> list[str]:
    ids = [str(v) for v in values]
    if not ids:
        raise ValueError("at least one id is required")
    if len(ids) > BATCH_LIMIT:
        raise ValueError(f"at most {BATCH_LIMIT} ids per batch request, got {len(ids)}")
    return ids


class Status(Resource):
    def get(self, *, country: str | None = None) -> ServiceStatus:
        data = self._get("1.2/status", country=country, cache=False)
        return self._one(data, "serviceStatus", ServiceStatus.from_data)


class Artists(Resource):
    def browse(
        self,
        letter: str,
        *,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Artist]:
        data = self._get(
            "1.2/artist/browse",
            {"letter": letter, "imageSize": image_size, **_paging(page, page_size)},
            country=country,
        )
        return Page.from_data(section(data, "artists"), ("artist", "artists"), Artist.from_data)

    def chart(
        self,
        *,
        period: str | None = None,
        to_date: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Chart:
        data = self._get(
            "1.2/artist/chart",
            {
                "period": period,
                "toDate": to_date,
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Chart.from_chart_data(data.get("chart"))

    def details(
        self, artist_id: int, *, image_size: int | None = None, country: str | None = None
    ) -> Artist:
        data = self._get(
            "1.2/artist/details", {"artistId": artist_id, "imageSize": image_size}, country=country
        )
        return self._one(data, "artist", Artist.from_data)

    def releases(
        self,
        artist_id: int,
        *,
        type: str | None = None,
        package_ids: Iterable[int] | None = None,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Release]:
        data = self._get(
            "1.2/artist/releases",
            {
                "artistId": artist_id,
                "type": type,
                "packageIds": list(package_ids) if package_ids else None,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Page.from_data(section(data, "releases"), ("release", "releases"), Release.from_data)

    def search(
        self,
        q: str,
        *,
        sort: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[SearchResult]:
        data = self._get(
            "1.2/artist/search",
            {"q": q, "sort": sort, "imageSize": image_size, **_paging(page, page_size)},
            country=country,
        )
        return Page.from_data(
            section(data, "searchResults"), ("searchResult",), SearchResult.from_data
        )

    def top_tracks(
        self,
        artist_id: int,
        *,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Track]:
        data = self._get(
            "1.2/artist/toptracks",
            {
                "artistId": artist_id,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Page.from_data(section(data, "tracks"), ("track", "tracks"), Track.from_data)

    def tags(
        self,
        artist_id: int,
        *,
        page: int | None = None,
        page_size: int | None = None,
        country: str | None = None,
    ) -> Page[Tag]:
        data = self._get(
            "1.2/artist/tags", {"artistId": artist_id, **_paging(page, page_size)}, country=country
        )
        return Page.from_data(section(data, "tags"), ("tag", "tags"), Tag.from_data)

    def by_tag_top(
        self,
        tags: Iterable[str] | str,
        *,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Artist]:
        data = self._get(
            "1.2/artist/bytag/top",
            {"tags": _tags(tags), "imageSize": image_size, **_paging(page, page_size)},
            country=country,
        )
        return _tagged_page(section(data, "taggedResults"), "artist", Artist.from_data)


def _tags(tags: Iterable[str] | str) -> str:
    return tags if isinstance(tags, str) else ",".join(tags)


def _tagged_page(data: Any, kind: str, reader: Any) -> Page[Any]:
    """``taggedResults`` wrap each item in a ``taggedItem`` holding the object."""

    def read(item: Any) -> Any:
        if isinstance(item, dict) and isinstance(item.get(kind), dict):
            return reader(item[kind])
        return reader(item)

    return Page.from_data(data, ("taggedItem", "taggedItems", kind, f"{kind}s"), read)


class _CatalogueItems(Resource, Generic[T]):
    """What releases and tracks share: a chart, details and details in batches.

    ``kind`` names the path (``1.2/{kind}/chart``), the id parameters (``{kind}Id``,
    ``{kind}Ids``) and the element of the answer; ``model`` reads that element.
    """

    kind: ClassVar[str]
    model: ClassVar[type[Release] | type[Track]]

    def chart(
        self,
        *,
        period: str | None = None,
        to_date: str | None = None,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Chart:
        data = self._get(
            f"1.2/{self.kind}/chart",
            {
                "period": period,
                "toDate": to_date,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Chart.from_chart_data(data.get("chart"))

    def details(
        self,
        item_id: int,
        /,
        *,
        usage_types: Iterable[str] = USAGE_TYPES,
        image_size: int | None = None,
        country: str | None = None,
    ) -> T:
        data = self._get(
            f"1.2/{self.kind}/details",
            {f"{self.kind}Id": item_id, "usageTypes": list(usage_types), "imageSize": image_size},
            country=country,
        )
        return self._one(data, self.kind, self.model.from_data)

    def details_batch(
        self,
        item_ids: Iterable[int],
        /,
        *,
        show_errors: bool = True,
        usage_types: Iterable[str] = USAGE_TYPES,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Batch[T]:
        return self._details_batch(
            item_ids,
            {},
            show_errors=show_errors,
            usage_types=usage_types,
            image_size=image_size,
            country=country,
        )

    def _details_batch(
        self,
        item_ids: Iterable[int],
        filters: dict[str, Any],
        *,
        show_errors: bool,
        usage_types: Iterable[str],
        image_size: int | None,
        country: str | None,
    ) -> Batch[T]:
        data = self._get(
            f"1.2/{self.kind}/details/batch",
            {
                f"{self.kind}Ids": _ids(item_ids),
                "showErrors": show_errors,
                **filters,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
            },
            country=country,
        )
        return _batch(data, f"{self.kind}s", self.kind, self.model.from_data)


class Releases(_CatalogueItems[Release]):
    kind = "release"
    model = Release

    def details_batch(
        self,
        release_ids: Iterable[int],
        /,
        *,
        show_errors: bool = True,
        package_ids: Iterable[int] | None = None,
        type: str | None = None,
        usage_types: Iterable[str] = USAGE_TYPES,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Batch[Release]:
        """Release batches also filter by package and release type (reference lines 1567-1571)."""
        return self._details_batch(
            release_ids,
            {"packageIds": list(package_ids) if package_ids else None, "type": type},
            show_errors=show_errors,
            usage_types=usage_types,
            image_size=image_size,
            country=country,
        )

    def search(
        self,
        q: str,
        *,
        type: str | Iterable[str] | None = None,
        package_ids: Iterable[int] | None = None,
        sort: str | None = None,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[SearchResult]:
        data = self._get(
            "1.2/release/search",
            {
                "q": q,
                "type": type if isinstance(type, str) or type is None else list(type),
                "packageIds": list(package_ids) if package_ids else None,
                "sort": sort,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Page.from_data(
            section(data, "searchResults"), ("searchResult",), SearchResult.from_data
        )

    def tracks(
        self,
        release_id: int,
        *,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Track]:
        data = self._get(
            "1.2/release/tracks",
            {
                "releaseId": release_id,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Page.from_data(section(data, "tracks"), ("track", "tracks"), Track.from_data)

    def tags(
        self,
        release_id: int,
        *,
        page: int | None = None,
        page_size: int | None = None,
        country: str | None = None,
    ) -> Page[Tag]:
        data = self._get(
            "1.2/release/tags",
            {"releaseId": release_id, **_paging(page, page_size)},
            country=country,
        )
        return Page.from_data(section(data, "tags"), ("tag", "tags"), Tag.from_data)

    def by_tag_new(
        self,
        tags: Iterable[str] | str,
        *,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Release]:
        return self._by_tag("new", tags, usage_types, page, page_size, image_size, country)

    def by_tag_top(
        self,
        tags: Iterable[str] | str,
        *,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[Release]:
        return self._by_tag("top", tags, usage_types, page, page_size, image_size, country)

    def _by_tag(self, which, tags, usage_types, page, page_size, image_size, country):
        data = self._get(
            f"1.2/release/bytag/{which}",
            {
                "tags": _tags(tags),
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return _tagged_page(section(data, "taggedResults"), "release", Release.from_data)


class Tracks(_CatalogueItems[Track]):
    kind = "track"
    model = Track

    def search(
        self,
        q: str,
        *,
        explicit: bool | None = None,
        package_ids: Iterable[int] | None = None,
        sort: str | None = None,
        usage_types: Iterable[str] = USAGE_TYPES,
        page: int | None = None,
        page_size: int | None = None,
        image_size: int | None = None,
        country: str | None = None,
    ) -> Page[SearchResult]:
        data = self._get(
            "1.2/track/search",
            {
                "q": q,
                "explicit": explicit,
                "packageIds": list(package_ids) if package_ids else None,
                "sort": sort,
                "usageTypes": list(usage_types),
                "imageSize": image_size,
                **_paging(page, page_size),
            },
            country=country,
        )
        return Page.from_data(
            section(data, "searchResults"), ("searchResult",), SearchResult.from_data
        )


class Tags(Resource):
    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        country: str | None = None,
    ) -> Page[Tag]:
        data = self._get("1.2/tag", _paging(page, page_size), country=country)
        return Page.from_data(section(data, "tags"), ("tag", "tags"), Tag.from_data)


def _batch(data: Any, plural: str, singular: str, reader: Any) -> Batch[Any]:
    """``<items><releases><release/>...</releases><errors/></items>`` (reference line 1577)."""
    container = section(data, "items")
    items = tuple(reader(item) for item in items_of(container.get(plural), singular, plural))
    errors = tuple(BatchError.from_data(e) for e in items_of(container.get("errors"), "error"))
    return Batch(items=items, errors=errors)
