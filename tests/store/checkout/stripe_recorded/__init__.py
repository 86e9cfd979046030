"""Stripe, answered from recorded responses: no network, the real ``stripe`` library.

The shop's StripeClient is given this HTTP client instead of its default one, so the
library builds real requests (form-encoded params, idempotency keys, retries) and
parses real response bodies. The bodies are responses recorded from Stripe's test mode
(the JSON files beside this module), with the fields a request sets filled in from
that request, the way stripe-mock echoes them; sessions keep their state between calls
so that paying, expiring and refunding behave as they do at Stripe. The plumbing
(requests, idempotency replays, injected failures, webhook signing) is
``tests.stripe_recorded.RecordedStripeBase``; this harness adds checkout's routes.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.stripe_recorded import RecordedStripeBase, Request, read_recorded

__all__ = ["HERE", "RecordedStripe", "Request", "recorded"]

HERE = Path(__file__).parent


def recorded(name: str) -> dict:
    return read_recorded(HERE, name)


class RecordedStripe(RecordedStripeBase):
    name = "recorded"
    recorded_dir = HERE

    def __init__(self, webhook_secret: str) -> None:
        super().__init__(webhook_secret)
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []

    # -- what the tests arrange and read -----------------------------------------------

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
        return self._signed_event(kind, self.sessions[session_id], timestamp=timestamp)

    # -- Stripe's routes, as far as checkout asks them ---------------------------------

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
            return 200, self._list(made[::-1], path)
        return 404, self._missing("route", path)

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
