"""What a visitor can type or send gets a page or a clear 4xx, never a server error:
ids too large for any id, numbers int() refuses ("²", 5,000 digits), a NUL byte where
PostgreSQL refuses one, and a ``next`` that is not a path on this site."""

from __future__ import annotations

import pytest

from tests.store.conftest import NO_SURPRISES

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

TOO_LARGE = str(2**63)  # one more than the largest 64-bit id
DIGITS_5000 = "9" * 5000


@pytest.fixture(autouse=True)
def _server_errors_raise(client):
    client.raise_request_exception = True


@pytest.mark.parametrize(
    "path",
    [
        f"/releases/{TOO_LARGE}/",
        f"/artists/{TOO_LARGE}/",
        f"/tracks/{DIGITS_5000}/",
        f"/previews/{TOO_LARGE}",
        "/releases/0/",
    ],
)
def test_an_id_no_item_can_have_is_not_found(client, sandbox, path):
    assert client.get(path).status_code == 404


def test_a_play_of_a_track_no_item_can_have_is_not_found(client, sandbox):
    assert client.post(f"/previews/{TOO_LARGE}/plays").status_code == 404


@pytest.mark.parametrize("page", ["²", "٣", DIGITS_5000, "-1", "1e3"])
@pytest.mark.parametrize(
    "path", [f"/releases/{NO_SURPRISES}/", "/artists/1/", "/search/?q=no&page="]
)
def test_a_page_number_int_refuses_shows_the_first_page(client, sandbox, path, page):
    url = f"{path}{page}" if path.endswith("=") else f"{path}?page={page}"

    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/locker/download/release/{NO_SURPRISES}/?format=²",
        f"/locker/download/release/{NO_SURPRISES}/?format={DIGITS_5000}",
        f"/locker/download/purchase/{TOO_LARGE}/",
        f"/locker/download/track/{NO_SURPRISES}/{TOO_LARGE}/17/",
    ],
)
def test_a_download_link_with_a_bad_number_is_a_client_error(client, customer, path):
    # The Download button's POST, then the file at the address it redirects to.
    assert 400 <= client.post(path, follow=True).status_code < 500


@pytest.mark.parametrize(
    "path", ["/orders/ab%00cd/", "/checkout/stripe/return/%00/", "/checkout/stripe/cancel/a%00/"]
)
def test_an_order_number_with_a_nul_byte_is_a_bad_request(client, customer, path):
    # PostgreSQL refuses a NUL byte in any text: this was a server error there.
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "data", "cookies"),
    [
        ("get", "/search/", {"q": "radio\x00head"}, {}),
        ("get", "/releases/1046/", {"page": "\x00"}, {}),
        ("get", "/artists/", {"\x00": "1"}, {}),
        ("post", "/basket/add/", {"release": NO_SURPRISES, "package": 2, "next": "/\x00"}, {}),
        ("post", "/country/", {"country": "DE\x00"}, {}),
        ("get", "/", {}, {"sessionid": "abc\x00defghijkl"}),
    ],
)
def test_a_nul_byte_anywhere_a_visitor_can_put_one_is_a_bad_request(
    client, sandbox, caplog, method, path, data, cookies
):
    for name, value in cookies.items():
        client.cookies[name] = value

    response = getattr(client, method)(path, data)

    assert response.status_code == 400
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not sandbox.entries(), "nothing of it reached 7digital"


def test_a_basket_line_no_line_can_have_is_not_found(client, customer):
    assert client.post(f"/basket/lines/{TOO_LARGE}/remove/").status_code == 404


@pytest.mark.parametrize("next_value", ["x", "account_logout", "basket:basket", "//evil.example"])
def test_a_next_that_is_not_a_path_here_goes_back_to_the_default(client, sandbox, next_value):
    country = client.post("/country/", {"country": "DE", "next": next_value})
    basket = client.post(
        "/basket/add/", {"release": NO_SURPRISES, "package": 2, "next": next_value}
    )

    assert (country.status_code, country.url) == (302, "/")
    assert (basket.status_code, basket.url) == (302, "/basket/")


def test_a_next_that_is_a_path_here_is_followed(client, sandbox):
    response = client.post("/country/", {"country": "DE", "next": f"/releases/{NO_SURPRISES}/"})

    assert (response.status_code, response.url) == (302, f"/releases/{NO_SURPRISES}/")


def test_a_range_of_thousands_of_digits_through_the_preview_proxy_is_answered(client, sandbox):
    response = client.get("/previews/123456", HTTP_RANGE=f"bytes=0-{DIGITS_5000}")

    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 0-")
