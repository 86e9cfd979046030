"""Test doubles for the client: an in-process transport and an OAuth verifier.

``FakeTransport`` is a ``requests`` adapter: the client under test sends through
it exactly as through a socket, and it answers from a queue of canned responses
(reference examples, error pages, dropped connections) while recording every
request for assertions. ``OAuthVerifier`` checks signatures with oauthlib's
*server* side, an implementation independent of the signing one.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from oauthlib.oauth1 import RequestValidator, ResourceEndpoint, SignatureOnlyEndpoint
from requests.structures import CaseInsensitiveDict

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"

CONSUMER_KEY = "test-consumer-key"
CONSUMER_SECRET = "test-consumer-secret"
ACCESS_TOKEN = "test-access-token"
ACCESS_SECRET = "test-access-secret"
BASE_URL = "http://sevendigital.test"


def header_text(value: str | bytes) -> str:
    """requests-oauthlib leaves some header values as bytes; compare them as text."""
    return value.decode() if isinstance(value, bytes) else value


def header(request: requests.PreparedRequest, name: str) -> str:
    return header_text(request.headers.get(name, ""))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def content_type_for(name: str) -> str:
    return (
        "application/json; charset=utf-8"
        if name.endswith(".json")
        else ("application/xml; charset=utf-8")
    )


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    raise_exc: BaseException | None = None


class FakeTransport(requests.adapters.BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.queue: deque[Canned | Callable[[requests.PreparedRequest], Canned]] = deque()
        self.requests: list[requests.PreparedRequest] = []
        self.send_options: list[dict[str, Any]] = []  # proxies, verify, cert, timeout...
        self.default: Canned | None = None

    # -- scripting -----------------------------------------------------------

    def reply(
        self,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str = "application/xml; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> FakeTransport:
        if isinstance(body, str):
            body = body.encode()
        all_headers = {"Content-Type": content_type, **(headers or {})}
        self.queue.append(Canned(status, body, all_headers))
        return self

    def reply_fixture(self, name: str, **kwargs: Any) -> FakeTransport:
        return self.reply(fixture(name), content_type=content_type_for(name), **kwargs)

    def reply_json(self, data: Any, **kwargs: Any) -> FakeTransport:
        return self.reply(json.dumps(data), content_type="application/json", **kwargs)

    def fail(self, exc: BaseException) -> FakeTransport:
        self.queue.append(Canned(raise_exc=exc))
        return self

    def error(self, code: int, message: str, *, status: int) -> FakeTransport:
        body = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<response status="error" version="1.2">'
            f'<error code="{code}"><errorMessage>{message}</errorMessage></error></response>'
        )
        return self.reply(body, status=status)

    # -- adapter -------------------------------------------------------------

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requests.append(request)
        self.send_options.append(kwargs)
        if self.queue:
            canned = self.queue.popleft()
        elif self.default is not None:
            canned = self.default
        else:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        if callable(canned):
            canned = canned(request)
        if canned.raise_exc is not None:
            raise canned.raise_exc
        response = requests.Response()
        response.status_code = canned.status
        response.headers = CaseInsensitiveDict(canned.headers)
        response._content = canned.body
        response._content_consumed = True
        response.request = request
        response.url = request.url or ""
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass

    @property
    def last(self) -> requests.PreparedRequest:
        return self.requests[-1]


class _Validator(RequestValidator):
    """Knows one consumer and one access token; accepts each nonce once."""

    enforce_ssl = False

    def __init__(self) -> None:
        super().__init__()
        self.nonces: set[tuple[str, str, str]] = set()

    # oauthlib's default key format checks (length 20-30, safe characters) are
    # policy for a real provider; the sandbox keys are shorter.
    def check_client_key(self, client_key: str) -> bool:
        return bool(client_key)

    def check_access_token(self, request_token: str) -> bool:
        return bool(request_token)

    def check_nonce(self, nonce: str) -> bool:
        return bool(nonce)

    @property
    def dummy_client(self) -> str:
        return "dummy-client"

    @property
    def dummy_access_token(self) -> str:
        return "dummy-token"

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy-secret"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, **kwargs):
        key = (client_key, timestamp, nonce)
        if key in self.nonces:
            return False
        self.nonces.add(key)
        return True

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token == ACCESS_TOKEN

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return ACCESS_SECRET if token == ACCESS_TOKEN else "dummy-secret"

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True


class OAuthVerifier:
    """Verifies a prepared request the way an OAuth 1.0 provider would."""

    def __init__(self) -> None:
        self.validator = _Validator()

    def verify(self, request: requests.PreparedRequest, *, three_legged: bool = False) -> bool:
        endpoint = (
            ResourceEndpoint(self.validator)
            if three_legged
            else SignatureOnlyEndpoint(self.validator)
        )
        body = request.body
        if isinstance(body, bytes):
            body = body.decode()
        headers = {k: header_text(v) for k, v in request.headers.items()}
        valid, _ = (
            endpoint.validate_protected_resource_request(request.url, request.method, body, headers)
            if three_legged
            else endpoint.validate_request(request.url, request.method, body, headers)
        )
        return valid
