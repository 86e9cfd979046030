"""The order page follows the order live: while it is paid but not yet in the locker,
htmx asks every two seconds and is answered only when something changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from store.checkout.models import Order
from tests.store.conftest import NO_SURPRISES, add, make_customer, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paid(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    return Order.objects.get()


def test_a_paid_order_being_delivered_asks_again_by_itself(client, paid):
    page = client.get(paid.get_absolute_url())

    assert 'hx-trigger="every 2s"' in page.text
    assert f'hx-get="/orders/{paid.number}/?shown=paid.p"' in page.text
    assert "Refresh this page" not in page.text  # it refreshes itself


def test_nothing_new_is_answered_with_nothing(client, paid):
    response = client.get(paid.get_absolute_url(), {"shown": "paid.p"}, **HTMX)

    assert response.status_code == 204 and response.content == b""


def test_when_delivered_the_progress_is_swapped_in_and_the_asking_stops(client, paid, queue):
    queue.deliver_all()

    response = client.get(paid.get_absolute_url(), {"shown": "paid.p"}, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text  # just the progress, not the page
    assert 'id="order-progress"' in response.text
    assert "Complete" in response.text and "In your locker" in response.text
    assert 'hx-trigger="every' not in response.text


def test_a_settled_order_does_not_ask(client, paid, queue):
    queue.deliver_all()

    page = client.get(paid.get_absolute_url())

    assert "Complete" in page.text
    assert 'hx-trigger="every' not in page.text


def test_another_customer_polling_an_order_number_finds_nothing(client, paid, sandbox):
    client.force_login(make_customer("someone@example.com"))

    response = client.get(paid.get_absolute_url(), {"shown": "paid.p"}, **HTMX)

    assert response.status_code == 404


def test_an_order_still_in_progress_after_half_an_hour_stops_asking(client, paid):
    Order.objects.filter(pk=paid.pk).update(created_at=timezone.now() - timedelta(hours=2))

    response = client.get(paid.get_absolute_url(), {"shown": "paid.p"}, **HTMX)

    # Not 204: htmx must get the progress without the trigger to stop asking.
    assert response.status_code == 200
    assert 'hx-trigger="every' not in response.text
    assert "Refresh this page to see its progress." in response.text
