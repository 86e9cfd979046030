"""A stand-in for Stripe's API, just big enough for the shop's Stripe Checkout gateway.

For CI, which runs the production settings (they refuse the test gateway) end to end with
``PAYMENT_GATEWAY=stripe`` and ``STRIPE_API_BASE`` pointing here: the customer is sent to
this server's ``/pay/{id}`` instead of Stripe's page; opening it pays at once, posts a
signed ``checkout.session.completed`` event to the shop's webhook (retried with backoff
if the shop does not answer 2xx) and sends the customer to the session's success_url
(``?cancel=1``: to its cancel_url, unpaid). ``localstripe`` has no Checkout Sessions and
stripe-mock keeps no state, hence this. Answers are the responses recorded from Stripe's
test mode (``tests/store/checkout/stripe_recorded/``) with the request's fields filled in.

Serves: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id} (``expand[]``),
POST /v1/checkout/sessions/{id}/expire, GET /v1/payment_intents/{id}, POST /v1/refunds,
GET /v1/refunds?payment_intent=; GET /v1/subscriptions/{id} for the subscriptions a harness
put there (``subscription_set``: Stripe Billing's webhooks re-read them); and
GET /_fake/events (webhook deliveries, for a harness).
Checks for a ``Bearer sk_...`` key; replays an ``Idempotency-Key``'s first answer.

Does not do: card forms, declines, 3-D Secure or slower payment methods (every payment
succeeds at once); customers, prices or charges as objects; ``refund.*`` events, or an
expiry event when ``expires_at`` passes (the session just reads as expired); pagination
cursors, search, API versions, checks of parameters the gateway does not send. State is
in memory only. Never point production at it.

    python scripts/fake_stripe.py --port 0 --webhook-url URL --webhook-secret whsec_x
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

RECORDED = Path(__file__).resolve().parent.parent / "tests/store/checkout/stripe_recorded"
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # seconds before each retry, then the event is failed
FIRST_TRY_WAIT = 10.0  # /pay waits this long for the first delivery before redirecting
UNKNOWN = "Unrecognized request URL ({}: {}). Please see https://stripe.com/docs."
REUSED_KEY = "Keys for idempotent requests can only be used with the same parameters they were first used with."  # noqa: E501


def parse_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form keys into nested dicts and lists: ``a[b][0][c]=v``, ``expand[]=x``."""
    root: dict = {}
    for key, value in pairs:
        name, _, rest = key.partition("[")
        parts = [name, *(rest[:-1].split("][") if rest else [])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part or str(len(node)), {})
        node[parts[-1] or str(len(node))] = value
    return _listed(root)


