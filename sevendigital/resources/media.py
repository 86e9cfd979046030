"""Media delivery: preview clips, purchased downloads, streams, catalogue feeds.

These endpoints answer with bytes, not XML. Each method has two forms: ``*_url``
returns a signed URL for a server to fetch (never give one to a browser: it
carries a signature that could be replayed until it expires), and ``open_*``
fetches it and returns the streaming ``requests.Response`` (``Range`` passes
through for seeking; ``method="HEAD"`` asks for the headers alone; the caller closes
the response).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from ..transport import UserAuth
from ._base import Resource
from .users import _user


@dataclass(frozen=True, slots=True)
class MediaRequest:
    host: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    user: UserAuth | None = None
    country: str | None = None


class Media(Resource):
    # -- building ------------------------------------------------------------

    def clip(self, track_id: int, *, country: str | None = None) -> MediaRequest:
        """``previews.7digital.com/clip/{trackId}`` (reference line 4948)."""
        return MediaRequest("previews", f"clip/{int(track_id)}", country=country)

    def download_track(
        self,
        user: UserAuth | str,
        *,
        track_id: int,
        release_id: int,
        format_id: int,
        country: str | None = None,
    ) -> MediaRequest:
        return MediaRequest(
            "media",
            "media/user/downloadtrack",
            {"trackId": track_id, "releaseId": release_id, "formatId": format_id},
            _user(user),
            country,
        )

    def download_release(
        self,
        user: UserAuth | str,
        *,
        release_id: int,
        format_id: int | None = None,
        country: str | None = None,
    ) -> MediaRequest:
        return MediaRequest(
            "media",
            "media/user/download/release",
            {"releaseId": release_id, "formatId": format_id},
            _user(user),
            country,
        )

    def download_purchase(
        self, user: UserAuth | str, *, purchase_id: int, country: str | None = None
    ) -> MediaRequest:
        return MediaRequest(
            "media",
            "media/user/download/purchase",
            {"purchaseId": purchase_id},
            _user(user),
            country,
        )

    def stream_locker(
        self, user: UserAuth | str, *, track_id: int, format_id: int, country: str | None = None
    ) -> MediaRequest:
        return MediaRequest(
            "stream",
            "stream/locker",
            {"trackId": track_id, "formatId": format_id},
            _user(user),
            country,
        )

    def stream_catalogue(
        self, *, track_id: int, format_id: int, country: str | None = None
    ) -> MediaRequest:
        return MediaRequest(
            "stream",
            "stream/catalogue",
            {"trackId": track_id, "formatId": format_id},
            country=country,
        )

    def stream_subscription(
        self,
        user: UserAuth | str,
        *,
        track_id: int,
        format_id: int,
        client_id: str | None = None,
        country: str | None = None,
    ) -> MediaRequest:
        return MediaRequest(
            "stream",
            "stream/subscription",
            {"trackId": track_id, "formatId": format_id, "clientId": client_id},
            _user(user),
            country,
        )

    def offline_subscription(
        self,
        user: UserAuth | str,
        *,
        track_id: int,
        format_id: int,
        client_id: str,
        country: str | None = None,
    ) -> MediaRequest:
        return MediaRequest(
            "stream",
            "offline/subscription",
            {"trackId": track_id, "formatId": format_id, "clientId": client_id},
            _user(user),
            country,
        )

    # -- using ---------------------------------------------------------------

    def signed_url(self, request: MediaRequest) -> str:
        return self._requestor.signed_url(
            request.host,
            request.path,
            params=request.params,
            user=request.user,
            country=request.country,
        )

    def open(
        self, request: MediaRequest, *, range: str | None = None, method: str = "GET"
    ) -> requests.Response:
        """Fetch the media; raises the mapped error if 7digital refuses it.

        ``method="HEAD"`` asks for the headers only, and is sent as a HEAD: a GET of a
        purchased download counts against its limit even if its body is never read.
        """
        return self._requestor.open(
            request.host,
            request.path,
            params=request.params,
            user=request.user,
            country=request.country,
            headers={"Range": range} if range else None,
            method=method,
        )


FEEDS = frozenset(
    {
        "artist/full",
        "artist/updates",
        "artist/prerelease/full",
        "artist/prelease/updates",  # sic: the reference's path (line 6564)
        "release/full",
        "release/updates",
        "release/global/full",
        "release/global/updates",
        "release/hi-res/bitrate/16/full",
        "release/hi-res/bitrate/16/updates",
        "release/prerelease/full",
        "release/prerelease/updates",
        "track/full",
        "track/updates",
        "track/global/full",
        "track/global/updates",
        "track/hi-res/bitrate/16/full",
        "track/hi-res/bitrate/16/updates",
        "track/prerelease/full",
        "track/prerelease/updates",
    }
)


class Feeds(Resource):
    """Gzipped CSV catalogue snapshots (reference lines 6540-6667)."""

    def feed(self, name: str, *, date: str, country: str = "WW") -> MediaRequest:
        if name not in FEEDS:
            raise ValueError(f"unknown feed {name!r}; expected one of {sorted(FEEDS)}")
        if len(date) != 8 or not date.isdigit():
            raise ValueError("date is yyyymmdd")
        return MediaRequest("feeds", f"1.2/feed/{name}", {"date": date}, None, country)

    def signed_url(self, request: MediaRequest) -> str:
        return Media(self._requestor).signed_url(request)

    def open(self, request: MediaRequest) -> requests.Response:
        return Media(self._requestor).open(request)
