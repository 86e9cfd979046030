"""Checkout's failure paths: a declined card, a gateway error, a price that changed,
an item no longer on sale; in each, nothing is charged and the basket is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.models import PriceTier
from sandbox.models import Release as SandboxRelease
from store.basket.models import Basket
from store.checkout.models import Order
from tests.store.conftest import NO_SURPRISES, add, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def basket(client, customer, sandbox):
    add(client, release=NO_SURPRISES)
    return Basket.objects.get(owner=customer)


def test_checkout_needs_signing_in(client, sandbox):
    add(client, release=NO_SURPRISES)

    response = client.get("/checkout/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_empty_basket_cannot_be_checked_out(client, customer):
    response = client.get("/checkout/", follow=True)

    assert "Your basket is empty." in response.text


def test_a_declined_card_charges_nothing_and_keeps_the_basket(
    client, basket, queue, django_capture_on_commit_callbacks
):
    response = pay(client, django_capture_on_commit_callbacks, card="4000 0000 0000 0002")

    assert response.status_code == 200
    assert "Your card was declined." in response.text
    assert "your basket is as it was" in response.text
    order = Order.objects.get()
    assert order.status == Order.Status.PAYMENT_FAILED and not order.is_paid
    basket.refresh_from_db()
    assert basket.status == Basket.Status.OPEN and basket.lines.count() == 1
    assert queue.lines == []


def test_a_gateway_error_is_logged_and_the_customer_told_plainly(
    client, basket, queue, caplog, django_capture_on_commit_callbacks
):
    response = pay(client, django_capture_on_commit_callbacks, card="4000 0000 0000 0119")

    assert "a problem on our side" in response.text
    assert "processing error" not in response.text
    assert "processing error" in caplog.text
    basket.refresh_from_db()
    assert basket.is_open
    assert queue.lines == []


def test_a_second_try_after_a_decline_pays(
    client, basket, queue, django_capture_on_commit_callbacks
):
    pay(client, django_capture_on_commit_callbacks, card="4000 0000 0000 0002")

    response = pay(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert list(Order.objects.values_list("status", flat=True).order_by("id")) == [
        "payment_failed",
        "paid",
    ]
    assert len(queue.lines) == 1


def test_a_price_change_is_shown_before_anything_is_charged(
    client, basket, queue, django_capture_on_commit_callbacks
):
    tier = PriceTier.objects.create(code="test-2.99", gbp=Decimal("2.99"))
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(standard_tier=tier)

    response = pay(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response.url == "/basket/"
    page = client.get("/basket/")
    assert "The price of “No Surprises” changed from £2.49 to £2.99." in page.text
    assert not Order.objects.exists()
    assert basket.lines.get().price == Decimal("2.99")


def test_an_item_no_longer_on_sale_in_the_country_is_removed_with_a_reason(
    client, basket, django_capture_on_commit_callbacks
):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(territories=",US,")

    response = pay(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    page = client.get("/basket/", follow=True)
    assert "“No Surprises” was removed from your basket." in page.text
    assert not Order.objects.exists()


def test_7digital_down_at_checkout_charges_nothing(
    client, basket, sandbox, django_capture_on_commit_callbacks
):
    sandbox.add_fault(kind="status", status=503, endpoint="release/*")

    response = pay(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert "Nothing was charged" in client.get("/basket/").text
    assert not Order.objects.exists()


def test_the_checkout_form_refuses_a_missing_csrf_token(customer, basket):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    response = strict.post("/checkout/", {"card_number": "4242424242424242"})

    assert response.status_code == 403
    assert not Order.objects.exists()


def test_a_us_customer_is_asked_for_a_zip_code_which_7digital_receives(
    client, sandbox, queue, django_capture_on_commit_callbacks
):
    from tests.store.conftest import make_customer

    user = make_customer("us@example.com", country="US")
    client.force_login(user)
    client.post("/country/", {"country": "US"})
    add(client, release=NO_SURPRISES)

    refused = pay(client, django_capture_on_commit_callbacks)
    assert refused.status_code == 200 and "ZIP code" in refused.text

    pay(client, django_capture_on_commit_callbacks, post_code="10001")
    queue.deliver_all()

    (sale,) = sandbox.entries(endpoint="user/deliveritem")
    assert dict(sale["params"])["postCode"] == "10001"


def test_a_gateway_that_is_not_there_charges_nothing_and_gives_the_basket_back(
    client, basket, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENT_GATEWAY = "paypal"  # a gateway this shop does not have

    response = pay(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "a problem on our side" in response.text
    assert Order.objects.get().status == Order.Status.PAYMENT_FAILED
    basket.refresh_from_db()
    assert basket.is_open


def test_an_order_whose_payment_was_cut_off_gives_the_basket_back_to_the_sweep(
    client, basket, customer
):
    from datetime import timedelta

    from django.utils import timezone

    from store.checkout import services

    # The process died between writing the order and taking the money.
    order = services.order_place(user=customer, basket=basket, country="GB")
    services.order_payments_sweep()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT  # the customer may be paying still

    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert services.order_payments_sweep() == [order.number]

    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    basket.refresh_from_db()
    assert basket.is_open
    assert "nothing was charged" in client.get(order.get_absolute_url()).text
