"""The envelope, error codes, paths and headers, as the reference shows them."""

from __future__ import annotations

import pytest
import requests
from defusedxml import ElementTree

from sandbox.transport import SandboxTransport
from sevendigital import UserAuth, errors

from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])
KEY = {"oauth_consumer_key": "sandbox-key"}


@pytest.fixture
def http() -> requests.Session:
    session = requests.Session()
    session.mount("http://", SandboxTransport())
    return session


def test_xml_is_the_default_envelope(http):
    response = http.get(f"{SANDBOX_URL}/1.2/status", params={"country": "GB", **KEY})
    root = ElementTree.fromstring(response.content)
    assert root.tag == "response"
    assert root.attrib == {"status": "ok", "version": "1.2"}
    assert root.find("serviceStatus/serverTime").text.endswith("Z")
    assert response.headers["Content-Type"].startswith("application/xml")


def test_json_when_the_accept_header_asks(http):
    response = http.get(
        f"{SANDBOX_URL}/1.2/status",
        params={"country": "GB", **KEY},
        headers={"Accept": "application/json"},
    )
    body = response.json()
    assert body["status"] == "ok" and body["version"] == "1.2"
    assert "serverTime" in body["serviceStatus"]


def test_errors_carry_the_documented_code_message_and_http_status(http):
    response = http.get(f"{SANDBOX_URL}/1.2/status", params=KEY)
    assert response.status_code == 400
    root = ElementTree.fromstring(response.content)
    assert root.get("status") == "error"
    assert root.find("error").get("code") == "1001"
    assert root.find("error/errorMessage").text == "Required parameter country is missing"


def test_json_errors_have_the_same_code(http):
    response = http.get(
        f"{SANDBOX_URL}/1.2/status",
        params={"country": "XX", **KEY},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "version": "1.2",
        "error": {"code": 1002, "errorMessage": "Invalid value for parameter country: XX"},
    }


@pytest.mark.parametrize("path", ["/1.2/status", "/status", "/1.2/STATUS", "/Status/"])
def test_paths_match_without_regard_to_case_or_the_version_prefix(http, path):
    response = http.get(f"{SANDBOX_URL}{path}", params={"COUNTRY": "gb", **KEY})
    assert response.status_code == 200, response.text


def test_an_unknown_method_is_a_404_with_2001(http):
    response = http.get(f"{SANDBOX_URL}/1.2/artist/nonsense", params=KEY)
    assert response.status_code == 404
    assert 'code="2001"' in response.text


def test_the_client_maps_sandbox_errors(sandbox_client):
    with pytest.raises(errors.InvalidParameter):
        sandbox_client.status.get(country="ZZ")


def test_user_data_is_never_cacheable(sandbox_client, http):
    sandbox_client.users.create("cache-user")
    journal_free = http.get(f"{SANDBOX_URL}/1.2/status", params={"country": "GB", **KEY})
    assert journal_free.headers["Cache-Control"] == "no-cache, no-store"


def test_rate_limit_headers_count_per_key(sandbox_client):
    sandbox_client.status.get()
    first = sandbox_client.rate_limit
    sandbox_client.status.get()
    second = sandbox_client.rate_limit
    assert second.current == first.current + 1
    assert second.limit >= second.current
    assert 0 < second.reset <= 86400


def test_gzip_when_asked_and_not_otherwise(http):
    from .conftest import make_client

    user_id = "g" * 255  # an answer long enough to be worth compressing
    make_client().users.create(user_id)
    signed = make_client().requestor.prepare(
        "GET", "api", "1.2/user/details", user=UserAuth(user_id=user_id)
    )
    signed.headers["Accept-Encoding"] = "gzip"
    zipped = http.send(signed)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert f'<user id="{user_id}">' in zipped.text  # decoded transparently

    plain = make_client().requestor.prepare(
        "GET", "api", "1.2/user/details", user=UserAuth(user_id=user_id)
    )
    plain.headers["Accept-Encoding"] = "identity"
    assert "Content-Encoding" not in http.send(plain).headers


def test_a_key_over_its_daily_limit_is_refused_with_429(sandbox_client, settings):
    settings.SANDBOX_RATE_LIMIT = 2
    sandbox_client.status.get()
    sandbox_client.status.get()
    with pytest.raises(errors.UnableToPerformAction) as caught:
        sandbox_client.status.get()
    assert caught.value.http_status == 429
    assert caught.value.code == 7001
    assert sandbox_client.rate_limit.current == 3


def test_in_process_calls_leave_the_callers_database_connections_open(sandbox_client):
    """The in-process sandbox must not close the caller's connections (and so its
    transaction) as Django does after a real request."""
    from django.db import connections

    before = {alias: connections[alias].connection for alias in ("default", "sandbox")}
    assert all(raw is not None for raw in before.values())
    sandbox_client.status.get()
    sandbox_client.users.create("connection-check")
    for alias, raw in before.items():
        assert connections[alias].connection is raw, alias
