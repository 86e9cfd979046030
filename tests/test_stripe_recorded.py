"""The shared recorded-Stripe plumbing, through the real ``stripe`` library."""

from __future__ import annotations

import json

import pytest
import stripe

from tests.stripe_recorded import RecordedStripeBase, read_recorded

SECRET = "whsec_base_test_secret"


class Customers(RecordedStripeBase):
    """A harness with one route: customers, made and listed."""

    def __init__(self, webhook_secret: str) -> None:
        super().__init__(webhook_secret)
        self.customers: list[dict] = []

    def _route(self, method, path, params):
        if method == "post" and path == "/v1/customers":
            customer = {"id": f"cus_{len(self.customers)}", "object": "customer", **params}
            self.customers.append(customer)
            return 200, customer
        if method == "get" and path == "/v1/customers":
            return 200, self._list(self.customers, path)
        return 404, self._missing("route", path)


@pytest.fixture
def harness(tmp_path):
    error = {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}
    (tmp_path / "error_api.json").write_text(json.dumps(error))
    event = {"id": "evt_x", "object": "event", "type": "", "data": {"object": {}}}
    (tmp_path / "event.json").write_text(json.dumps(event))
    harness = Customers(webhook_secret=SECRET)
    harness.recorded_dir = tmp_path
    return harness


@pytest.fixture
def client(harness):
    return stripe.StripeClient("sk_test_base", http_client=harness, max_network_retries=2)


def test_requests_are_parsed_kept_and_routed(client, harness):
    made = client.v1.customers.create({"email": "a@example.com", "metadata": {"n": "1"}})
    listed = client.v1.customers.list({"limit": 3})

    assert made.id == "cus_0"
    assert [c.id for c in listed.data] == ["cus_0"]
    (post,) = harness.calls("post", "/v1/customers")
    assert post.params == {"email": "a@example.com", "metadata[n]": "1"}
    assert post.headers["Idempotency-Key"]
    (get,) = harness.calls("get", "/v1/customers")
    assert get.params == {"limit": "3"}


def test_an_unknown_route_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.products.retrieve("prod_x")

    assert raised.value.code == "resource_missing"


def test_a_failure_is_answered_as_many_times_as_asked(client, harness):
    harness.fail("get", "/v1/customers", 500, "error_api", times=2)

    listed = client.v1.customers.list()

    assert len(harness.calls("get", "/v1/customers")) == 3  # two 500s, then the answer
    assert listed.data == []
    assert harness._failures == []


def test_a_keys_first_answer_is_the_answer(client, harness):
    made = client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "k1"})
    again = client.v1.customers.create({"email": "b@example.com"}, {"idempotency_key": "k1"})

    assert made.id == again.id == "cus_0"
    assert again.email == "a@example.com"
    assert len(harness.customers) == 1


def test_a_failure_replayed_under_its_key_stays_a_failure(harness):
    client = stripe.StripeClient("sk_test_base", http_client=harness, max_network_retries=0)
    harness.fail("post", "/v1/customers", 500, "error_api")

    for _ in range(2):
        with pytest.raises(stripe.APIError):
            client.v1.customers.create({}, {"idempotency_key": "k2"})

    assert harness.customers == []


def test_a_lost_reply_is_done_then_retried_under_the_same_key(client, harness):
    harness.lose_replies("post", "/v1/customers", times=1)

    made = client.v1.customers.create({"email": "a@example.com"})

    first, second = harness.calls("post", "/v1/customers")
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert made.id == "cus_0"
    assert len(harness.customers) == 1


def test_unreachable_stripe_refuses_every_try(client, harness):
    harness.unreachable = True

    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})

    assert len(harness.calls("post", "/v1/customers")) == 3
    assert harness.customers == []


def test_signed_events_verify_with_the_secret_given(harness):
    body, signature = harness._signed_event("customer.created", {"id": "cus_9"})
    event = stripe.Webhook.construct_event(body, signature, SECRET)
    other_body, other_signature = harness._signed_event("x", {}, secret="whsec_other")

    assert event.type == "customer.created"
    assert event.data.object.id == "cus_9"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(other_body, other_signature, SECRET)
    stripe.Webhook.construct_event(other_body, other_signature, "whsec_other")


def test_an_old_timestamp_fails_verification(harness):
    body, signature = harness._signed_event("x", {}, timestamp=1)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, SECRET)


def test_recorded_bodies_are_fresh_copies(tmp_path, harness):
    first = read_recorded(tmp_path, "event")
    first["data"]["object"]["changed"] = True

    assert read_recorded(tmp_path, "event")["data"]["object"] == {}
