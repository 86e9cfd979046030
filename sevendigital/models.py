"""Typed, immutable views of 7digital API objects.

Each model has a ``from_data`` classmethod reading the neutral tree produced by
:mod:`sevendigital.parsing`, so XML and JSON responses give equal objects. The
shapes follow the reference's "standard objects" (7digital-api-1.2-reference.txt,
lines 108-430) and each endpoint's examples. The reference is not consistent
between its XML and JSON examples (``discNumber`` vs ``disc``, ``artist`` vs
``artists`` list keys, numbers given as strings); the readers accept every
spelling the reference uses.

Money is ``Decimal``; datetimes are aware and in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")

# ---------------------------------------------------------------------------
# Coercion helpers: tolerant of the reference's mixed types, strict about meaning.
# ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("#text", value.get("text"))
        if value is None:
            return None
    return str(value).strip()


def _int(value: Any) -> int | None:
    value = _text(value)
    if value in (None, ""):
        return None
    try:
        return int(Decimal(value))
    except (InvalidOperation, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Only reachable for data built by hand: the parser never makes floats.
        return Decimal(str(value))
    value = _text(value)
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    value = _text(value)
    if value in (None, ""):
        return None
    return value.lower() in ("true", "1", "yes")


def _datetime(value: Any) -> datetime | None:
    value = _text(value)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _first(data: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present (and not None) in ``data``."""
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return None


