"""The fake Stripe of CI (``scripts/fake_stripe.py``), over real sockets, driven by the
shop's own Stripe Checkout gateway and the official ``stripe`` library: a customer pays
on its page, the signed webhook and the return both pay the order, which is delivered;
leaving and cancelling expires the session; refunds are made once per reference."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import stripe

from scripts.fake_stripe import FakeStripe, parse_form
from store.checkout import services
from store.checkout.gateways import PaymentError, stripe_checkout
from store.checkout.gateways.stripe_checkout import StripeGateway, minor_units
from store.checkout.models import Order
from tests.store.conftest import NO_SURPRISES, add, make_customer

SECRET = "whsec_fake_stripe_test"
WEBHOOK = "/checkout/stripe/webhook/"
SITE = "https://shop.example.com"

# The customer's browser: no proxies from the environment, redirects shown, not followed.
_NoRedirect = type("_NoRedirect", (urllib.request.HTTPRedirectHandler,), {})
_NoRedirect.redirect_request = lambda self, *args, **kwargs: None
browser = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def browser_get(url: str) -> tuple[int, str | None, bytes]:
    try:
        with browser.open(url, timeout=10) as response:
            return response.status, response.headers.get("Location"), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location"), exc.read()


def local(url: str) -> str:
    """The shop's own part of an absolute URL, for the Django test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Inbox:
    """The shop's webhook endpoint as the fake sees it: records each delivery, and
    answers the first ``failures`` of them 500."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[tuple[bytes, str]] = []
        inbox, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    inbox.received.append((body, self.headers["Stripe-Signature"]))
                    status = 500 if len(inbox.received) <= failures else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{WEBHOOK}"

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[bytes, str]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def inbox():
    inbox = Inbox()
    yield inbox
    inbox.close()


def started_fake(webhook_url: str) -> FakeStripe:
    fake = FakeStripe(port=0, webhook_url=webhook_url, webhook_secret=SECRET).start()
    fake.retry_delays = (0.05, 0.05, 0.05)
    return fake


@pytest.fixture
def fake(inbox):
    fake = started_fake(inbox.url)
    yield fake
    fake.stop()


@pytest.fixture
def api(fake):
    """The official library, pointed at the fake as the shop points it."""
    return stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})


# -- the shop, end to end --------------------------------------------------------------


@pytest.fixture
def shop(settings, fake, monkeypatch):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.SITE_URL = SITE
    monkeypatch.setattr(stripe_checkout, "http_client", None)  # the library's own, over HTTP


@pytest.fixture
def customer(client, sandbox_for_store, shop):
    user = make_customer("listener@example.com")
    client.force_login(user)
    return user


def checkout(client) -> tuple[str, Order]:
    """The customer presses "Continue to payment": (where they are sent, the order)."""
    add(client, release=NO_SURPRISES)
    response = client.post("/checkout/", {})
    assert response.status_code == 302
    return response.url, Order.objects.latest("pk")


db = pytest.mark.django_db(databases=["default", "sandbox"])


@db
def test_a_customer_pays_on_the_fake_page_and_the_signed_webhook_pays_the_order(
    client, customer, fake, inbox, queue, django_capture_on_commit_callbacks
):
    pay_url, order = checkout(client)
    session_id = order.payment_reference
    assert session_id.startswith("cs_test_")
    assert pay_url == f"{fake.url}/pay/{session_id}"
    assert services.order_payment_url(order=order) == pay_url  # read back through the library

    status, location, _ = browser_get(pay_url)

    assert status == 303
    assert location == f"{SITE}/checkout/stripe/return/{order.number}/?session_id={session_id}"
    ((body, signature),) = inbox.wait_for(1)
    event = stripe.Webhook.construct_event(body, signature, SECRET)
    paid = event.data.object
    assert event.type == "checkout.session.completed"
    assert (paid.id, paid.status, paid.payment_status) == (session_id, "complete", "paid")
    assert paid.amount_total == minor_units(order.total, order.currency)
    assert paid.currency == order.currency.lower()
    assert paid.client_reference_id == order.number
    assert paid.metadata.to_dict() == {"order_number": order.number}
    assert paid.payment_intent.startswith("pi_test_")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
        back = client.get(local(location))

    assert response.status_code == 200
    assert back.status_code == 302 and back.url == order.get_absolute_url()
    order.refresh_from_db()
    assert order.is_paid and order.payment_reference == paid.payment_intent
    queue.deliver_all()
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETE
    assert json.loads(browser_get(f"{fake.url}/_fake/events")[2])["delivered"] == 1


@db
def test_the_customers_return_alone_pays_the_order_by_asking_the_fake(
    client, customer, fake, django_capture_on_commit_callbacks
):
    pay_url, order = checkout(client)
    session_id = order.payment_reference
    _, location, _ = browser_get(pay_url)  # the webhook reaches the inbox, not the shop

    with django_capture_on_commit_callbacks(execute=True):
        client.get(local(location))

    order.refresh_from_db()
    assert order.is_paid
    assert order.payment_reference == fake.sessions[session_id]["payment_intent"]


@db
def test_leaving_the_fake_page_and_cancelling_expires_the_session(client, customer, fake, inbox):
    pay_url, order = checkout(client)
    session_id = order.payment_reference

    status, location, _ = browser_get(f"{pay_url}?cancel=1")

    assert status == 303 and location == f"{SITE}/checkout/stripe/cancel/{order.number}/"
    assert fake.sessions[session_id]["status"] == "open"
    client.post(local(location))  # "Cancel the payment"
    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert fake.sessions[session_id]["status"] == "expired"
    ((body, signature),) = inbox.wait_for(1)
    assert stripe.Webhook.construct_event(body, signature, SECRET).type == (
        "checkout.session.expired"
    )
    with pytest.raises(stripe.InvalidRequestError, match='has a status of "expired"'):
        stripe_checkout.stripe_client().v1.checkout.sessions.expire(session_id)
    assert browser_get(pay_url)[0] == 410  # too late to pay


@db
def test_refunds_are_made_once_per_reference_and_never_beyond_the_payment(
    client, customer, fake, django_capture_on_commit_callbacks
):
    pay_url, order = checkout(client)
    _, location, _ = browser_get(pay_url)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(local(location))
    order.refresh_from_db()

    made = StripeGateway().refund(order=order, amount=order.total, reference="refund-1")
    again = StripeGateway().refund(order=order, amount=order.total, reference="refund-1")

    assert made == again and made.startswith("re_test_")
    (refund,) = fake.refunds
    assert refund["payment_intent"] == order.payment_reference
    assert refund["amount"] == minor_units(order.total, order.currency)
    assert refund["metadata"] == {"order_number": order.number, "reference": "refund-1"}
    with pytest.raises(PaymentError, match="has already been refunded"):
        StripeGateway().refund(order=order, amount=order.total, reference="refund-2")


# -- the fake on its own ---------------------------------------------------------------


def session_params(**extra) -> dict:
    return {
        "mode": "payment",
        "client_reference_id": "A1",
        "success_url": "https://shop.test/ok?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.test/no",
        "metadata": {"order_number": "A1"},
        "payment_intent_data": {"metadata": {"order_number": "A1"}},
        "line_items": [
            {"quantity": 2, "price_data": {"currency": "gbp", "unit_amount": 79}},
            {"quantity": 1, "price_data": {"currency": "gbp", "unit_amount": 99}},
        ],
        **extra,
    }


def test_stripes_form_keys_become_nested_dicts_and_lists():
    pairs = [
        ("line_items[0][price_data][currency]", "gbp"),
        ("line_items[1][quantity]", "1"),
        ("line_items[0][quantity]", "2"),
        ("metadata[order]", "A1"),
        ("metadata[0]", "stays a dict"),
        ("expand[]", "payment_intent"),
        ("expand[]", "customer"),
        ("mode", "payment"),
    ]

    assert parse_form(pairs) == {
        "line_items": [{"price_data": {"currency": "gbp"}, "quantity": "2"}, {"quantity": "1"}],
        "metadata": {"order": "A1", "0": "stays a dict"},
        "expand": ["payment_intent", "customer"],
        "mode": "payment",
    }


def test_a_session_totals_its_lines_and_an_idempotency_key_replays_its_first_answer(api):
    created = api.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1"}
    )
    repeated = api.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1"}
    )

    assert created.id == repeated.id and created.id.startswith("cs_test_")
    assert (created.amount_total, created.currency, created.status) == (257, "gbp", "open")
    assert created.payment_status == "unpaid"
    with pytest.raises(stripe.IdempotencyError):
        api.v1.checkout.sessions.create(
            params=session_params(client_reference_id="B2"), options={"idempotency_key": "k1"}
        )


def test_a_paid_session_expands_its_payment_intent(api, fake):
    session = api.v1.checkout.sessions.create(params=session_params())
    browser_get(session.url)

    read = api.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})

    assert read.payment_intent.object == "payment_intent"
    assert read.payment_intent.amount == 257
    assert read.payment_intent.metadata.to_dict() == {"order_number": "A1"}
    assert api.v1.payment_intents.retrieve(read.payment_intent.id).status == "succeeded"


def test_errors_come_in_stripes_shape(fake, api):
    status, _, body = browser_get(f"{fake.url}/v1/checkout/sessions/cs_test_x")
    assert status == 401 and json.loads(body)["error"]["type"] == "invalid_request_error"
    with pytest.raises(stripe.AuthenticationError):
        stripe.StripeClient("pk_test_x", base_addresses={"api": fake.url}).v1.refunds.list()
    with pytest.raises(stripe.InvalidRequestError, match=r"No such checkout\.session"):
        api.v1.checkout.sessions.retrieve("cs_test_missing")
    with pytest.raises(stripe.InvalidRequestError, match="Unrecognized request URL"):
        api.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent"):
        api.v1.refunds.create(params={"payment_intent": "pi_test_missing", "amount": 1})
    with pytest.raises(stripe.InvalidRequestError, match="Missing required param: line_items"):
        api.v1.checkout.sessions.create(params=session_params(line_items=[]))


def test_a_failed_webhook_is_retried_until_it_is_delivered():
    inbox = Inbox(failures=2)
    fake = started_fake(inbox.url)
    try:
        api = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        browser_get(api.v1.checkout.sessions.create(params=session_params()).url)

        wait_until(lambda: fake.deliveries()["delivered"] == 1)

        (event,) = fake.deliveries()["events"]
        assert (event["status"], event["attempts"]) == ("delivered", 3)
        bodies = {body for body, _ in inbox.received}
        assert len(inbox.received) == 3 and len(bodies) == 1  # the same event each time
        for body, signature in inbox.received:
            stripe.Webhook.construct_event(body, signature, SECRET)
    finally:
        fake.stop()
        inbox.close()


def test_a_webhook_nobody_answers_is_given_up_after_a_few_tries():
    nobody = Inbox()
    nobody.close()  # the port is free again: connections are refused
    fake = started_fake(nobody.url)
    try:
        api = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        session = api.v1.checkout.sessions.create(params=session_params())
        status, location, _ = browser_get(session.url)

        wait_until(lambda: fake.deliveries()["failed"] == 1)

        assert status == 303 and location.startswith("https://shop.test/ok?session_id=cs_test_")
        deliveries = fake.deliveries()
        assert (deliveries["failed"], deliveries["delivered"]) == (1, 0)
        assert deliveries["events"][0]["attempts"] == 1 + len(fake.retry_delays)
    finally:
        fake.stop()
