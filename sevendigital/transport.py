"""The transport: build a call's HTTP request, sign it and send it.

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

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests_oauthlib import OAuth1

from . import errors

HOSTS = ("api", "previews", "media", "stream", "feeds")
_OAUTH_PARAM = re.compile(r"^oauth_", re.IGNORECASE)


def encode_json(body: Any) -> str:
    """A JSON request body as sent: compact, ASCII (its length in characters is its size
    in bytes, which the log endpoints limit)."""
    return json.dumps(body, separators=(",", ":"))


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


class Transport:
    """Signs and sends HTTP requests for one consumer key, and counts them.

    It reads no answer: :class:`~sevendigital.requestor.Requestor` decodes, retries
    and caches on top of it.
    """

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        base_urls: Mapping[str, str],
        country: str | None = "GB",
        shop_id: int | str | None = None,
        timeout: float | tuple[float, float] = 10.0,
        session: requests.Session | None = None,
        adapter: requests.adapters.BaseAdapter | None = None,
        response_format: str = "xml",
        user_agent: str = "sevendigital-python",
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
        self.response_format = response_format
        self.user_agent = user_agent
        self.session = session or requests.Session()
        if adapter is not None:
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.rate_limit: RateLimit | None = None
        self.requests_sent = 0
        self._environments: dict[tuple[str, str], dict[str, Any]] = {}

    # -- building requests ---------------------------------------------------

    def url(self, host: str, path: str) -> str:
        if host not in self.base_urls:
            raise ValueError(f"unknown host {host!r}; expected one of {HOSTS}")
        return f"{self.base_urls[host]}/{path.lstrip('/')}"

    def locale_params(self, country: str | None = None) -> dict[str, str]:
        """``shopId`` when one is configured, and ``country`` (this call's, else the
        default) whenever one is known.

        A shop id is never dropped for an explicit country: clients with a custom
        content pool must send both (reference line 6424), and the shop picks the pool.
        """
        params = {"shopId": str(self.shop_id)} if self.shop_id is not None else {}
        chosen = country or self.country
        if chosen:
            params["country"] = chosen
        return params

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
