"""Transport and requestor: sign, send, retry, cache, decode, map errors.

Signing follows the reference's OAuth rules (7digital-api-1.0-beta-overview-oauth.txt and
the 1.2 reference's partner-user section, line 6451): public catalogue calls carry
only ``oauth_consumer_key``; partner calls are 2-legged HMAC-SHA1 with ``userId``;
user calls are 3-legged with ``oauth_token``. GET parameters travel in the query
string; form POST parameters in an ``application/x-www-form-urlencoded`` body, so
that they enter the signature base string; JSON bodies (playlists, logs) keep
their parameters (``country``, ``userId``) in the query string, as the reference
requires ("it can only be placed as a query string parameter").
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from requests_oauthlib import OAuth1
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from . import errors
from .parsing import NotAnAPIResponse, decode, describe_body

logger = logging.getLogger("sevendigital")

HOSTS = ("api", "previews", "media", "stream", "feeds")
_OAUTH_PARAM = re.compile(r"^oauth_", re.IGNORECASE)


def encode_json(body: Any) -> str:
    """A JSON request body as sent: compact, ASCII (its length in characters is its size
    in bytes, which the log endpoints limit)."""
    return json.dumps(body, separators=(",", ":"))


class Cache(Protocol):
    """The subset of Django's cache API the client uses; Django's cache plugs in as is."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> None: ...


class MemoryCache:
    """A small in-process cache honouring timeouts (for scripts and tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[float, Any]] = {}
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return default
        expires, value = entry
        if expires <= self._clock():
            del self._data[key]
            return default
        return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._data[key] = (self._clock() + (timeout or 0), value)

    def clear(self) -> None:
        self._data.clear()


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``X-RateLimit-*`` headers of the last response (reference lines 74-78)."""

    limit: int | None
    current: int | None
    reset: int | None

    @property
    def remaining(self) -> int | None:
        if self.limit is None or self.current is None:
            return None
        return max(0, self.limit - self.current)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        def number(name: str) -> int | None:
            value = headers.get(name)
            try:
                return int(value) if value is not None else None
            except ValueError:
                return None

        limit, current, reset = (
            number("X-RateLimit-Limit"),
            number("X-RateLimit-Current"),
            number("X-RateLimit-Reset"),
        )
        if limit is None and current is None and reset is None:
            return None
        return cls(limit=limit, current=current, reset=reset)


@dataclass(frozen=True, slots=True)
class UserAuth:
    """Who a user-level call acts for.

    ``user_id`` for a partner user (2-legged OAuth with ``userId``), or ``token`` and
    ``token_secret`` for a 7digital user's access token (3-legged OAuth).
    """

    user_id: str | None = None
    token: str | None = None
    token_secret: str | None = None

    def __post_init__(self) -> None:
        if not self.user_id and not self.token:
            raise ValueError("UserAuth needs a partner user_id or an access token")


def cache_max_age(cache_control: str | None) -> int | None:
    """Seconds a response may be cached for, or None when it must not be."""
    if not cache_control:
        return None
    directives = {}
    for part in cache_control.lower().split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value.strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    try:
        age = int(directives.get("max-age", ""))
    except ValueError:
        return None
    return age if age > 0 else None


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(v) for v in value)
    return str(value)


def clean_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Drop ``None``, render booleans as true/false and sequences comma-separated."""
    return {k: _format_value(v) for k, v in (params or {}).items() if v is not None}


def redact_url(url: str) -> str:
    """The URL without OAuth parameters (signatures, tokens) for errors and logs."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [p for p in parts.query.split("&") if not _OAUTH_PARAM.match(p)]
    return urlunsplit(parts._replace(query="&".join(kept)))


@dataclass
class Freshness:
    """How long the answers read inside :meth:`Requestor.freshness` may be reused.

    ``seconds`` is the shortest ``Cache-Control: max-age`` among the answers 7digital
    sent (0 when one may not be cached at all), or None when nothing was sent or some
    answer came from the client's cache, whose remaining lifetime is not known.
    """

    max_age: int | None = None  # the shortest of the answers sent; None before any
    from_cache: bool = False

    def note_sent(self, max_age: int | None) -> None:
        age = max_age or 0
        self.max_age = age if self.max_age is None else min(self.max_age, age)

    @property
    def seconds(self) -> int | None:
        return None if self.from_cache else self.max_age


