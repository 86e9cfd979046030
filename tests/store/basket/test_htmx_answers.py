"""The basket's buttons and pages answer htmx one way (integrations/htmx.py): a
button that posts in place gets the status line, the same form boosted or without
JavaScript gets the page it came from, and a page reached by a boosted link is whole.
The order page the basket leads to follows the same rule."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import partner_user_ensure
from store.checkout.models import Order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
RELEASE_PAGE = f"/releases/{NO_SURPRISES}/"
TARGETED = {"HTTP_HX_REQUEST": "true"}
BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"}


def add(client, headers, **data):
    return client.post(
        "/basket/add/",
        {"release": NO_SURPRISES, "package": 2, "next": RELEASE_PAGE, **data},
        **headers,
    )


def test_a_basket_button_posted_in_place_gets_the_status_line_and_the_count(client, sandbox):
    response = add(client, TARGETED)

    assert response.status_code == 200
    assert "Added “No Surprises”" in response.text
    assert 'id="basket-link"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "<html" not in response.text


def test_a_boosted_basket_form_goes_back_to_its_page_with_the_message(client, sandbox):
    response = add(client, BOOSTED)

    assert response.status_code == 302
    assert response["Location"] == RELEASE_PAGE
    page = client.get(RELEASE_PAGE, **BOOSTED).text
    assert "<html" in page and "Added “No Surprises”" in page


def test_a_refused_boosted_basket_form_goes_back_with_the_reason(client, sandbox):
    response = add(client, BOOSTED, package="x")

    assert response.status_code == 302
    assert response["Location"] == RELEASE_PAGE
    assert 'class="message message-error"' in client.get(RELEASE_PAGE).text


def test_the_basket_page_reached_by_a_boosted_link_is_whole_and_varies(client, sandbox):
    add(client, {})

    response = client.get("/basket/", **BOOSTED)

    assert "<html" in response.text and 'id="player"' in response.text
    assert "No Surprises" in response.text
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= {
        name.strip() for name in response["Vary"].split(",")
    }


@pytest.fixture
def paid_order(client, sandbox, django_capture_on_commit_callbacks) -> Order:
    user = User.objects.create_user(email="listener@example.com", password="x" * 12)
    partner_user_ensure(user=user)
    client.force_login(user)
    add(client, {})
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/checkout/", {"card_number": "4242 4242 4242 4242"})
    return Order.objects.get()


def test_an_order_page_reached_by_a_boosted_link_is_whole_while_it_is_followed(client, paid_order):
    url = paid_order.get_absolute_url()
    progress = client.get(url).text.split("?shown=", 1)[1].split('"', 1)[0]

    assert client.get(url, {"shown": progress}, **TARGETED).status_code == 204
    boosted = client.get(url, {"shown": progress}, **BOOSTED)
    assert boosted.status_code == 200
    assert "<html" in boosted.text and 'id="player"' in boosted.text
    assert "HX-Boosted" in boosted["Vary"]
