"""The sandbox checks OAuth 1.0 as 7digital does, for any client's signatures."""

from __future__ import annotations

import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth1Auth
from requests_oauthlib import OAuth1

from sandbox.transport import SandboxTransport

from .conftest import SANDBOX_URL, make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

KEY = "sandbox-key"
SECRET = "sandbox-secret"


@pytest.fixture(autouse=True)
def _known_consumer(settings):
    settings.SANDBOX_CONSUMERS = {KEY: SECRET, "second-key": "second-secret"}
    settings.SANDBOX_ACCESS_TOKENS = {"token-1": ("token-secret", "user-from-token")}


@pytest.fixture
def http() -> requests.Session:
    session = requests.Session()
    session.mount("http://", SandboxTransport())
    return session


def user_details(http, auth, *, user_id="alice", **extra) -> requests.Response:
    params = {"country": "GB", **extra}
    if user_id:
        params["userId"] = user_id
    return http.get(f"{SANDBOX_URL}/1.2/user/details", params=params, auth=auth)


def create(user_id="alice"):
    make_client(consumer_key=KEY, consumer_secret=SECRET).users.create(user_id)


def test_oauthlib_signatures_in_the_header_pass(http):
    create()
    response = user_details(http, OAuth1(KEY, SECRET))
    assert response.status_code == 200, response.text
    assert '<user id="alice">' in response.text


def test_authlib_signatures_an_independent_implementation_pass(http, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox speaks plain HTTP
    create()
    response = user_details(http, OAuth1Auth(KEY, SECRET))
    assert response.status_code == 200, response.text


def test_signatures_in_the_query_string_pass(http):
    create()
    response = user_details(http, OAuth1(KEY, SECRET, signature_type="QUERY"))
    assert response.status_code == 200, response.text


def test_signatures_in_a_form_body_pass(http):
    response = http.post(
        f"{SANDBOX_URL}/1.2/user/details",
        data={"country": "GB", "userId": "alice"},
        auth=OAuth1(KEY, SECRET, signature_type="BODY"),
    )
    # user/details is a GET endpoint: the signature passed, the method is refused
    assert response.status_code == 400
    assert "Method POST is not supported" in response.text


def test_a_duplicated_consumer_key_in_header_and_query_is_tolerated(http):
    create()
    response = user_details(http, OAuth1(KEY, SECRET), oauth_consumer_key=KEY)
    assert response.status_code == 200, response.text


def test_a_wrong_secret_fails_with_401_text(http):
    response = user_details(http, OAuth1(KEY, "wrong"))
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "OAuth authentication failed: invalid signature"


def test_an_unknown_consumer_key_fails(http):
    response = user_details(http, OAuth1("nobody", SECRET))
    assert response.status_code == 401
    assert "invalid consumer key" in response.text


def test_a_tampered_parameter_fails(http):
    request = requests.Request(
        "GET",
        f"{SANDBOX_URL}/1.2/user/details",
        params={"country": "GB", "userId": "alice"},
        auth=OAuth1(KEY, SECRET, signature_type="QUERY"),
    ).prepare()
    request.url = request.url.replace("userId=alice", "userId=mallory")
    response = http.send(request)
    assert response.status_code == 401
    assert "invalid signature" in response.text


def test_a_stale_timestamp_fails(http, settings):
    settings.SANDBOX_OAUTH_TIMESTAMP_WINDOW = 300
    stale = str(int(time.time()) - 301)
    response = user_details(http, OAuth1(KEY, SECRET, timestamp=stale))
    assert response.status_code == 401
    assert "timestamp expired" in response.text


def test_a_reused_nonce_fails(http):
    create()
    auth = OAuth1(KEY, SECRET, nonce="same-nonce", timestamp=str(int(time.time())))
    assert user_details(http, auth).status_code == 200
    again = user_details(http, auth)
    assert again.status_code == 401
    assert "nonce already used" in again.text


def test_user_endpoints_require_a_signature(http):
    response = http.get(
        f"{SANDBOX_URL}/1.2/user/details",
        params={"country": "GB", "userId": "alice", "oauth_consumer_key": KEY},
    )
    assert response.status_code == 401
    assert "OAuth signature required" in response.text


def test_the_consumer_key_is_required_everywhere(http):
    response = http.get(f"{SANDBOX_URL}/1.2/status", params={"country": "GB"})
    assert response.status_code == 401
    assert "oauth_consumer_key" in response.text


def test_catalogue_calls_need_only_the_key(http):
    response = http.get(
        f"{SANDBOX_URL}/1.2/status", params={"country": "GB", "oauth_consumer_key": KEY}
    )
    assert response.status_code == 200
    assert "<serverTime>" in response.text


def test_an_unsupported_signature_method_is_a_protocol_error(http):
    response = user_details(http, OAuth1(KEY, SECRET, signature_method="PLAINTEXT"))
    assert response.status_code == 400
    assert "HMAC-SHA1" in response.text


def test_a_three_legged_token_acts_for_its_user(http):
    create("user-from-token")
    response = user_details(
        http,
        OAuth1(KEY, SECRET, resource_owner_key="token-1", resource_owner_secret="token-secret"),
        user_id=None,
    )
    assert response.status_code == 200, response.text
    assert '<user id="user-from-token">' in response.text


def test_a_wrong_token_secret_fails(http):
    response = user_details(
        http,
        OAuth1(KEY, SECRET, resource_owner_key="token-1", resource_owner_secret="nope"),
        user_id=None,
    )
    assert response.status_code == 401


def test_signatures_made_for_the_public_address_verify_behind_a_proxy(http, settings):
    """The client signed http://sevendigital.proxy.example/...; the sandbox sees another Host."""
    settings.SANDBOX_PUBLIC_URL = "http://sevendigital.proxy.example"
    create()
    signed = requests.Request(
        "GET",
        "http://sevendigital.proxy.example/1.2/user/details",
        params={"country": "GB", "userId": "alice"},
        auth=OAuth1(KEY, SECRET),
    ).prepare()
    signed.url = signed.url.replace("sevendigital.proxy.example", "127.0.0.1:8001")
    assert http.send(signed).status_code == 200


def test_a_host_header_without_the_port_still_verifies(http):
    create()
    signed = requests.Request(
        "GET",
        "http://localhost:80/1.2/user/details",
        params={"country": "GB", "userId": "alice"},
        auth=OAuth1(KEY, SECRET),
    ).prepare()
    signed.headers["Host"] = "localhost"
    assert http.send(signed).status_code == 200


def test_more_consumer_pairs_can_be_configured():
    client = make_client(consumer_key="second-key", consumer_secret="second-secret")
    assert client.users.create("carol").id == "carol"
