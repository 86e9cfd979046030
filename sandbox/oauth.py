"""OAuth 1.0 verification, as 7digital's API servers do it.

Parameters are accepted from the Authorization header, the query string or a form body;
the signature is recomputed with oauthlib's server-side primitives (HMAC-SHA1 over the
base string of RFC 5849 section 3.4.1) and compared in constant time. Every parameter
occurrence enters the base string (RFC 5849 section 3.4.1.3.1).

One exception, for 7digital's own Node client (npm ``7digital-api``): it puts
``oauth_consumer_key`` in every query string, and node-oauth, which signs its calls,
puts it in the Authorization header too but counts it once in the base string (it
gathers the parameters in a map keyed by name). 7digital accepts those calls, so when
``oauth_consumer_key`` appears exactly once in the query and exactly once in the header,
with the same value, and nowhere else, a signature counting it once passes as well as
one counting it twice. Nothing else is loosened: two different keys are refused, and
any other duplicated parameter must be counted as often as it was sent.

The signature is checked against the address the client used: the request's own Host
with the scheme it came in on (https for a TLS connection to ``runsandbox``), the
sandbox's configured public address (behind a proxy), and the Host without its default
port, so a proxy that rewrites the Host header does not break verification.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from oauthlib.oauth1.rfc5849 import signature

from .exceptions import OAuthFailure


@dataclass(frozen=True)
class Credentials:
    consumer_key: str
    signed: bool
    token: str | None = None
    token_user_id: str | None = None


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    url: str  # as the sandbox received it: scheme://host[:port]/path?query
    body: str | None
    content_type: str
    authorization: str | None


@dataclass(frozen=True)
class _Sources:
    """The request's parameters, unescaped, by where they came from."""

    query: list[tuple[str, str]]
    header: list[tuple[str, str]]
    body: list[tuple[str, str]]

    @property
    def all(self) -> list[tuple[str, str]]:
        return [*self.query, *self.header, *self.body]

    def counted_once(self, name: str) -> list[tuple[str, str]] | None:
        """All parameters with ``name`` counted once, when it was sent exactly once in
        the query and once in the header with the same value (node-oauth's way)."""
        in_query = [pair for pair in self.query if pair[0] == name]
        in_header = [pair for pair in self.header if pair[0] == name]
        in_body = [pair for pair in self.body if pair[0] == name]
        if len(in_query) != 1 or in_header != in_query or in_body:
            return None
        return [*(pair for pair in self.query if pair[0] != name), *self.header, *self.body]


def _sources(request: IncomingRequest, *, with_signature: bool) -> _Sources:
    """Parameters from the query, the Authorization header and a form body."""
    headers = {"Authorization": request.authorization} if request.authorization else None

    def collect(**source) -> list[tuple[str, str]]:
        return signature.collect_parameters(**source, exclude_oauth_signature=not with_signature)

    try:
        return _Sources(
            query=collect(uri_query=urlsplit(request.url).query),
            header=collect(headers=headers),
            body=collect(body=request.body if _is_form(request) else None),
        )
    except ValueError as exc:
        raise OAuthFailure(f"OAuth parameters could not be parsed: {exc}", status=400) from exc


def _collect(request: IncomingRequest, *, with_signature: bool) -> list[tuple[str, str]]:
    """Parameters from the query, the Authorization header and a form body, unescaped."""
    return _sources(request, with_signature=with_signature).all


def _oauth_params(request: IncomingRequest) -> list[tuple[str, str]]:
    return [(k, v) for k, v in _collect(request, with_signature=True) if k.startswith("oauth_")]


def _is_form(request: IncomingRequest) -> bool:
    return "application/x-www-form-urlencoded" in request.content_type.lower()


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = {v for k, v in params if k == name}
    if len(values) > 1:
        raise OAuthFailure(
            f"OAuth parameter {name} was given twice with different values", status=400
        )
    return values.pop() if values else None


