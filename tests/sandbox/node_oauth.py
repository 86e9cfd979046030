"""How 7digital's own Node client signs its calls, in Python, for the sandbox's tests.

npm ``7digital-api`` (lib/request.js, ``dispatchSecure``) adds ``oauth_consumer_key``
to every query string and sends signed calls to ``https://`` the API host; node-oauth
(ciaranj/node-oauth, lib/oauth.js), which it signs with, gathers the OAuth parameters
and the query's parameters in one object keyed by name (``_prepareParameters``), so
the key the query repeats is counted once in the base string
(``_normaliseRequestParams``, ``_createSignatureBase``), and then writes every
``oauth_*`` entry of that object into the Authorization header as well
(``_buildAuthorizationHeaders``). The functions below follow those, line for line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests


def encode_data(value) -> str:
    """``_encodeData``: encodeURIComponent, then ! ' ( ) * escaped too."""
    if value is None or value == "":
        return ""
    return quote(str(value), safe="~")


def normalize_url(url: str) -> str:
    """``_normalizeUrl``: scheme, host, a port only when not the scheme's default, path."""
    parts = urlsplit(url)
    port = ""
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        port = f":{parts.port}"
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path or '/'}"


def _pairs(arguments: dict) -> list[list[str]]:
    """``_makeArrayOfArgumentsHash``: one pair per value, arrays expanded."""
    pairs = []
    for key, value in arguments.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append([key, item])
    return pairs


def _sorted(pairs: list[list[str]]) -> list[list[str]]:
    """``_sortRequestParams``: by name, then value."""
    return sorted(pairs, key=lambda pair: (pair[0], pair[1]))


def normalise_request_params(arguments: dict) -> str:
    """``_normaliseRequestParams``: encode each name and value, sort, join."""
    encoded = [[encode_data(name), encode_data(value)] for name, value in _pairs(arguments)]
    return "&".join(f"{name}={value}" for name, value in _sorted(encoded))


def create_signature_base(method: str, url: str, parameters: str) -> str:
    """``_createSignatureBase``."""
    return f"{method.upper()}&{encode_data(normalize_url(url))}&{encode_data(parameters)}"


def create_signature(base: str, consumer_secret: str, token_secret: str | None) -> str:
    """``_createSignature`` for HMAC-SHA1."""
    key = f"{encode_data(consumer_secret)}&{encode_data(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _query_parameters(url: str) -> dict:
    """node's ``querystring.parse``: a repeated name becomes an array."""
    parsed: dict = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name in parsed:
            previous = parsed[name]
            parsed[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            parsed[name] = value
    return parsed


def prepare_parameters(
    consumer_key: str,
    consumer_secret: str,
    method: str,
    url: str,
    token: str | None = None,
    token_secret: str | None = None,
) -> list[list[str]]:
    """``_prepareParameters``: the ordered parameters, ``oauth_signature`` last."""
    oauth_parameters: dict = {
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": secrets.token_hex(16),
        "oauth_version": "1.0",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_consumer_key": consumer_key,
    }
    if token:
        oauth_parameters["oauth_token"] = token
    for name, value in _query_parameters(url).items():
        if isinstance(value, list):  # node-oauth's "TODO: This probably should be recursive"
            for index, item in enumerate(value):
                oauth_parameters[f"{name}[{index}]"] = item
        else:
            oauth_parameters[name] = value  # the query's oauth_consumer_key lands on the same key
    base = create_signature_base(method, url, normalise_request_params(oauth_parameters))
    ordered = _sorted(_pairs(oauth_parameters))
    ordered.append(["oauth_signature", create_signature(base, consumer_secret, token_secret)])
    return ordered


def build_authorization_header(ordered: list[list[str]]) -> str:
    """``_buildAuthorizationHeaders``: every ``oauth_*`` parameter, comma-separated."""
    return "OAuth " + ",".join(
        f'{encode_data(name)}="{encode_data(value)}"'
        for name, value in ordered
        if name.startswith("oauth_")
    )


def signed_get(
    host: str,
    path: str,
    params: dict,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str | None = None,
    token_secret: str | None = None,
    scheme: str = "https",
) -> requests.PreparedRequest:
    """A GET as ``7digital-api``'s ``dispatchSecure`` sends it through node-oauth's
    ``get``: ``https://host/path?params&oauth_consumer_key=...``, signed."""
    query = urlencode({**params, "oauth_consumer_key": consumer_key}, quote_via=quote)
    url = f"{scheme}://{host}{path}?{query}"
    ordered = prepare_parameters(consumer_key, consumer_secret, "GET", url, token, token_secret)
    return requests.Request(
        "GET",
        url,
        headers={
            "Authorization": build_authorization_header(ordered),
            "Host": host,
            "Accept": "*/*",
            "Connection": "close",
            "User-Agent": "Node authentication",
            "Content-length": "0",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    ).prepare()
