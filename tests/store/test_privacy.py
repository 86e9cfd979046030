"""Two customers: neither reaches the other's orders, locker or downloads, by link or
by guessing ids."""

from __future__ import annotations

import pytest
from django.test import Client

from sandbox.models import Release as SandboxRelease
from store.basket.models import Basket
from store.checkout.models import Order, OrderLine
from tests.store.conftest import NO_SURPRISES, add, buy, make_customer
from tests.store.locker.downloads import download

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def alice_order(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    buy(client, queue, django_capture_on_commit_callbacks)
    return Order.objects.get(user=customer)


@pytest.fixture
def bob(sandbox):
    browser = Client()
    browser.force_login(make_customer("bob@example.com"))
    return browser


def test_another_customers_order_is_not_found(bob, alice_order):
    assert bob.get(f"/orders/{alice_order.number}/").status_code == 404
    assert alice_order.number not in bob.get("/orders/").text


def test_another_customers_locker_stays_theirs(bob, alice_order):
    page = bob.get("/locker/")

    assert "No Surprises" not in page.text
    assert "Your locker is empty" in page.text


@pytest.mark.parametrize("kind", ["track", "release", "purchase"])
def test_another_customers_downloads_are_refused(bob, alice_order, kind):
    line = OrderLine.objects.get(order=alice_order)
    track_id = SandboxRelease.objects.get(id=NO_SURPRISES).tracks.first().id
    url = {
        "track": f"/locker/download/track/{NO_SURPRISES}/{track_id}/17/",
        "release": f"/locker/download/release/{NO_SURPRISES}/",
        "purchase": f"/locker/download/purchase/{line.purchase_id}/",
    }[kind]

    response = download(bob, url)

    assert response.status_code == 404
    assert "This download is not available" in response.text


def test_downloads_and_the_locker_need_signing_in(alice_order):
    anonymous = Client()
    for url in ("/locker/", f"/locker/download/release/{NO_SURPRISES}/", "/orders/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_another_customers_basket_line_cannot_be_removed(bob, client, customer, sandbox):
    add(client, release=NO_SURPRISES)
    line = Basket.objects.get(owner=customer).lines.get()

    bob.post(f"/basket/lines/{line.pk}/remove/")

    assert Basket.objects.get(owner=customer).lines.count() == 1


def test_the_basket_forms_need_a_csrf_token(customer, sandbox):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    response = strict.post("/basket/add/", {"release": NO_SURPRISES})

    assert response.status_code == 403
    assert not Basket.objects.filter(lines__isnull=False).exists()


def test_a_huge_or_bad_id_is_a_clear_error_not_a_500(client, customer, sandbox):
    assert client.get(f"/locker/download/purchase/{2**70}/").status_code == 404
    assert client.post("/basket/add/", {"release": 2**70}).status_code == 302
    assert client.post("/basket/add/", {"release": "x"}, HTTP_HX_REQUEST="true").status_code == 400
    assert client.get("/orders/NOPE/").status_code == 404