def _listed(node, name: str = ""):
    """Dicts keyed 0, 1, 2... become lists (metadata stays a dict whatever its keys)."""
    if not isinstance(node, dict) or name == "metadata":
        return node
    node = {key: _listed(value, key) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def error(message: str, kind: str = "invalid_request_error", **extra) -> dict:
    return {"error": {"message": message, "type": kind, **extra}}


def missing(kind: str, name: str) -> tuple[int, dict]:
    return 404, error(f"No such {kind}: '{name}'", code="resource_missing")


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class FakeStripe:
    retry_delays = RETRY_DELAYS
    verbose = False  # log each request to stderr

    def __init__(self, port=0, webhook_url="", webhook_secret="", host="127.0.0.1", **options):
        """``options``: ``public_url`` (this server as browsers reach it), ``recorded``."""
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        recorded = Path(options.get("recorded") or RECORDED)
        self.recorded = {p.stem: json.loads(p.read_text()) for p in recorded.glob("*.json")}
        self.server = ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self
        self.public_url = (options.get("public_url") or self.url).rstrip("/")
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.replays: dict[str, tuple[dict, int, str]] = {}
        self.events: list[dict] = []
        self.subscriptions: dict[str, dict] = {}
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        self._serving = threading.Thread(target=self.server.serve_forever, args=(0.1,))
        self._serving.daemon = True
        self._serving.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # webhook retries give up
        if self._serving is not None:  # shutdown() would wait forever for a server never started
            self.server.shutdown()
        self.server.server_close()

    def template(self, name: str) -> dict:
        return copy.deepcopy(self.recorded[name])

    # -- the API ----------------------------------------------------------------------

    def api(self, method: str, path: str, params: dict, headers) -> tuple[int, str, dict]:
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return 401, json.dumps(error("You did not provide an API key.")), {}
        if not auth[7:].startswith(("sk_", "rk_")):
            return 401, json.dumps(error(f"Invalid API Key provided: {auth[7:15]}***")), {}
        key = headers.get("Idempotency-Key") if method == "POST" else None
        with self.lock:
            if key in self.replays:  # Stripe answers a key's first request again, errors too
                first, status, body = self.replays[key]
                if first != params:
                    return 400, json.dumps(error(REUSED_KEY, "idempotency_error")), {}
                return status, body, {"Idempotency-Key": key, "Idempotent-Replayed": "true"}
            status, answer = self.route(method, path, params)
            body = json.dumps(answer)  # a snapshot: the session changes later
            if key:
                self.replays[key] = (params, status, body)
        return status, body, {"Idempotency-Key": key} if key else {}

    def route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        match method, path.strip("/").split("/"):
            case "POST", ["v1", "checkout", "sessions"]:
                return self.session_create(params)
            case "GET", ["v1", "checkout", "sessions", session_id]:
                return self.session_read(session_id, params.get("expand") or [])
            case "POST", ["v1", "checkout", "sessions", session_id, "expire"]:
                return self.session_expire(session_id)
            case "GET", ["v1", "payment_intents", intent_id] if intent_id in self.intents:
                return 200, self.intents[intent_id]
            case "POST", ["v1", "refunds"]:
                return self.refund_create(params)
            case "GET", ["v1", "refunds"]:
                intent = params.get("payment_intent")
                made = [r for r in self.refunds if intent in (None, r["payment_intent"])]
                limit = min(int(params.get("limit", 10)), 100)
                listed = {"object": "list", "data": made[::-1][:limit], "url": "/v1/refunds"}
                return 200, {**listed, "has_more": len(made) > limit}
            case "GET", ["v1", "subscriptions", subscription_id] if (
                subscription_id in self.subscriptions
            ):
                return 200, self.subscriptions[subscription_id]
            case "GET", ["v1", kind, name]:
                return missing(kind.rstrip("s"), name)
        return 404, error(UNKNOWN.format(method, path))

    def subscription_set(self, subscription: dict) -> None:
        """Hold ``subscription`` (a Subscription object, as Stripe answers it) as its
        current state: what ``GET /v1/subscriptions/{id}`` answers from now on."""
        with self.lock:
            self.subscriptions[subscription["id"]] = copy.deepcopy(subscription)

    def session_create(self, params: dict) -> tuple[int, dict]:
        for name in ("mode", "line_items", "success_url"):
            if not params.get(name):
                return 400, error(f"Missing required param: {name}.", param=name)
        try:
            prices = [(item["price_data"], int(item["quantity"])) for item in params["line_items"]]
            total = sum(int(price["unit_amount"]) * quantity for price, quantity in prices)
        except (KeyError, TypeError, ValueError):
            return 400, error("This fake takes only line_items[][price_data] and [quantity].")
        now, session_id = int(time.time()), _new_id("cs")
        session = self.template("checkout_session")
        session.update(
            id=session_id,
            url=f"{self.public_url}/pay/{session_id}",
            created=now,
            expires_at=int(params.get("expires_at", now + 24 * 3600)),
            mode=params["mode"],
            locale=params.get("locale"),
            currency=prices[0][0]["currency"].lower(),
            amount_subtotal=total,
            amount_total=total,
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            metadata=params.get("metadata") or {},
            success_url=params.get("success_url"),  # {CHECKOUT_SESSION_ID} filled in on /pay
            cancel_url=params.get("cancel_url"),
            status="open",
            payment_status="unpaid",
            payment_intent=None,
            customer_details=None,
        )
        session["_intent_metadata"] = (params.get("payment_intent_data") or {}).get("metadata", {})
        self.sessions[session_id] = session
        return 200, self._public(session)

    def _session(self, session_id: str) -> dict | None:
        session = self.sessions.get(session_id)
        if session and session["status"] == "open" and time.time() >= session["expires_at"]:
            session["status"] = "expired"
        return session

    def _public(self, session: dict, expand=()) -> dict:
        shown = {key: value for key, value in session.items() if not key.startswith("_")}
        if "payment_intent" in expand and shown["payment_intent"]:
            shown["payment_intent"] = self.intents[shown["payment_intent"]]
        return copy.deepcopy(shown)

    def session_read(self, session_id: str, expand: list) -> tuple[int, dict]:
        session = self._session(session_id)
        if session is None:
            return missing("checkout.session", session_id)
        return 200, self._public(session, expand)

    def session_expire(self, session_id: str) -> tuple[int, dict]:
        session = self._session(session_id)
        if session is None:
            return self.session_read(session_id, [])
        if session["status"] != "open":
            answer = self.template("error_session_not_open")
            answer["error"]["message"] = answer["error"]["message"].replace(
                '"complete"', f'"{session["status"]}"'
            )
            return 400, answer
        session["status"] = "expired"
        self.webhook("checkout.session.expired", self._public(session))  # as Stripe does
        return 200, self._public(session)

    def refund_create(self, params: dict) -> tuple[int, dict]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return missing("payment_intent", params.get("payment_intent", ""))
        made = [r for r in self.refunds if r["payment_intent"] == intent["id"]]
        left = intent["amount"] - sum(r["amount"] for r in made if r["status"] == "succeeded")
        amount = int(params.get("amount", left))
        if left <= 0:
            answer = self.template("error_charge_already_refunded")
            answer["error"]["message"] = re.sub(
                r"ch_\w+", intent["latest_charge"], answer["error"]["message"]
            )
            return 400, answer
        if not 0 < amount <= left:
            message = (
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
            )
            return 400, error(message, param="amount")
        refund = self.template("refund")
        refund.update(
            id=_new_id("re"),
            amount=amount,
            currency=intent["currency"],
            charge=intent["latest_charge"],
            balance_transaction=_new_id("txn"),
            created=int(time.time()),
            payment_intent=intent["id"],
            metadata=params.get("metadata") or {},
            reason=params.get("reason"),
            status="succeeded",
        )
        self.refunds.append(refund)
        return 200, refund

    # -- the customer's page and the webhook --------------------------------------------

    def pay(self, session_id: str, cancel: bool) -> tuple[int, str]:
        """(status, Location or page text) for the customer at ``/pay/{id}``."""
        with self.lock:
            session = self._session(session_id)
            if session is None:
                return 404, "No such Checkout Session."
            if cancel:
                return (
                    (303, session["cancel_url"]) if session["cancel_url"] else (404, "No way back.")
                )
            if session["status"] == "expired":
                return 410, "This Checkout Session has expired."
            tried = None
            if session["status"] == "open":
                intent = self._intent(session)
                customer = {"email": session["customer_email"], "name": "Test Listener"}
                session.update(status="complete", payment_status="paid", customer_details=customer)
                session["payment_intent"] = intent["id"]
                tried = self.webhook("checkout.session.completed", self._public(session))
        if tried is not None:  # Stripe is usually that quick: let the webhook come first
            tried.wait(FIRST_TRY_WAIT)
        return 303, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)

    def _intent(self, session: dict) -> dict:
        intent_id, amount = _new_id("pi"), session["amount_total"]
        self.intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": session["currency"],
            "latest_charge": _new_id("ch"),
            "metadata": session["_intent_metadata"],
            "created": int(time.time()),
            "livemode": False,
            "status": "succeeded",
        }
        return self.intents[intent_id]

    def sign(self, payload: str, timestamp: int | None = None) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.{payload}".encode()
        digest = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def webhook(self, kind: str, obj: dict) -> threading.Event:
        """Queue a delivery of the event; the returned Event is set after the first try."""
        event = self.template("event")
        event.update(id=_new_id("evt"), type=kind, created=int(time.time()))
        event["data"]["object"] = obj
        record = dict(id=event["id"], type=kind, object=obj["id"], status="pending", attempts=0)
        tried = threading.Event()
        with self.lock:
            self.events.append(record)
        if not self.webhook_url:
            record["status"] = "skipped"
            tried.set()
        else:
            args = (json.dumps(event), record, tried)
            threading.Thread(target=self._deliver, args=args, daemon=True).start()
        return tried

    def _deliver(self, payload: str, record: dict, tried: threading.Event) -> None:
        for delay in (0, *self.retry_delays):
            if self.stopping.wait(delay):
                break
            request = urllib.request.Request(self.webhook_url, payload.encode(), method="POST")  # noqa: S310
            request.add_header("Content-Type", "application/json; charset=utf-8")
            request.add_header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            request.add_header("Stripe-Signature", self.sign(payload))  # fresh for each try
            try:
                with _opener.open(request, timeout=10):
                    failure = ""
            except urllib.error.HTTPError as exc:  # redirects too: Stripe does not follow them
                failure = f"HTTP {exc.code}"
            except OSError as exc:
                failure = str(exc)
            with self.lock:
                record.update(attempts=record["attempts"] + 1, error=failure)
                record["status"] = "pending" if failure else "delivered"
            tried.set()
            if not failure:
                return
        with self.lock:
            record["status"] = "failed"

    def deliveries(self) -> dict:
        with self.lock:
            events = copy.deepcopy(self.events)
        statuses = [event["status"] for event in events]
        counts = {status: statuses.count(status) for status in ("delivered", "failed", "pending")}
        return {**counts, "events": events}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies from the environment, no redirects followed.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-stripe"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake: FakeStripe = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {"Request-Id": f"req_{secrets.token_hex(7)}"}
        try:
            params = parse_form(parse_qsl(url.query, True) + parse_qsl(body, True))
            parts = url.path.strip("/").split("/")
            if method == "GET" and len(parts) == 2 and parts[0] == "pay":
                status, text = fake.pay(parts[1], cancel=params.get("cancel", "0") not in ("", "0"))
                if status == 303:
                    headers["Location"], text = text, ""
                return self._send(status, text, "text/plain; charset=utf-8", headers)
            if method == "GET" and url.path.rstrip("/") == "/_fake/events":
                status, text = 200, json.dumps(fake.deliveries())
            else:
                status, text, extra = fake.api(method, url.path, params, self.headers)
                headers.update(extra)
        except Exception as exc:  # a fake's bug, in Stripe's shape, so the shop says so
            status, text = 500, json.dumps(error(f"fake stripe: {exc!r}", "api_error"))
        self._send(status, text, "application/json", headers)

    def _send(self, status: int, text: str, content_type: str, headers: dict) -> None:
        data = text.encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": content_type}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        if self.server.fake.verbose:
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111, help="0 picks a free port")
    parser.add_argument("--webhook-url", default="", help="the shop's /checkout/stripe/webhook/")
    parser.add_argument("--webhook-secret", default="", help="STRIPE_WEBHOOK_SECRET")
    parser.add_argument("--public-url", default="", help="this server as browsers reach it")
    parser.add_argument("--recorded", default=str(RECORDED), help="the recorded responses")
    args = parser.parse_args(argv)
    options = {"public_url": args.public_url, "recorded": args.recorded}
    fake = FakeStripe(args.port, args.webhook_url, args.webhook_secret, args.host, **options)
    fake.verbose = True
    print(f"fake stripe listening on {fake.url}", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()


if __name__ == "__main__":
    main()
