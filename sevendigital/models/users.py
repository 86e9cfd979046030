"""Users, their purchases and refunds, the locker, subscriptions and offline devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._base import Page, _bool, _datetime, _int, _obj, _text, items_of
from .catalogue import Format, Release, Track


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


@dataclass(frozen=True, slots=True)
class Subscription:
    """``user/unlimitedStreaming``: the streaming level and when access expires.

    ``level`` is the plan's first word (``premium``, ``standard``, ``trial``), or
    ``none`` with no ``expiry_date`` for a user who never subscribed. The user may
    stream while ``expiry_date`` is in the future (reference line 6435).
    """

    level: str | None
    expiry_date: datetime | None

    @property
    def subscribed(self) -> bool:
        """Whether 7digital knows a subscription for the user, current or past."""
        return self.level not in (None, "", "none")

    def has_access(self, now: datetime | None = None) -> bool:
        """True while ``expiry_date`` is later than ``now`` (default: the current UTC time)."""
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return self.expiry_date is not None and self.expiry_date > (now or datetime.now(UTC))

    is_active = has_access  # the earlier name

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
