"""The requestor: one logical API call, from the cache or over the transport.

It layers, on :class:`~sevendigital.transport.Transport` (signing and sending),
the client's cache (:mod:`sevendigital.caching`), retries
(:mod:`sevendigital.retries`) and the reading of answers into content or errors
(:mod:`sevendigital.responses`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests

from .caching import Cache, Freshness, cache_key, cache_max_age
from .responses import bodiless_error, handle_response, http_error
from .retries import with_retries
from .transport import Transport, UserAuth, clean_params


class Requestor(Transport):
    """Sends one logical API call and returns its decoded content tree."""

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        base_urls: Mapping[str, str],
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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            base_urls=base_urls,
            country=country,
            shop_id=shop_id,
            timeout=timeout,
            session=session,
            adapter=adapter,
            response_format=response_format,
            user_agent=user_agent,
        )
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.cache = cache
        self.sleep = sleep
        self._watches: list[Freshness] = []

    @contextmanager
    def freshness(self) -> Iterator[Freshness]:
        """Note, until the block ends, how long what it reads may be reused."""
        watch = Freshness()
        self._watches.append(watch)
        try:
            yield watch
        finally:
            self._watches.remove(watch)

    def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        signed: bool = False,
        user: UserAuth | None = None,
        json_body: Any = None,
        locale: bool = True,
        country: str | None = None,
        idempotent: bool | None = None,
        cache: bool = True,
        empty_ok: bool = False,
    ) -> Any:
        """Call the API and return the content of its ``<response>``.

        GETs are retried on connection errors and 5xx with exponential backoff and
        jitter; other methods are sent once unless the caller passes
        ``idempotent=True`` (a POST whose outcome is unknown must be reconciled by
        the caller, never blindly repeated: it could be a second sale).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT", "DELETE")
        key = None
        if cache and self.cache is not None and method == "GET":
            key = self._cache_key(host, path, params, user, country, locale)
            hit = self.cache.get(key)
            if hit is not None:
                for watch in self._watches:
                    watch.from_cache = True
                return hit

        def attempt() -> Any:
            prepared = self.prepare(
                method,
                host,
                path,
                params=params,
                signed=signed,
                user=user,
                json_body=json_body,
                locale=locale,
                country=country,
            )
            response = self.send(prepared)
            return response, handle_response(response, empty_ok=empty_ok)

        response, content = self._with_retries(attempt, idempotent)
        if not isinstance(content, dict):
            # A bare JSON list (some playlist answers): give every caller one shape.
            content = {"items": content}
        # Only a GET's answer is reusable; anything else counts as "not at all".
        max_age = cache_max_age(response.headers.get("Cache-Control")) if method == "GET" else None
        if key is not None and max_age:
            self.cache.set(key, content, max_age)
        for watch in self._watches:
            watch.note_sent(max_age)
        return content

    def open(
        self,
        host: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        user: UserAuth | None = None,
        country: str | None = None,
        headers: Mapping[str, str] | None = None,
        signed: bool = True,
        method: str = "GET",
    ) -> requests.Response:
        """Open a media response (clip, download, stream) as a stream of bytes.

        The caller reads ``response.iter_content()`` and must close the response.
        ``headers`` pass through (``Range`` for seeking). Errors are raised as for
        any call, after reading the (small) error body. A 416 (range past the end)
        is returned, not raised: its ``Content-Range`` tells the caller the size.

        ``method="HEAD"`` asks for the headers alone (size, type, filename): it is sent
        upstream as a HEAD, never as a GET whose body is dropped, because the media host
        counts a GET of a purchased download against its limit. A HEAD's error has no
        body to read, so it is mapped from its HTTP status.
        """
        method = method.upper()
        if method not in ("GET", "HEAD"):
            raise ValueError("media is opened with GET or HEAD")

        def attempt() -> requests.Response:
            # Signed afresh on every attempt: 7digital refuses a nonce seen before.
            prepared = self.prepare(
                method,
                host,
                path,
                params=params,
                signed=signed,
                user=user,
                country=country,
                headers=headers,
            )
            return self._open_once(prepared)

        return self._with_retries(attempt, idempotent=True)

    def _open_once(self, prepared: requests.PreparedRequest) -> requests.Response:
        response = self.send(prepared, stream=True)
        if response.status_code < 400 or response.status_code == 416:
            return response
        if prepared.method == "HEAD":
            response.close()
            raise bodiless_error(response)
        try:
            response.content  # noqa: B018 - read the small error body before mapping it
            handle_response(response)
        finally:
            response.close()
        raise http_error(response, "an unreadable error")  # pragma: no cover

    def _with_retries(self, call: Callable[[], Any], idempotent: bool) -> Any:
        return with_retries(
            call,
            attempts=1 + (self.max_retries if idempotent else 0),
            backoff=self.backoff,
            max_backoff=self.max_backoff,
            sleep=self.sleep,
        )

    def _cache_key(
        self,
        host: str,
        path: str,
        params: Mapping[str, Any] | None,
        user: UserAuth | None,
        country: str | None,
        locale: bool,
    ) -> str:
        values = self.locale_params(country) if locale else {}
        values.update(clean_params(params))
        return cache_key(self.response_format, self.url(host, path), values, user)
