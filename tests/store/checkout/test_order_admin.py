"""The order's page in the admin: read only, and its lines in a table that fits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.models import User
from store.checkout.models import Order
from tests.conftest import pass_second_factor
from tests.store.conftest import buy

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def order(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    buy(client, queue, django_capture_on_commit_callbacks)
    return Order.objects.get()


@pytest.fixture
def superuser():
    """A superuser, signed in to the admin with both factors: they may change anything
    that can be changed."""
    browser = Client()
    pass_second_factor(browser, User.objects.create_superuser(email="root@example.com"))
    return browser


def change_url(order) -> str:
    return f"/admin/checkout/order/{order.pk}/change/"


def test_an_orders_page_offers_no_save_button_even_to_a_superuser(superuser, order):
    page = superuser.get(change_url(order)).text

    for button in ("_save", "_continue", "_addanother"):
        assert f'name="{button}"' not in page
    assert 'class="closelink"' in page
    assert f'href="/admin/checkout/order/{order.pk}/refund/"' in page  # refunds still can


def test_an_order_cannot_be_changed_by_a_post(superuser, order):
    response = superuser.post(change_url(order), {"email": "someone@example.com", "_save": "1"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.email == "listener@example.com"


def test_the_order_lines_table_has_six_columns_that_still_say_it_all(superuser, order):
    page = superuser.get(change_url(order)).text
    lines_table = page[page.index('id="lines-group"') : page.index('id="events-group"')]

    headings = re.findall(r'<th class="column-[^"]+">\s*([^<]+?)\s*</th>', lines_table)
    assert headings == ["Item", "Price", "Status", "7digital", "Dates", "Last error"]
    line = order.lines.get()
    for shown in (
        "No Surprises",
        "Radiohead · Standard",
        "£2.49",
        "In your locker",
        f"purchase {line.purchase_id}",
        f"transaction {line.transaction_id}",
        "delivered ",
    ):
        assert shown in lines_table


def test_staff_see_the_orders_lines_and_history(staff, order):
    page = staff.get(change_url(order)).text

    assert 'id="lines-group"' in page and "transaction " in page
    assert 'id="events-group"' in page and "Delivered" in page
