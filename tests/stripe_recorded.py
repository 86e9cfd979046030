"""Stripe, answered from recorded responses: the plumbing every app's harness shares.

A harness is a ``stripe.HTTPClient`` the shop's StripeClient is given instead of its
default one, so the real ``stripe`` library builds real requests (form-encoded params,
``expand[]``, idempotency keys, retries) and parses real response bodies. This base
parses the requests and keeps them (``calls``), replays a key's first answer as Stripe
does, answers with injected failures (``fail``), drops replies (``lose_replies``) or the
whole connection (``unreachable``), and signs webhook events. Each app's harness
subclasses it with its own recorded JSON folder (``recorded_dir``) and its own routes
(``_route``): checkout's ``RecordedStripe`` and subscriptions' ``RecordedBilling``.
"""

from __future__ import annotations

import copy
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe


def read_recorded(folder: Path, name: str) -> dict:
    """The recorded response ``name`` in ``folder`` (a fresh copy each time)."""
    return json.loads((folder / f"{name}.json").read_text())


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class RecordedStripeBase(stripe.HTTPClient):
    """Shared plumbing; a subclass sets ``name`` and ``recorded_dir`` and writes ``_route``.

    ``recorded_dir`` holds the subclass's recorded bodies, including ``event.json`` (the
    envelope webhook deliveries are made from) and the errors ``fail`` is given by name.
    """

    name = "recorded"
    recorded_dir: Path

    def __init__(self, webhook_secret: str) -> None:
        super().__init__()
        self.webhook_secret = webhook_secret
        self.requests: list[Request] = []
        self.unreachable = False
        self._replays: dict[str, tuple[int, dict]] = {}
        self._failures: list[tuple[str, str, int, str]] = []
        self._lost: list[tuple[str, str]] = []

    # -- what the tests arrange and read -----------------------------------------------

    def fail(self, method: str, path_start: str, status: int, error: str, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with a recorded error."""
        self._failures.extend([(method, path_start, status, error)] * times)

    def lose_replies(self, method: str, path_start: str, times: int) -> None:
        """Do the next ``times`` matching requests, then drop the connection unanswered."""
        self._lost.extend([(method, path_start)] * times)

    def calls(self, method: str, path_start: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]

    # -- for subclasses ----------------------------------------------------------------

    def _recorded(self, name: str) -> dict:
        return read_recorded(self.recorded_dir, name)

    def _signed_event(
        self, kind: str, obj: dict, *, secret: str | None = None, timestamp: int | None = None
    ) -> tuple[str, str]:
        """A webhook delivery of ``obj``: (body, Stripe-Signature header)."""
        event = self._recorded("event")
        event.update(id=f"evt_1Qp{secrets.token_hex(8)}", type=kind)
        event["data"]["object"] = copy.deepcopy(obj)
        body = json.dumps(event)
        signature = stripe.WebhookSignature.generate_signature_header(
            body, secret or self.webhook_secret, timestamp=timestamp
        )
        return body, signature

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        """The (status, body) Stripe answers ``method`` ``path`` with ``params``."""
        raise NotImplementedError

    def _list(self, data: list[dict], url: str) -> dict:
        return {"object": "list", "data": data, "has_more": False, "url": url}

    def _missing(self, kind: str, name: str) -> dict:
        return {
            "error": {
                "code": "resource_missing",
                "message": f"No such {kind}: '{name}'",
                "type": "invalid_request_error",
            }
        }

    # -- the HTTPClient interface ------------------------------------------------------

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0  # the library's retries, without the waiting

    def close(self) -> None:
        pass

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or ""))
        headers = dict(headers or {})
        self.requests.append(Request(method, parts.path, params, headers))
        if self.unreachable:
            raise stripe.APIConnectionError("Connection refused", should_retry=True)
        key = headers.get("Idempotency-Key") if method == "post" else None
        if key in self._replays:
            # As Stripe does: a key's first answer, errors included, is the answer.
            status, body = self._replays[key]
        else:
            status, body = self._failure(method, parts.path) or self._route(
                method, parts.path, params
            )
            if key:
                self._replays[key] = (status, body)
        for index, (lost_method, start) in enumerate(self._lost):
            if lost_method == method and parts.path.startswith(start):
                del self._lost[index]
                raise stripe.APIConnectionError("Connection reset by peer", should_retry=True)
        return self._answer(status, body)

    def _failure(self, method: str, path: str) -> tuple[int, dict] | None:
        for index, (fail_method, start, status, error) in enumerate(self._failures):
            if fail_method == method and path.startswith(start):
                del self._failures[index]
                return status, self._recorded(error)
        return None

    def _answer(self, status: int, body: dict):
        headers = {"request-id": f"req_{secrets.token_hex(7)}", "content-type": "application/json"}
        return json.dumps(body), status, headers