def as_list(value: Any) -> list[Any]:
    """A value that may be missing, single, or a list, as a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def items_of(container: Any, *keys: str) -> list[Any]:
    """The list of items inside a wrapper, under any of the spellings in ``keys``.

    ``<releases><release/>...</releases>`` reads as ``{"release": [...]}`` while the
    JSON examples spell the same list ``"releases": [...]`` or ``"release": [...]``.
    """
    if isinstance(container, list):
        return container
    if not isinstance(container, dict):
        return []
    for key in keys:
        if key in container:
            return [item for item in as_list(container[key]) if item not in (None, "...")]
    return []


def section(data: Any, key: str) -> dict[str, Any]:
    """The wrapper ``key`` of a response, or the response itself when it is unwrapped.

    Most list responses wrap their paging in an element (``<tracks><page/>...``), but
    some JSON examples put ``page``/``pageSize``/``tracks`` at the top level.
    """
    data = _obj(data)
    value = data.get(key)
    return value if isinstance(value, dict) else data


def _obj(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list response (``page``, ``pageSize``, ``totalItems``)."""

    items: tuple[T, ...]
    page: int = 1
    page_size: int = 10
    total_items: int = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    @property
    def total_pages(self) -> int:
        if self.page_size <= 0:
            return 0
        return max(1, -(-self.total_items // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @classmethod
    def from_data(cls, data: Any, item_keys: Sequence[str], reader: Callable[[Any], T]) -> Page[T]:
        data = _obj(data) if not isinstance(data, list) else {"items": data}
        raw = items_of(data, *item_keys, "items")
        items = tuple(reader(item) for item in raw)
        page_size = _int(_first(data, "pageSize", "itemsPerPage"))
        total = _int(data.get("totalItems"))
        return cls(
            items=items,
            page=_int(data.get("page")) or 1,
            page_size=page_size if page_size is not None else len(items),
            total_items=total if total is not None else len(items),
        )


# ---------------------------------------------------------------------------
# Catalogue objects
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Users, purchases, locker
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: str
    type: str | None = None
    email: str | None = None

    @classmethod
    def from_data(cls, data: Any) -> User:
        data = _obj(data)
        return cls(
            id=_text(data.get("id")) or "",
            type=_text(data.get("type")),
            email=_text(data.get("emailAddress")) or None,
        )


@dataclass(frozen=True, slots=True)
class Purchase:
    """The answer to ``user/deliveritem``: 7digital's purchase id for the sale."""

    id: int
    purchase_date: datetime | None

    @classmethod
    def from_data(cls, data: Any) -> Purchase:
        data = _obj(data)
        return cls(id=_int(data.get("id")) or 0, purchase_date=_datetime(data.get("purchaseDate")))


@dataclass(frozen=True, slots=True)
class Refund:
    """The answer to a ``user/purchase/{id}/release|track/{id}`` refund report."""

    purchase_id: int
    release_id: int | None = None
    track_id: int | None = None

    @classmethod
    def from_data(cls, data: Any) -> Refund:
        data = _obj(data)
        return cls(
            purchase_id=_int(data.get("purchaseId")) or 0,
            release_id=_int(data.get("releaseId")),
            track_id=_int(data.get("trackId")),
        )


@dataclass(frozen=True, slots=True)
class DownloadUrl:
    url: str
    format: Format

    @classmethod
    def from_data(cls, data: Any) -> DownloadUrl:
        data = _obj(data)
        return cls(url=_text(data.get("url")) or "", format=Format.from_data(data.get("format")))


@dataclass(frozen=True, slots=True)
class LockerTrack:
    track: Track
    remaining_downloads: int | None
    purchase_id: int | None
    purchase_date: datetime | None
    complete_album_purchase: bool | None
    download_urls: tuple[DownloadUrl, ...] = ()

    @property
    def can_download(self) -> bool:
        return bool(self.download_urls) and self.remaining_downloads != 0

    @classmethod
    def from_data(cls, data: Any) -> LockerTrack:
        data = _obj(data)
        return cls(
            track=Track.from_data(data.get("track")) or Track(id=0, title=""),
            remaining_downloads=_int(data.get("remainingDownloads")),
            purchase_id=_int(data.get("purchaseId")),
            purchase_date=_datetime(data.get("purchaseDate")),
            complete_album_purchase=_bool(data.get("completeAlbumPurchase")),
            download_urls=tuple(
                DownloadUrl.from_data(u) for u in items_of(data.get("downloadUrls"), "downloadUrl")
            ),
        )


@dataclass(frozen=True, slots=True)
class LockerRelease:
    release: Release
    tracks: tuple[LockerTrack, ...]
    available: bool = True

    @classmethod
    def from_data(cls, data: Any) -> LockerRelease:
        data = _obj(data)
        available = _bool(data.get("available"))
        return cls(
            release=Release.from_data(data.get("release")) or Release(id=0, title=""),
            tracks=tuple(
                LockerTrack.from_data(t) for t in items_of(data.get("lockerTracks"), "lockerTrack")
            ),
            available=True if available is None else available,
        )


@dataclass(frozen=True, slots=True)
class Locker(Page[LockerRelease]):
    """A page of the user's locker: releases with the purchased tracks of each."""

    @property
    def releases(self) -> tuple[LockerRelease, ...]:
        return self.items

    @classmethod
    def from_locker_data(cls, data: Any) -> Locker:
        data = _obj(data)
        releases = data.get("lockerReleases", data)
        page = Page.from_data(releases, ("lockerRelease",), LockerRelease.from_data)
        return cls(
            items=page.items,
            page=page.page,
            page_size=page.page_size,
            total_items=page.total_items,
        )


# ---------------------------------------------------------------------------
# Subscriptions and offline devices
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscription:
    """``user/unlimitedStreaming``: the streaming level and when access expires."""

    level: str | None
    expiry_date: datetime | None

    def is_active(self, now: datetime | None = None) -> bool:
        return self.expiry_date is not None and self.expiry_date > (now or datetime.now(UTC))

    @classmethod
    def from_data(cls, data: Any) -> Subscription:
        data = _obj(data)
        return cls(level=_text(data.get("level")), expiry_date=_datetime(data.get("expiryDate")))


@dataclass(frozen=True, slots=True)
class OfflineStatus:
    enabled: bool
    max_track_count: int | None = None

    @classmethod
    def from_data(cls, data: Any) -> OfflineStatus:
        data = _obj(data)
        return cls(
            enabled=bool(_bool(data.get("offlineEnabled"))),
            max_track_count=_int(data.get("offlineMaxTrackCount")),
        )


@dataclass(frozen=True, slots=True)
class OfflineClient:
    client_id: str

    @classmethod
    def from_data(cls, data: Any) -> OfflineClient:
        data = _obj(data) if isinstance(data, dict) else {"clientId": data}
        return cls(client_id=_text(data.get("clientId")) or "")


# ---------------------------------------------------------------------------
# Playlists
# ---------------------------------------------------------------------------


def _annotations(data: Any) -> dict[str, str]:
    """``<annotation key="k">v</annotation>`` (XML) or ``{"k": "v"}`` (JSON)."""
    if isinstance(data, dict) and "annotation" in data:
        result = {}
        for item in as_list(data["annotation"]):
            if isinstance(item, dict) and "key" in item:
                result[str(item["key"])] = _text(item.get("#text")) or ""
        return result
    if isinstance(data, dict):
        return {str(k): _text(v) or "" for k, v in data.items()}
    return {}


@dataclass(frozen=True, slots=True)
class PlaylistTrack:
    """A playlist entry: 7digital stores the metadata the caller supplied."""

    track_id: str
    track_title: str = ""
    track_version: str = ""
    artist_appears_as: str = ""
    release_id: str | None = None
    release_title: str = ""
    release_artist_appears_as: str = ""
    release_version: str = ""
    source: str = "7digital"
    audio_url: str | None = None
    image: str | None = None
    user: str | None = None
    playlist_item_id: str | None = None

    def to_request(self) -> dict[str, str]:
        """The JSON object the playlist endpoints accept for this track."""
        body = {
            "trackId": self.track_id,
            "trackTitle": self.track_title,
            "trackVersion": self.track_version,
            "artistAppearsAs": self.artist_appears_as,
            "releaseId": self.release_id or "",
            "releaseTitle": self.release_title,
            "releaseArtistAppearsAs": self.release_artist_appears_as,
            "releaseVersion": self.release_version,
            "source": self.source,
        }
        if self.audio_url:
            body["audioUrl"] = self.audio_url
        return body

    @classmethod
    def from_data(cls, data: Any) -> PlaylistTrack:
        data = _obj(data)
        item_id = _first(data, "playlistItemId")
        if item_id is None and "trackId" in data:
            item_id = data.get("id")
        return cls(
            track_id=_text(data.get("trackId")) or "",
            track_title=_text(data.get("trackTitle")) or "",
            track_version=_text(data.get("trackVersion")) or "",
            artist_appears_as=_text(data.get("artistAppearsAs")) or "",
            release_id=_text(data.get("releaseId")) or None,
            release_title=_text(data.get("releaseTitle")) or "",
            release_artist_appears_as=_text(data.get("releaseArtistAppearsAs")) or "",
            release_version=_text(data.get("releaseVersion")) or "",
            source=_text(data.get("source")) or "7digital",
            audio_url=_text(data.get("audioUrl")) or None,
            image=_text(data.get("image")) or None,
            user=_text(data.get("user")) or None,
            playlist_item_id=_text(item_id) or None,
        )


@dataclass(frozen=True, slots=True)
class Playlist:
    id: str
    name: str
    visibility: str | None = None
    status: str | None = None
    description: str | None = None
    image: str | None = None
    tracks: tuple[PlaylistTrack, ...] = ()
    track_count: int | None = None
    tags: tuple[Tag, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    last_updated: datetime | None = None

    @classmethod
    def from_data(cls, data: Any) -> Playlist:
        data = _obj(data)
        tracks = tuple(PlaylistTrack.from_data(t) for t in items_of(data.get("tracks"), "track"))
        count = _int(data.get("trackCount"))
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            visibility=_text(data.get("visibility")),
            status=_text(data.get("status")),
            description=_text(as_list(data.get("description"))[0])
            if data.get("description") is not None
            else None,
            image=_text(_first(data, "image", "imageUrl")) or None,
            tracks=tracks,
            track_count=count if count is not None else (len(tracks) if tracks else None),
            tags=tuple(Tag.from_data(t) for t in items_of(data.get("tags"), "tag")),
            annotations=_annotations(data.get("annotations")),
            last_updated=_datetime(data.get("lastUpdated")),
        )


@dataclass(frozen=True, slots=True)
class PlaylistGroup:
    id: str
    name: str
    playlist_count: int | None = None
    playlists: tuple[Playlist, ...] = ()
    last_updated: datetime | None = None

    @classmethod
    def from_data(cls, data: Any) -> PlaylistGroup:
        data = _obj(data)
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            playlist_count=_int(data.get("playlistCount")),
            playlists=tuple(
                Playlist.from_data(p) for p in items_of(data.get("playlists"), "playlist")
            ),
            last_updated=_datetime(data.get("lastUpdated")),
        )


@dataclass(frozen=True, slots=True)
class LogResult:
    """How many play logs 7digital accepted from one POST."""

    count: int | None

    @classmethod
    def from_data(cls, data: Any) -> LogResult:
        data = _obj(data)
        logs = _obj(data.get("playLogs", data))
        return cls(count=_int(logs.get("count")))