def candidate_uris(url: str, public_base: str | None) -> list[str]:
    """Base-string URIs to try: as received, at the public address, without port."""
    parts = urlsplit(url)
    candidates = [urlunsplit(parts._replace(query="", fragment=""))]
    if public_base:
        public = urlsplit(public_base)
        prefix = public.path.rstrip("/")
        candidates.append(urlunsplit((public.scheme, public.netloc, prefix + parts.path, "", "")))
    host = parts.hostname or ""
    for netloc in (host, f"{host}:80", f"{host}:443"):
        for scheme in ("http", "https"):
            candidates.append(urlunsplit((scheme, netloc, parts.path, "", "")))
    seen: list[str] = []
    for uri in candidates:
        normal = signature.base_string_uri(uri)
        if normal not in seen:
            seen.append(normal)
    return seen


def verify(
    request: IncomingRequest,
    *,
    consumers: dict[str, str],
    tokens: dict[str, tuple[str, str]],
    require_signature: bool,
    timestamp_window: int,
    use_nonce,
    public_base: str | None = None,
    now: float | None = None,
) -> Credentials:
    """Check the request's OAuth parameters; raise :class:`OAuthFailure` if they fail."""
    params = _oauth_params(request)
    consumer_key = _single(params, "oauth_consumer_key")
    if not consumer_key:
        raise OAuthFailure("OAuth consumer key (oauth_consumer_key) is missing")
    if consumer_key not in consumers:
        raise OAuthFailure("OAuth authentication failed: invalid consumer key")
    received = _single(params, "oauth_signature")
    token = _single(params, "oauth_token")
    if not received:
        if require_signature or token:
            raise OAuthFailure("OAuth signature required: this endpoint needs a signed request")
        return Credentials(consumer_key=consumer_key, signed=False)

    method = _single(params, "oauth_signature_method") or ""
    if method.upper() != "HMAC-SHA1":
        raise OAuthFailure(
            f"OAuth signature method {method!r} is not supported; use HMAC-SHA1", status=400
        )
    timestamp = _single(params, "oauth_timestamp")
    nonce = _single(params, "oauth_nonce")
    if not timestamp or not nonce:
        raise OAuthFailure("OAuth timestamp and nonce are required", status=400)
    try:
        stamp = int(timestamp)
    except ValueError as exc:
        raise OAuthFailure("OAuth timestamp is not a number", status=400) from exc
    current = time.time() if now is None else now
    if abs(current - stamp) > timestamp_window:
        raise OAuthFailure(
            f"OAuth authentication failed: timestamp expired (more than {timestamp_window}s "
            "from the server's clock)"
        )
    token_secret = ""
    token_user = None
    if token:
        if token not in tokens:
            raise OAuthFailure("OAuth authentication failed: invalid access token")
        token_secret, token_user = tokens[token]

    sources = _sources(request, with_signature=False)
    counted = [sources.all]
    if (once := sources.counted_once("oauth_consumer_key")) is not None:
        counted.append(once)
    signer = SimpleNamespace(
        client_secret=consumers[consumer_key], resource_owner_secret=token_secret
    )

    def signs(params: list[tuple[str, str]], uri: str) -> bool:
        normalized = signature.normalize_parameters(params)
        base = signature.signature_base_string(request.method.upper(), uri, normalized)
        expected = signature.sign_hmac_sha1_with_client(base, signer)
        return hmac.compare_digest(expected, received)

    uris = candidate_uris(request.url, public_base)
    if not any(signs(params, uri) for params in counted for uri in uris):
        raise OAuthFailure("OAuth authentication failed: invalid signature")

    if not use_nonce(consumer_key, timestamp, nonce, timestamp_window):
        raise OAuthFailure("OAuth authentication failed: nonce already used")
    return Credentials(
        consumer_key=consumer_key, signed=True, token=token, token_user_id=token_user
    )
