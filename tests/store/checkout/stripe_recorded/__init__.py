"""Stripe, answered from recorded responses: no network, the real ``stripe`` library.

The shop's StripeClient is given this HTTP client instead of its default one, so the
library builds real requests (form-encoded params, idempotency keys, retries) and
parses real response bodies. The bodies are responses recorded from Stripe's test mode
(the JSON files beside this module), with the fields a request sets filled in from
that request, the way stripe-mock echoes them; sessions keep their state between calls
so that paying, expiring and refunding behave as they do at Stripe.
"""

from __future__ import annotations

import copy
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

HERE = Path(__file__).parent


def recorded(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class RecordedStripe(stripe.HTTPClient):
    name = "recorded"

    def __init__(self, webhook_secret: str) -> None:
        super().__init__()
        self.webhook_secret = webhook_secret
        self.requests: list[Request] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []
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

    def pay(self, session_id: str, *, payment_status: str = "paid") -> dict:
        """The customer pays on Stripe's page (``unpaid``: a slower method still on its way)."""
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status=payment_status,
            payment_intent=f"pi_3Qp{secrets.token_hex(10)}",
            customer_details={"email": session["customer_email"], "name": "Test Listener"},
        )
        return session

    def event(self, kind: str, session_id: str, *, timestamp: int | None = None):
        """A webhook delivery for ``session_id``: (body, Stripe-Signature header)."""
        event = recorded("event")
        event.update(id=f"evt_1Qp{secrets.token_hex(8)}", type=kind)
        event["data"]["object"] = copy.deepcopy(self.sessions[session_id])
        body = json.dumps(event)
        signature = stripe.WebhookSignature.generate_signature_header(
            body, self.webhook_secret, timestamp=timestamp
        )
        return body, signature

    # -- the HTTPClient interface ------------------------------------------------------

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0  # the library's retries, without the waiting

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or ""))
        headers = dict(headers or {})
        self.requests.append(Request(method, parts.path, params, headers))
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
                return status, recorded(error)
        return None

    def close(self) -> None:
        pass

    def _answer(self, status: int, body: dict):
        headers = {"request-id": f"req_{secrets.token_hex(7)}", "content-type": "application/json"}
        return json.dumps(body), status, headers

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        segments = path.strip("/").split("/")
        if method == "post" and segments == ["v1", "checkout", "sessions"]:
            return 200, self._session_create(params)
        if segments[:3] == ["v1", "checkout", "sessions"] and len(segments) >= 4:
            session = self.sessions.get(segments[3])
            if session is None:
                return 404, self._missing("checkout.session", segments[3])
            if method == "get" and len(segments) == 4:
                return 200, session
            if method == "post" and segments[4:] == ["expire"]:
                if session["status"] != "open":
                    error = recorded("error_session_not_open")
                    error["error"]["message"] = error["error"]["message"].replace(
                        '"complete"', f'"{session["status"]}"'
                    )
                    return 400, error
                session["status"] = "expired"
                return 200, session
        if method == "post" and segments == ["v1", "refunds"]:
            return 200, self._refund_create(params)
        if method == "get" and segments == ["v1", "refunds"]:
            made = [r for r in self.refunds if r["payment_intent"] == params.get("payment_intent")]
            return 200, {"object": "list", "data": made[::-1], "has_more": False, "url": path}
        return 404, self._missing("route", path)

    def _missing(self, kind: str, name: str) -> dict:
        return {
            "error": {
                "code": "resource_missing",
                "message": f"No such {kind}: '{name}'",
                "type": "invalid_request_error",
            }
        }

    def _session_create(self, params: dict[str, str]) -> dict:
        session = recorded("checkout_session")
        session_id = f"cs_test_a1{secrets.token_hex(28)}"
        number = params["client_reference_id"]
        amounts = [
            int(params[f"line_items[{i}][price_data][unit_amount]"])
            * int(params[f"line_items[{i}][quantity]"])
            for i in range(len({k for k in params if k.endswith("[price_data][unit_amount]")}))
        ]
        session.update(
            id=session_id,
            url=f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
            client_reference_id=number,
            customer_email=params.get("customer_email"),
            metadata={"order_number": params.get("metadata[order_number]")},
            currency=params["line_items[0][price_data][currency]"],
            amount_subtotal=sum(amounts),
            amount_total=sum(amounts),
            expires_at=int(params["expires_at"]),
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
        )
        self.sessions[session_id] = session
        return session

    def _refund_create(self, params: dict[str, str]) -> dict:
        refund = recorded("refund")
        refund.update(
            id=f"re_3Qp{secrets.token_hex(10)}",
            amount=int(params["amount"]),
            payment_intent=params["payment_intent"],
            metadata={
                "order_number": params.get("metadata[order_number]"),
                "reference": params.get("metadata[reference]"),
            },
            reason=params.get("reason"),
        )
        self.refunds.append(refund)
        return refund
