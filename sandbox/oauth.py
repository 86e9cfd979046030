"""OAuth 1.0 verification, as 7digital's API servers do it.

Parameters are accepted from the Authorization header, the query string or a form body;
the signature is recomputed with oauthlib's server-side primitives (HMAC-SHA1 over the
base string of RFC 5849 section 3.4.1) and compared in constant time. Every parameter
occurrence enters the base string, so a client that sends ``oauth_consumer_key`` both in
the header and in the query (as some 7digital clients do) still verifies.

The signature is checked against the address the client used: the request's own Host,
the sandbox's configured public address (behind a proxy), and the Host without its
default port, so a proxy that rewrites the Host header does not break verification.
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


def _collect(request: IncomingRequest, *, with_signature: bool) -> list[tuple[str, str]]:
    """Parameters from the query, a form body and the Authorization header, unescaped."""
    headers = {"Authorization": request.authorization} if request.authorization else None
    try:
        return signature.collect_parameters(
            uri_query=urlsplit(request.url).query,
            body=request.body if _is_form(request) else None,
            headers=headers,
            exclude_oauth_signature=not with_signature,
        )
    except ValueError as exc:
        raise OAuthFailure(f"OAuth parameters could not be parsed: {exc}", status=400) from exc


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

    normalized = signature.normalize_parameters(_collect(request, with_signature=False))
    signer = SimpleNamespace(
        client_secret=consumers[consumer_key], resource_owner_secret=token_secret
    )
    for uri in candidate_uris(request.url, public_base):
        base = signature.signature_base_string(request.method.upper(), uri, normalized)
        expected = signature.sign_hmac_sha1_with_client(base, signer)
        if hmac.compare_digest(expected, received):
            break
    else:
        raise OAuthFailure("OAuth authentication failed: invalid signature")

    if not use_nonce(consumer_key, timestamp, nonce, timestamp_window):
        raise OAuthFailure("OAuth authentication failed: nonce already used")
    return Credentials(
        consumer_key=consumer_key, signed=True, token=token, token_user_id=token_user
    )
