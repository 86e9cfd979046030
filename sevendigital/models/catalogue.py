"""Catalogue objects: artists, releases, tracks, their prices and formats, tags,
charts, search results and batch answers (reference lines 108-430, "standard objects")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, Self, TypeVar

from ._base import Page, _bool, _datetime, _decimal, _first, _int, _obj, _text, as_list, items_of

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Party:
    """A label or a licensor: the same ``{id, name}`` object under two names."""

    id: int | None
    name: str

    @classmethod
    def from_data(cls, data: Any) -> Self | None:
        if not isinstance(data, dict):
            return None
        return cls(id=_int(data.get("id")), name=_text(data.get("name")) or "")


@dataclass(frozen=True, slots=True)
class Label(_Party):
    """The label a release is published under."""


@dataclass(frozen=True, slots=True)
class Licensor(_Party):
    """Who licenses the release to 7digital."""


@dataclass(frozen=True, slots=True)
class Price:
    """A package price. ``amount`` is ``None`` when 7digital says ``xsi:nil``:

    for a track that means "not sold separately" (buy the release), for a release
    "not purchasable as a whole" (buy the tracks). See reference lines 352-356.
    """

    currency: str
    amount: Decimal | None
    sevendigital_price: Decimal | None = None

    @property
    def sold_separately(self) -> bool:
        return self.amount is not None

    @classmethod
    def from_data(cls, data: Any) -> Price | None:
        if not isinstance(data, dict):
            return None
        return cls(
            currency=_text(data.get("currencyCode")) or "",
            amount=_decimal(data.get("recommendedRetailPrice")),
            sevendigital_price=_decimal(data.get("sevendigitalPrice")),
        )


@dataclass(frozen=True, slots=True)
class Format:
    id: int
    description: str

    @classmethod
    def from_data(cls, data: Any) -> Format:
        data = _obj(data)
        return cls(id=_int(data.get("id")) or 0, description=_text(data.get("description")) or "")


@dataclass(frozen=True, slots=True)
class Package:
    """A group of formats sold at one price (2 standard, 9 premium, ...)."""

    id: int
    description: str
    price: Price | None
    formats: tuple[Format, ...] = ()

    @classmethod
    def from_data(cls, data: Any) -> Package:
        data = _obj(data)
        return cls(
            id=_int(data.get("id")) or 0,
            description=_text(data.get("description")) or "",
            price=Price.from_data(data.get("price")),
            formats=tuple(Format.from_data(f) for f in items_of(data.get("formats"), "format")),
        )


@dataclass(frozen=True, slots=True)
class DownloadAvailability:
    """The ``download`` element: release/preview dates and the packages on sale."""

    release_date: datetime | None
    preview_date: datetime | None = None
    packages: tuple[Package, ...] = ()

    def package(self, package_id: int) -> Package | None:
        return next((p for p in self.packages if p.id == package_id), None)

    def is_released(self, now: datetime | None = None) -> bool:
        return self.release_date is None or self.release_date <= (now or datetime.now(UTC))

    @classmethod
    def from_data(cls, data: Any) -> DownloadAvailability | None:
        if not isinstance(data, dict):
            return None
        return cls(
            release_date=_datetime(data.get("releaseDate")),
            preview_date=_datetime(data.get("previewDate")),
            packages=tuple(Package.from_data(p) for p in items_of(data.get("packages"), "package")),
        )


@dataclass(frozen=True, slots=True)
class StreamingAvailability:
    """``subscriptionStreaming`` / ``adSupportedStreaming``: when streaming opens."""

    release_date: datetime | None

    def is_released(self, now: datetime | None = None) -> bool:
        return self.release_date is None or self.release_date <= (now or datetime.now(UTC))

    @classmethod
    def from_data(cls, data: Any) -> StreamingAvailability | None:
        if not isinstance(data, dict):
            return None
        return cls(release_date=_datetime(data.get("releaseDate")))


@dataclass(frozen=True, slots=True)
class Artist:
    id: int
    name: str
    sort_name: str | None = None
    appears_as: str | None = None
    slug: str | None = None
    image: str | None = None
    popularity: Decimal | None = None
    bio: str | None = None

    @classmethod
    def from_data(cls, data: Any) -> Artist | None:
        if not isinstance(data, dict):
            return None
        bio = data.get("bio")
        return cls(
            id=_int(data.get("id")) or 0,
            name=_text(data.get("name")) or "",
            sort_name=_text(data.get("sortName")),
            appears_as=_text(data.get("appearsAs")),
            slug=_text(as_list(data.get("slug"))[0]) if data.get("slug") else None,
            image=_text(data.get("image")) or None,
            popularity=_decimal(data.get("popularity")),
            bio=_text(bio.get("text")) if isinstance(bio, dict) else _text(bio),
        )


def _usage(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "download": DownloadAvailability.from_data(data.get("download")),
        "subscription_streaming": StreamingAvailability.from_data(
            data.get("subscriptionStreaming")
        ),
        "ad_supported_streaming": StreamingAvailability.from_data(data.get("adSupportedStreaming")),
    }


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    title: str
    version: str = ""
    type: str | None = None
    barcode: str | None = None
    year: int | None = None
    explicit: bool | None = None
    slug: str | None = None
    artist: Artist | None = None
    image: str | None = None
    label: Label | None = None
    licensor: Licensor | None = None
    popularity: Decimal | None = None
    duration: int | None = None
    track_count: int | None = None
    cline: str | None = None
    pline: str | None = None
    download: DownloadAvailability | None = None
    subscription_streaming: StreamingAvailability | None = None
    ad_supported_streaming: StreamingAvailability | None = None

    @classmethod
    def from_data(cls, data: Any) -> Release | None:
        if not isinstance(data, dict):
            return None
        return cls(
            id=_int(data.get("id")) or 0,
            title=_text(data.get("title")) or "",
            version=_text(data.get("version")) or "",
            type=_text(data.get("type")),
            barcode=_text(data.get("barcode")),
            year=_int(data.get("year")),
            explicit=_bool(data.get("explicitContent")),
            slug=_text(as_list(data.get("slug"))[0]) if data.get("slug") else None,
            artist=Artist.from_data(data.get("artist")),
            image=_text(data.get("image")) or None,
            label=Label.from_data(data.get("label")),
            licensor=Licensor.from_data(data.get("licensor")),
            popularity=_decimal(data.get("popularity")),
            duration=_int(data.get("duration")),
            track_count=_int(data.get("trackCount")),
            cline=_text(data.get("cline")),
            pline=_text(data.get("pline")),
            **_usage(data),
        )


@dataclass(frozen=True, slots=True)
class Track:
    id: int
    title: str
    version: str = ""
    type: str | None = None
    artist: Artist | None = None
    track_number: int | None = None
    duration: int | None = None
    explicit: bool | None = None
    isrc: str | None = None
    pline: str | None = None
    release: Release | None = None
    disc_number: int | None = None
    number: int | None = None
    popularity: Decimal | None = None
    download: DownloadAvailability | None = None
    subscription_streaming: StreamingAvailability | None = None
    ad_supported_streaming: StreamingAvailability | None = None

    @property
    def price(self) -> Price | None:
        """The standard package price (package 2), if the track is on sale."""
        if not self.download:
            return None
        package = self.download.package(2) or (
            self.download.packages[0] if self.download.packages else None
        )
        return package.price if package else None

    @classmethod
    def from_data(cls, data: Any) -> Track | None:
        if not isinstance(data, dict):
            return None
        return cls(
            id=_int(data.get("id")) or 0,
            title=_text(data.get("title")) or "",
            version=_text(data.get("version")) or "",
            type=_text(data.get("type")),
            artist=Artist.from_data(data.get("artist")),
            track_number=_int(data.get("trackNumber")),
            duration=_int(data.get("duration")),
            explicit=_bool(data.get("explicitContent")),
            isrc=_text(data.get("isrc")),
            pline=_text(data.get("pline")),
            release=Release.from_data(data.get("release")),
            disc_number=_int(_first(data, "discNumber", "disc")),
            number=_int(data.get("number")),
            popularity=_decimal(data.get("popularity")),
            **_usage(data),
        )


@dataclass(frozen=True, slots=True)
class Tag:
    id: str
    name: str
    url: str | None = None
    count: int | None = None
    hidden: bool | None = None

    @classmethod
    def from_data(cls, data: Any) -> Tag:
        if isinstance(data, str):
            return cls(id=data, name=data)
        data = _obj(data)
        name = _text(_first(data, "text", "name", "#text")) or ""
        return cls(
            id=_text(data.get("id")) or name,
            name=name,
            url=_text(data.get("url")) or None,
            count=_int(data.get("count")),
            hidden=_bool(data.get("hidden")),
        )


_ITEM_READERS: dict[str, Callable[[Any], Any]] = {
    "artist": Artist.from_data,
    "release": Release.from_data,
    "track": Track.from_data,
}


def _typed_item(data: dict[str, Any], declared: str | None) -> tuple[str, Any]:
    for kind in ((declared or "").lower(), "artist", "release", "track"):
        if kind in _ITEM_READERS and isinstance(data.get(kind), dict):
            return kind, _ITEM_READERS[kind](data[kind])
    return (declared or "").lower(), None


@dataclass(frozen=True, slots=True)
class ChartItem:
    """A chart position: ``item`` is an Artist, Release or Track (see ``type``)."""

    position: int
    change: str | None
    type: str
    item: Artist | Release | Track | None

    @classmethod
    def from_data(cls, data: Any, chart_type: str | None = None) -> ChartItem:
        data = _obj(data)
        kind, item = _typed_item(data, chart_type)
        return cls(
            position=_int(data.get("position")) or 0,
            change=_text(data.get("change")),
            type=kind,
            item=item,
        )


@dataclass(frozen=True, slots=True)
class Chart(Page[ChartItem]):
    type: str | None = None
    from_date: datetime | None = None
    to_date: datetime | None = None

    @classmethod
    def from_chart_data(cls, data: Any) -> Chart:
        data = _obj(data)
        chart_type = _text(data.get("type"))
        page = Page.from_data(
            data, ("chartItem",), lambda item: ChartItem.from_data(item, chart_type)
        )
        return cls(
            items=page.items,
            page=page.page,
            page_size=page.page_size,
            total_items=page.total_items,
            type=chart_type,
            from_date=_datetime(data.get("fromDate")),
            to_date=_datetime(data.get("toDate")),
        )


@dataclass(frozen=True, slots=True)
class SearchResult:
    type: str
    score: Decimal | None
    item: Artist | Release | Track | None

    @classmethod
    def from_data(cls, data: Any) -> SearchResult:
        data = _obj(data)
        kind, item = _typed_item(data, _text(data.get("type")))
        return cls(type=kind, score=_decimal(data.get("score")), item=item)


@dataclass(frozen=True, slots=True)
class BatchError:
    """One id of a batch request that could not be returned, and why."""

    item_id: int | None
    code: int | None
    message: str

    @classmethod
    def from_data(cls, data: Any) -> BatchError:
        data = _obj(data)
        return cls(
            item_id=_int(_first(data, "itemId", "itemid", "ItemId", "id")),
            code=_int(data.get("code")),
            message=_text(_first(data, "errorMessage", "message", "#text")) or "",
        )


@dataclass(frozen=True, slots=True)
class Batch(Generic[T]):
    """A details/batch answer: items in the requested order, plus per-id errors."""

    items: tuple[T, ...]
    errors: tuple[BatchError, ...] = ()

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    server_time: datetime | None

    @classmethod
    def from_data(cls, data: Any) -> ServiceStatus:
        return cls(server_time=_datetime(_obj(data).get("serverTime")))
