"""The sandbox checks OAuth 1.0 as 7digital does, for any client's signatures."""

from __future__ import annotations

import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth1Auth
from requests_oauthlib import OAuth1

from sandbox.transport import SandboxTransport

from . import node_oauth
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


# -- 7digital's Node client: oauth_consumer_key in the query and the header, counted once ---


@pytest.fixture
def node(http) -> requests.Session:
    """The Node client sends its signed calls to https:// the same host."""
    http.mount("https://", SandboxTransport())
    return http


def node_get(path: str, params: dict, **options) -> requests.PreparedRequest:
    return node_oauth.signed_get(
        "sandbox.test", path, params, consumer_key=KEY, consumer_secret=SECRET, **options
    )


def test_node_oauth_2_legged_user_create_counting_the_repeated_key_once_passes(node):
    request = node_get("/1.2/user/create", {"userId": "node-user", "country": "GB"})
    assert request.url.count("oauth_consumer_key=") == 1
    assert "oauth_consumer_key=" in request.headers["Authorization"]

    response = node.send(request)

    assert response.status_code == 200, response.text
    assert '<user id="node-user">' in response.text


def test_node_oauth_3_legged_user_details_counting_the_repeated_key_once_passes(node):
    create("user-from-token")
    request = node_get(
        "/1.2/user/details", {"country": "GB"}, token="token-1", token_secret="token-secret"
    )

    response = node.send(request)

    assert response.status_code == 200, response.text
    assert '<user id="user-from-token">' in response.text


def test_node_oauth_with_a_wrong_secret_still_fails(node):
    request = node_oauth.signed_get(
        "sandbox.test",
        "/1.2/user/create",
        {"userId": "node-user", "country": "GB"},
        consumer_key=KEY,
        consumer_secret="wrong",
    )
    response = node.send(request)
    assert response.status_code == 401
    assert response.text == "OAuth authentication failed: invalid signature"


def test_a_different_key_in_the_query_than_in_the_header_is_refused(node):
    request = node_get("/1.2/user/create", {"userId": "node-user", "country": "GB"})
    request.url = request.url.replace(f"oauth_consumer_key={KEY}", "oauth_consumer_key=second-key")

    response = node.send(request)

    assert response.status_code == 400
    assert "oauth_consumer_key was given twice with different values" in response.text


def test_the_key_twice_in_the_query_counted_once_is_refused(node):
    request = node_get("/1.2/user/create", {"userId": "node-user", "country": "GB"})
    request.url += f"&oauth_consumer_key={KEY}"

    response = node.send(request)

    assert response.status_code == 401
    assert response.text == "OAuth authentication failed: invalid signature"


def test_another_oauth_parameter_in_query_and_header_counted_once_is_refused(node):
    # node-oauth folds any oauth_* query parameter into its header and counts it once;
    # only oauth_consumer_key, which 7digital-api itself adds, is let through that way.
    request = node_get(
        "/1.2/user/create", {"userId": "node-user", "country": "GB", "oauth_version": "1.0"}
    )

    response = node.send(request)

    assert response.status_code == 401
    assert response.text == "OAuth authentication failed: invalid signature"


def test_the_key_in_the_header_and_a_form_body_counted_once_is_refused(node):
    url = "https://sandbox.test/1.2/preview/log"
    # Signed as if the key were in the query, counted once; sent in the body instead.
    ordered = node_oauth.prepare_parameters(KEY, SECRET, "POST", f"{url}?oauth_consumer_key={KEY}")
    response = node.post(
        url,
        data=f"oauth_consumer_key={KEY}",
        headers={
            "Authorization": node_oauth.build_authorization_header(ordered),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    assert response.status_code == 401
    assert response.text == "OAuth authentication failed: invalid signature"