class Requestor:
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
        if not consumer_key:
            raise ValueError("a 7digital consumer key is required")
        if response_format not in ("xml", "json"):
            raise ValueError("response_format must be 'xml' or 'json'")
        missing = [h for h in HOSTS if not base_urls.get(h)]
        if missing:
            raise ValueError(f"base URLs missing for: {', '.join(missing)}")
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.base_urls = {h: base_urls[h].rstrip("/") for h in HOSTS}
        self.country = country
        self.shop_id = shop_id
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.cache = cache
        self.response_format = response_format
        self.user_agent = user_agent
        self.sleep = sleep
        self.session = session or requests.Session()
        if adapter is not None:
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.rate_limit: RateLimit | None = None
        self.requests_sent = 0
        self._environments: dict[tuple[str, str], dict[str, Any]] = {}
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

    # -- building requests ---------------------------------------------------

    def url(self, host: str, path: str) -> str:
        if host not in self.base_urls:
            raise ValueError(f"unknown host {host!r}; expected one of {HOSTS}")
        return f"{self.base_urls[host]}/{path.lstrip('/')}"

    def locale_params(self, country: str | None = None) -> dict[str, str]:
        """``country`` (or ``shopId`` for a dedicated shop), as every method requires."""
        if self.shop_id is not None and country is None:
            params = {"shopId": str(self.shop_id)}
            if self.country:
                params["country"] = self.country
            return params
        chosen = country or self.country
        return {"country": chosen} if chosen else {}

    def oauth(self, user: UserAuth | None, signature_type: str = "AUTH_HEADER") -> OAuth1:
        return OAuth1(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=user.token if user else None,
            resource_owner_secret=user.token_secret if user else None,
            signature_method="HMAC-SHA1",
            signature_type=signature_type,
        )

    def prepare(
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
        headers: Mapping[str, str] | None = None,
        signature_type: str = "AUTH_HEADER",
    ) -> requests.PreparedRequest:
        """Build and sign the HTTP request for one call (without sending it)."""
        method = method.upper()
        values = self.locale_params(country) if locale else {}
        values.update(clean_params(params))
        if user and user.user_id and not user.token:
            values["userId"] = user.user_id
        signed = signed or user is not None
        all_headers = {
            **self.session.headers,
            "Accept": f"application/{self.response_format}",
            "Accept-Encoding": "gzip",
            "User-Agent": self.user_agent,
        }
        all_headers.update(headers or {})
        query: dict[str, str] = {}
        form: dict[str, str] | None = None
        body = None
        if method in ("GET", "DELETE", "HEAD") or json_body is not None:
            query = values
            if json_body is not None:
                body = encode_json(json_body)
                all_headers["Content-Type"] = "application/json"
        else:
            form = values
        if not signed:
            query["oauth_consumer_key"] = self.consumer_key
        request = requests.Request(
            method,
            self.url(host, path),
            params=query,
            data=form if form is not None else body,
            headers=all_headers,
            auth=self.oauth(user, signature_type) if signed else None,
        )
        # Not session.prepare_request(): merging the session's cookie jar, hooks and
        # settings into every call costs as much as signing it, and the API sets no
        # cookies; the session's headers are in all_headers above.
        return request.prepare()

    def signed_url(
        self,
        host: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        user: UserAuth | None = None,
        country: str | None = None,
    ) -> str:
        """A GET URL with the OAuth signature in its query string, to fetch or proxy.

        Such URLs expire with their timestamp and carry a one-time nonce: build one
        per fetch and never hand one to a browser that could share it.
        """
        prepared = self.prepare(
            "GET",
            host,
            path,
            params=params,
            signed=True,
            user=user,
            country=country,
            signature_type="QUERY",
        )
        return prepared.url

    # -- sending -------------------------------------------------------------

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
            return response, self.handle_response(response, empty_ok=empty_ok)

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

    def send(
        self, prepared: requests.PreparedRequest, *, stream: bool = False
    ) -> requests.Response:
        url = redact_url(prepared.url or "")
        self.requests_sent += 1
        environment = self._environment(prepared.url or "")
        try:
            response = self.session.send(
                prepared,
                timeout=self.timeout,
                stream=stream,
                proxies=environment["proxies"],
                verify=environment["verify"],
                cert=environment["cert"],
            )
        except requests.Timeout as exc:
            raise errors.APITimeout(
                f"7digital did not answer within {self.timeout}s: {url}", url=url
            ) from exc
        except requests.RequestException as exc:
            raise errors.APIConnectionError(
                f"Could not reach 7digital at {url}: {exc.__class__.__name__}", url=url
            ) from exc
        self.rate_limit = RateLimit.from_headers(response.headers) or self.rate_limit
        return response

    def _environment(self, url: str) -> dict[str, Any]:
        """Proxies and CA settings for ``url`` from the environment (``HTTPS_PROXY``,
        ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...), read once per host.

        requests would read them again for every request, scanning the whole process
        environment each time: a millisecond per call, more than signing it.
        """
        origin = urlsplit(url)[:2]
        environment = self._environments.get(origin)
        if environment is None:
            environment = self.session.merge_environment_settings(url, {}, None, None, None)
            self._environments[origin] = environment
        return environment

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
            raise self._bodiless_error(response)
        try:
            response.content  # noqa: B018 - read the small error body before mapping it
            self.handle_response(response)
        finally:
            response.close()
        raise self._http_error(response, "an unreadable error")  # pragma: no cover

    def _with_retries(self, call: Callable[[], Any], idempotent: bool) -> Any:
        attempts = 1 + (self.max_retries if idempotent else 0)
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential_jitter(
                multiplier=self.backoff, max=self.max_backoff, jitter=self.backoff
            ),
            retry=retry_if_exception(errors.is_retryable),
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda state: logger.warning(
                "7digital call failed (%s), retrying (attempt %d of %d)",
                state.outcome.exception() if state.outcome else "?",
                state.attempt_number + 1,
                attempts,
            ),
        )
        return retrying(call)

    # -- reading responses ---------------------------------------------------

    def handle_response(self, response: requests.Response, *, empty_ok: bool = False) -> Any:
        """Decode a response or raise the matching :class:`SevenDigitalError`."""
        status = response.status_code
        url = redact_url(response.request.url if response.request else response.url)
        content_type = response.headers.get("Content-Type", "")
        body = response.content or b""
        if status == 401 or (status == 400 and "text/plain" in content_type):
            reason = body.decode("utf-8", "replace").strip()
            if status == 401 or "oauth" in reason.lower():
                raise errors.AuthenticationFailed(
                    reason or "7digital refused the request's credentials (HTTP 401)",
                    http_status=status,
                    url=url,
                )
        try:
            envelope = decode(body, content_type)
        except NotAnAPIResponse as exc:
            if empty_ok and status < 400 and not body.strip():
                return {}
            raise self._http_error(response, describe_body(body, content_type), exc) from exc
        if envelope.is_error:
            cls = errors.error_class_for_code(envelope.error_code)
            raise cls(
                envelope.error_message or cls.default_message,
                code=envelope.error_code,
                http_status=status,
                url=url,
            )
        if status >= 400:
            raise self._http_error(response, "a success document with an error status")
        return envelope.content

    @classmethod
    def _bodiless_error(cls, response: requests.Response) -> errors.SevenDigitalError:
        """The error of an answer without a body (a HEAD's), from its status alone: the
        statuses 7digital gives its error codes (403 for 2002 "no licences", 401 for a
        refused signature) stand for them."""
        status = response.status_code
        url = redact_url(response.request.url if response.request else response.url)
        if status == 401:
            return errors.AuthenticationFailed(
                "7digital refused the request's credentials (HTTP 401)", http_status=status, url=url
            )
        if status == 403:
            return errors.NotAvailable(
                "7digital refused the media (HTTP 403 to a HEAD request, which has no body)",
                http_status=status,
                url=url,
            )
        return cls._http_error(response, "no body (a HEAD request)")

    @staticmethod
    def _http_error(
        response: requests.Response, what: str, cause: Exception | None = None
    ) -> errors.SevenDigitalError:
        status = response.status_code
        url = redact_url(response.request.url if response.request else response.url)
        reason = f" ({cause})" if cause else ""
        message = f"7digital answered HTTP {status} with {what}, not an API response{reason}"
        if status >= 500:
            return errors.ServerError(message, http_status=status, url=url)
        if status == 404:
            return errors.NotFound(message, http_status=status, url=url)
        if status == 400:
            return errors.InvalidInput(message, http_status=status, url=url)
        return errors.InvalidResponse(message, http_status=status, url=url)

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
        if user:
            values["@user"] = f"{user.user_id or ''}|{user.token or ''}"
        query = urlencode(sorted(values.items()))
        raw = f"{self.response_format} {self.url(host, path).lower()}?{query}"
        return "7d:" + hashlib.sha256(raw.encode()).hexdigest()
