"""The client: one object configured entirely through its constructor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

import requests

from .caching import Cache, Freshness
from .requestor import Requestor
from .resources import (
    Artists,
    Feeds,
    Lockers,
    Media,
    Playlists,
    PlayLogs,
    Purchasing,
    Refunds,
    Releases,
    Status,
    Subscriptions,
    Tags,
    Tracks,
    Users,
)
from .transport import RateLimit

PRODUCTION_URLS = {
    "api": "https://api.7digital.com",
    "previews": "https://previews.7digital.com",
    "media": "https://media.geo.7digital.com",
    "stream": "https://stream.svc.7digital.net",
    "feeds": "https://feeds.api.7digital.com",
}


class SevenDigital:
    """A 7digital API 1.2 client.

    >>> client = SevenDigital(consumer_key="key", consumer_secret="secret",
    ...                       base_urls={h: "http://127.0.0.1:8001" for h in PRODUCTION_URLS})
    >>> client.releases.details(1046)                           # doctest: +SKIP

    ``base_urls`` maps each host (api, previews, media, stream, feeds) to its base
    URL; a single ``base_url`` sets them all (the sandbox serves every host's paths).
    ``cache`` is anything with Django's ``get``/``set(key, value, timeout)``.
    ``session`` or ``adapter`` replace the HTTP transport (tests mount the sandbox
    in-process this way).
    """

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        base_urls: Mapping[str, str] | None = None,
        base_url: str | None = None,
        country: str | None = "GB",
        shop_id: int | str | None = None,
        timeout: float | tuple[float, float] = 10.0,
        max_retries: int = 2,
        backoff: float = 0.25,
        max_backoff: float = 4.0,
        cache: Cache | None = None,
        session: requests.Session | None = None,
        adapter: requests.adapters.BaseAdapter | None = None,
        response_format: str = "xml",
        user_agent: str = "sevendigital-python",
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        urls = dict(PRODUCTION_URLS)
        if base_url:
            urls = {host: base_url for host in PRODUCTION_URLS}
        urls.update(base_urls or {})
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.requestor = Requestor(
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            base_urls=urls,
            country=country,
            shop_id=shop_id,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            cache=cache,
            session=session,
            adapter=adapter,
            response_format=response_format,
            user_agent=user_agent,
            **extra,
        )
        self.status = Status(self.requestor)
        self.artists = Artists(self.requestor)
        self.releases = Releases(self.requestor)
        self.tracks = Tracks(self.requestor)
        self.tags = Tags(self.requestor)
        self.users = Users(self.requestor)
        self.purchasing = Purchasing(self.requestor)
        self.refunds = Refunds(self.requestor)
        self.locker = Lockers(self.requestor)
        self.subscriptions = Subscriptions(self.requestor)
        self.playlists = Playlists(self.requestor)
        self.logging = PlayLogs(self.requestor)
        self.media = Media(self.requestor)
        self.feeds = Feeds(self.requestor)

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``X-RateLimit-*`` figures of the last response, if it carried them."""
        return self.requestor.rate_limit

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client has sent (answers from its cache send none)."""
        return self.requestor.requests_sent

    def freshness(self) -> AbstractContextManager[Freshness]:
        """``with client.freshness() as fresh:`` read; then ``fresh.seconds`` says how
        long those answers may be reused (their shortest ``max-age``), or None when
        some came from the client's cache or none was read."""
        return self.requestor.freshness()

    @property
    def country(self) -> str | None:
        return self.requestor.country

    def close(self) -> None:
        self.requestor.session.close()

    def __enter__(self) -> SevenDigital:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
