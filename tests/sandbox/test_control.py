"""The control API under /_sandbox/: faults, journal, reset, health, token."""

from __future__ import annotations

import pytest
import requests

from sandbox.transport import SandboxTransport
from sevendigital import errors

from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def control() -> requests.Session:
    session = requests.Session()
    session.mount("http://", SandboxTransport())
    return session


def add_fault(control, **fault) -> dict:
    response = control.post(f"{SANDBOX_URL}/_sandbox/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()["fault"]


def test_health_reports_ok_and_the_catalogue_size(control):
    body = control.get(f"{SANDBOX_URL}/_sandbox/health").json()
    assert body["status"] == "ok"
    assert set(body["catalogue"]) == {"artists", "releases", "tracks", "partner_users"}


def test_a_fault_for_the_next_two_calls_fails_exactly_two(control, sandbox_client):
    add_fault(control, kind="error", endpoint="status", code=9001, times=2)
    for _ in range(2):
        with pytest.raises(errors.ServerError) as caught:
            sandbox_client.status.get()
        assert caught.value.code == 9001
    assert sandbox_client.status.get().server_time is not None
    assert control.get(f"{SANDBOX_URL}/_sandbox/faults").json()["faults"] == []


def test_an_http_status_fault_answers_an_html_page(control, sandbox_client):
    add_fault(control, kind="status", endpoint="status", status=502, times=1)
    with pytest.raises(errors.ServerError) as caught:
        sandbox_client.status.get()
    assert caught.value.http_status == 502
    assert "text/html" in caught.value.message


def test_a_reset_fault_drops_the_connection(control, sandbox_client):
    add_fault(control, kind="reset", endpoint="status", times=1)
    with pytest.raises(errors.APIConnectionError):
        sandbox_client.status.get()


def test_malformed_and_truncated_faults_give_unreadable_bodies(control, sandbox_client):
    add_fault(control, kind="malformed", endpoint="status", times=1)
    with pytest.raises(errors.InvalidResponse, match="malformed XML"):
        sandbox_client.status.get()
    add_fault(control, kind="truncated", endpoint="status", times=1)
    with pytest.raises(errors.InvalidResponse):
        sandbox_client.status.get()


def test_a_latency_fault_delays_the_answer(control, sandbox_client):
    import time

    add_fault(control, kind="latency", endpoint="status", latency_ms=150, times=1)
    started = time.monotonic()
    sandbox_client.status.get()
    assert time.monotonic() - started >= 0.15


def test_faults_match_method_and_endpoint_patterns(control, sandbox_client):
    add_fault(control, kind="error", endpoint="user/*", code=7001)
    assert sandbox_client.status.get() is not None
    with pytest.raises(errors.UnableToPerformAction):
        sandbox_client.users.create("u-1")


def test_a_seeded_probability_fault_is_reproducible(control, sandbox_client):
    def outcomes():
        control.delete(f"{SANDBOX_URL}/_sandbox/faults")
        add_fault(control, kind="error", endpoint="status", code=9001, probability=0.5, seed=3)
        result = []
        for _ in range(20):
            try:
                sandbox_client.status.get()
                result.append("ok")
            except errors.ServerError:
                result.append("fail")
        return result

    first, second = outcomes(), outcomes()
    assert first == second
    assert 3 <= first.count("fail") <= 17


def test_clearing_faults_restores_normal_answers(control, sandbox_client):
    add_fault(control, kind="error", endpoint="*", code=9001)
    control.delete(f"{SANDBOX_URL}/_sandbox/faults")
    assert sandbox_client.status.get() is not None


def test_bad_fault_definitions_are_refused_with_a_reason(control):
    response = control.post(f"{SANDBOX_URL}/_sandbox/faults", json={"kind": "explode"})
    assert response.status_code == 400
    assert "kind must be one of" in response.json()["error"]
    response = control.post(f"{SANDBOX_URL}/_sandbox/faults", json={"kind": "status", "x": 1})
    assert "unknown fault options: x" in response.json()["error"]
    response = control.post(
        f"{SANDBOX_URL}/_sandbox/faults",
        data="not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_the_journal_records_what_was_sent(control, sandbox_client):
    sandbox_client.users.create("journal-user")
    entries = control.get(f"{SANDBOX_URL}/_sandbox/journal", params={"endpoint": "user/*"}).json()[
        "entries"
    ]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["method"] == "GET"
    assert entry["endpoint"] == "user/create"
    assert ["userId", "journal-user"] in entry["params"]
    assert entry["consumer"] == "sandbox-key"
    assert entry["user"] == "journal-user"
    assert entry["status"] == 200
    assert entry["headers"]["Authorization"].startswith("OAuth ")


def test_the_journal_is_bounded(control, sandbox_client):
    from sandbox.state import JOURNAL_SIZE, state

    for _ in range(JOURNAL_SIZE + 5):
        state.record({"method": "GET", "endpoint": "status"})
    assert len(control.get(f"{SANDBOX_URL}/_sandbox/journal").json()["entries"]) == JOURNAL_SIZE


def test_reset_forgets_partner_users_and_faults(control, sandbox_client):
    sandbox_client.users.create("temporary")
    add_fault(control, kind="error", endpoint="tag", code=9001)
    response = control.post(f"{SANDBOX_URL}/_sandbox/reset")
    assert response.json()["status"] == "reset"
    assert control.get(f"{SANDBOX_URL}/_sandbox/faults").json()["faults"] == []
    with pytest.raises(errors.NotFound):
        sandbox_client.users.details("temporary")


def test_a_control_token_when_set_is_required(control, settings):
    settings.SANDBOX_CONTROL_TOKEN = "let-me-in"
    assert control.get(f"{SANDBOX_URL}/_sandbox/health").status_code == 403
    assert (
        control.get(
            f"{SANDBOX_URL}/_sandbox/health", headers={"X-Sandbox-Token": "wrong"}
        ).status_code
        == 403
    )
    assert (
        control.get(
            f"{SANDBOX_URL}/_sandbox/health", headers={"X-Sandbox-Token": "let-me-in"}
        ).status_code
        == 200
    )


def test_sales_lists_each_reported_sale_and_counts_transaction_ids_sold_twice(
    control, sandbox_client
):
    sandbox_client.users.create("buyer")
    sandbox_client.users.create("other")
    for transaction_id in ("order-1-line-1", "order-1-line-1", "order-2-line-1"):
        sandbox_client.purchasing.deliver_item(
            "buyer", release_id=1046, transaction_id=transaction_id
        )
    sandbox_client.purchasing.deliver_item("other", release_id=1046, transaction_id="order-3")

    everyone = control.get(f"{SANDBOX_URL}/_sandbox/sales").json()
    buyer = control.get(f"{SANDBOX_URL}/_sandbox/sales", params={"user_id": "buyer"}).json()

    assert everyone["count"] == 4
    assert everyone["repeated_transactions"] == 1
    assert [sale["transaction_id"] for sale in buyer["sales"]] == [
        "order-1-line-1",
        "order-1-line-1",
        "order-2-line-1",
    ]
    assert buyer["sales"][0]["release_id"] == 1046
    assert buyer["sales"][0]["refunded"] is False


# -- cross-site requests -------------------------------------------------------------------
# A web page open while the sandbox runs may send it a POST without a preflight only with a
# form, multipart or text/plain body (or none), naming itself in Origin.

LIMITS = f"{SANDBOX_URL}/_sandbox/limits"


def current_limit(control) -> int | None:
    return control.get(LIMITS).json()["log_requests_per_second"]


def test_a_text_plain_post_is_refused_with_415_and_changes_nothing(control):
    before = current_limit(control)

    response = control.post(
        LIMITS,
        data='{"log_requests_per_second": 1}',
        headers={"Content-Type": "text/plain"},
    )

    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert "text/plain" in response.json()["error"]
    assert current_limit(control) == before


def test_an_empty_form_post_cannot_reset_the_sandbox(control):
    add_fault(control, kind="error", endpoint="tag", code=9001)

    response = control.post(
        f"{SANDBOX_URL}/_sandbox/reset",
        data="",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 415
    assert len(control.get(f"{SANDBOX_URL}/_sandbox/faults").json()["faults"]) == 1


def test_a_body_without_a_content_type_is_refused(control):
    request = requests.Request("POST", LIMITS, data=b'{"log_requests_per_second": 1}').prepare()
    assert "Content-Type" not in request.headers

    response = control.send(request)

    assert response.status_code == 415


def test_the_issue_s_cross_site_text_plain_post_is_refused_and_changes_nothing(control):
    before = current_limit(control)

    response = control.post(
        LIMITS,
        data='{"log_requests_per_second": 1}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert current_limit(control) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://sandbox.test:8001"},  # another port is another origin
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://sandbox.test", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_json_post_from_another_site_is_refused_with_403_and_changes_nothing(control, headers):
    before = current_limit(control)

    response = control.post(LIMITS, json={"log_requests_per_second": 1}, headers=headers)

    assert response.status_code == 403
    assert "error" in response.json()
    assert current_limit(control) == before


def test_a_foreign_origin_cannot_read_the_journal_either(control):
    response = control.get(
        f"{SANDBOX_URL}/_sandbox/journal", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://sandbox.test"},
        {"Origin": "http://sandbox.test", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar
    ],
)
def test_a_json_post_from_the_sandbox_itself_or_no_browser_is_accepted(control, headers):
    response = control.post(LIMITS, json={"log_requests_per_second": 7}, headers=headers)

    assert response.status_code == 200, response.text
    assert current_limit(control) == 7


def test_the_public_address_counts_as_the_sandbox_s_own_origin(control, settings):
    settings.SANDBOX_PUBLIC_URL = "https://sandbox.example:8443/"

    response = control.post(
        LIMITS,
        json={"log_requests_per_second": 3},
        headers={"Origin": "https://sandbox.example:8443"},
    )

    assert response.status_code == 200, response.text
    assert current_limit(control) == 3


def test_a_bodiless_post_or_delete_without_a_content_type_is_accepted(control):
    add_fault(control, kind="error", endpoint="tag", code=9001)

    assert control.delete(f"{SANDBOX_URL}/_sandbox/faults").status_code == 200
    add_fault(control, kind="error", endpoint="tag", code=9001)
    assert control.post(f"{SANDBOX_URL}/_sandbox/reset").status_code == 200
    assert control.get(f"{SANDBOX_URL}/_sandbox/faults").json()["faults"] == []


def test_over_a_socket_a_bodiless_call_is_accepted_and_a_text_plain_one_refused(
    sandbox_server,
):
    # The socket server's WSGI layer would report a missing Content-Type as text/plain.
    limits = f"{sandbox_server.url}/_sandbox/limits"
    faults = f"{sandbox_server.url}/_sandbox/faults"

    assert requests.post(limits, timeout=10).status_code == 200
    assert requests.delete(faults, timeout=10).status_code == 200
    refused = requests.post(limits, data="{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert refused.status_code == 415
