"""An order's page in the admin, in a real browser at 1,280 px: its lines fit the window
(thirteen columns made the table 1,428 px wide) and nothing offers to save it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import pass_second_factor

from .conftest import screenshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


def superuser_session(storefront: str) -> dict:
    """A superuser signed in with both factors: their session cookie, for the browser."""
    from accounts.models import User

    client = Client()
    pass_second_factor(client, User.objects.create_superuser(email="root@example.com"))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}


def an_order_with_long_lines():
    """An order whose lines have everything staff may see at once: long titles, both
    outcomes unknown, every date, and 7digital's longest kind of error."""
    from accounts.models import User
    from store.checkout.models import Order, OrderLine

    now = timezone.now()
    customer = User.objects.create_user(email="a.listener.with.a.long.address@example.com")
    order = Order.objects.create(
        user=customer,
        email=customer.email,
        partner_user_id="u" + "0" * 32,
        country="GB",
        currency="GBP",
        total=Decimal("10.48"),
        gateway="test",
        paid_at=now - timedelta(days=1),
        status=Order.Status.NEEDS_ATTENTION,
    )
    for index, title in enumerate(
        [
            "The Sound of Perseverance (Remastered Deluxe Anniversary Edition with Bonus Tracks)",
            "No Surprises",
        ],
        start=1,
    ):
        OrderLine.objects.create(
            order=order,
            release_id=1046 + index,
            package_id=2,
            package_name="Standard",
            title=title,
            artist_name="Orchestra of the Age of Enlightenment and Friends",
            price=Decimal("7.99") if index == 1 else Decimal("2.49"),
            transaction_id=f"{order.number}-{index}",
            status=OrderLine.Status.DELIVERED,
            purchase_id=123456789 + index,
            attempts=12,
            outcome_unknown=True,
            refund_outcome_unknown=True,
            last_error="7digital refused it (2002): Refunds are only possible within the "
            "reporting period of the sale; this one closed on the 4th of the month after it.",
            delivered_at=now - timedelta(hours=20),
            refund_reported_at=now - timedelta(hours=2),
            refunded_at=now - timedelta(hours=1),
        )
    return order


def test_an_orders_lines_fit_a_1280_px_window_and_nothing_offers_to_save(desktop, storefront):
    order = an_order_with_long_lines()
    page = desktop
    page.context.add_cookies([superuser_session(storefront)])

    page.goto(f"/admin/checkout/order/{order.pk}/change/")

    lines = page.locator("#lines-group table")
    lines.wait_for()
    window = page.evaluate("window.innerWidth")
    assert lines.bounding_box()["x"] + lines.bounding_box()["width"] <= window
    assert page.evaluate("document.documentElement.scrollWidth") <= window
    assert page.locator("input[name=_save], input[name=_continue]").count() == 0
    screenshot(page, "admin-order")
