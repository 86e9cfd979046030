"""Stripe Billing, answered from recorded responses: no network, the real ``stripe`` library.

As checkout's ``RecordedStripe``: the shop's StripeClient is given this HTTP client, so
the library builds real requests (form-encoded params, ``expand[]``, idempotency keys,
retries) and parses real bodies. The bodies are Stripe's objects for the API version the
library pins (2026-10-28.endive: a subscription's period on its items, an invoice's
subscription under ``parent``, its payments as InvoicePayment objects), in the JSON files
beside this module, with the fields a request sets filled in from it. Subscriptions and
sessions keep their state between calls, so cancelling and resuming read back. The
plumbing (requests, idempotency replays, injected failures, webhook signing) is
``tests.stripe_recorded.RecordedStripeBase``; this harness adds Billing's routes.
"""

from __future__ import annotations

import copy
import secrets
from pathlib import Path

from tests.stripe_recorded import RecordedStripeBase, Request, read_recorded

__all__ = ["HERE", "RecordedBilling", "Request", "recorded"]

HERE = Path(__file__).parent


def recorded(name: str) -> dict:
    return read_recorded(HERE, name)


class RecordedBilling(RecordedStripeBase):
    name = "recorded-billing"
    recorded_dir = HERE

    def __init__(self, webhook_secret: str) -> None:
        super().__init__(webhook_secret)
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.prices: list[dict] = []

    # -- what the tests arrange and read -----------------------------------------------

    def subscription(self, name: str, **changes) -> dict:
        """Stripe holds the recorded subscription ``name`` (with ``changes``), and its
        latest invoice when that is recorded too."""
        subscription = recorded(name)
        subscription.update(changes)
        self.subscriptions[subscription["id"]] = subscription
        return subscription

    def invoice(self, name: str, **changes) -> dict:
        invoice = recorded(name)
        invoice.update(changes)
        self.invoices[invoice["id"]] = invoice
        return invoice

    def complete(self, session_id: str, subscription: dict) -> dict:
        """The customer subscribes on Stripe's page: the session made ``subscription``."""
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status="no_payment_required"
            if subscription["status"] == "trialing"
            else "paid",
            subscription=subscription["id"],
            customer=subscription["customer"],
            invoice=subscription["latest_invoice"],
        )
        return session

    def event(self, kind: str, obj: dict, *, secret: str | None = None) -> tuple[str, str]:
        """A webhook delivery of ``obj``: (body, Stripe-Signature header)."""
        return self._signed_event(kind, obj, secret=secret)

    # -- Stripe Billing's routes, as far as the shop asks them -------------------------

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        segments = path.strip("/").split("/")[1:]  # without "v1"
        expand = {value for key, value in params.items() if key.startswith("expand[")}
        if method == "post" and segments == ["prices"]:
            return 200, self._price_create(params)
        if method == "get" and segments == ["prices"]:
            keys = {value for key, value in params.items() if key.startswith("lookup_keys[")}
            found = [p for p in self.prices if p["lookup_key"] in keys and p["active"]]
            return 200, self._list(found[::-1], path)
        if method == "post" and segments == ["checkout", "sessions"]:
            return 200, self._session_create(params)
        if method == "get" and segments[:2] == ["checkout", "sessions"] and len(segments) == 3:
            session = self.sessions.get(segments[2])
            if session is None:
                return 404, self._missing("checkout.session", segments[2])
            session = copy.deepcopy(session)
            if "subscription" in expand and session["subscription"]:
                session["subscription"] = self._expanded(
                    self.subscriptions[session["subscription"]],
                    {e.removeprefix("subscription.") for e in expand},
                )
            return 200, session
        if segments[:1] == ["subscriptions"] and len(segments) == 2:
            subscription = self.subscriptions.get(segments[1])
            if subscription is None:
                return 404, recorded("error_resource_missing")
            if method == "post" and "cancel_at_period_end" in params:
                at_end = params["cancel_at_period_end"] == "true"
                period_end = subscription["items"]["data"][0]["current_period_end"]
                subscription.update(
                    cancel_at_period_end=at_end,
                    cancel_at=period_end if at_end else None,
                    canceled_at=subscription["created"] + 20 * 86400 if at_end else None,
                )
            return 200, self._expanded(subscription, expand)
        if method == "post" and segments == ["billing_portal", "sessions"]:
            portal = recorded("billing_portal_session")
            portal.update(customer=params["customer"], return_url=params["return_url"])
            return 200, portal
        if method == "get" and segments == ["invoices"]:
            found = [
                i
                for i in self.invoices.values()
                if i["parent"]["subscription_details"]["subscription"] == params.get("subscription")
                and i["status"] == params.get("status", i["status"])
            ]
            return 200, self._list(found[::-1], path)
        if method == "get" and segments == ["invoice_payments"]:
            invoice = self.invoices.get(params.get("invoice", ""))
            payments = []
            if invoice and invoice["status"] == "paid":
                payment = recorded("invoice_payment")
                payment.update(invoice=invoice["id"], amount_paid=invoice["amount_paid"])
                payments.append(payment)
            return 200, self._list(payments, path)
        if method == "post" and segments == ["refunds"]:
            return 200, self._refund_create(params)
        if method == "get" and segments == ["refunds"]:
            made = [r for r in self.refunds if r["payment_intent"] == params.get("payment_intent")]
            return 200, self._list(made[::-1], path)
        return 404, self._missing("route", path)

    def _expanded(self, subscription: dict, expand: set[str]) -> dict:
        subscription = copy.deepcopy(subscription)
        invoice = self.invoices.get(subscription["latest_invoice"] or "")
        if "latest_invoice" in expand and invoice:
            subscription["latest_invoice"] = copy.deepcopy(invoice)
        return subscription

    def _price_create(self, params: dict[str, str]) -> dict:
        price = recorded("price")
        price_id = f"price_1Qp{secrets.token_hex(10)}"
        price.update(
            id=price_id,
            currency=params["currency"],
            unit_amount=int(params["unit_amount"]),
            unit_amount_decimal=params["unit_amount"],
            lookup_key=params.get("lookup_key"),
            metadata={"lookup_key": params.get("metadata[lookup_key]")},
            product=f"prod_{secrets.token_hex(7)}",
        )
        price["recurring"]["interval"] = params["recurring[interval]"]
        if params.get("transfer_lookup_key") == "true":
            for older in self.prices:
                if older["lookup_key"] == price["lookup_key"]:
                    older["lookup_key"] = None
        self.prices.append(price)
        return price

    def _session_create(self, params: dict[str, str]) -> dict:
        session = recorded("checkout_session_subscription")
        session_id = f"cs_test_b1{secrets.token_hex(28)}"
        session.update(
            id=session_id,
            url=f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
            mode=params["mode"],
            client_reference_id=params.get("client_reference_id"),
            customer=params.get("customer"),
            customer_email=params.get("customer_email"),
            metadata={"client_reference": params.get("metadata[client_reference]")},
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
        )
        self.sessions[session_id] = session
        return session

    def _refund_create(self, params: dict[str, str]) -> dict:
        refund = recorded("refund")
        refund.update(
            id=f"re_3Qp{secrets.token_hex(10)}",
            payment_intent=params["payment_intent"],
            metadata={
                key.removeprefix("metadata[").removesuffix("]"): value
                for key, value in params.items()
                if key.startswith("metadata[")
            },
            reason=params.get("reason"),
        )
        self.refunds.append(refund)
        return refund
