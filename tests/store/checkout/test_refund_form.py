"""The staff refund form: nothing ticked to start with, and a confirmation that names the
lines chosen and their total before anything reaches 7digital or the payment."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from sandbox.models import Release as SandboxRelease
from store.checkout.models import Order, OrderLine
from tests.store.conftest import NO_SURPRISES, add, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

CONFIRM_HEADING = "Nothing is refunded until you confirm"


@pytest.fixture
def order(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    """A delivered order of two releases: No Surprises and another."""
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    other = (
        SandboxRelease.objects.filter(territories__contains=",GB,", taken_down=False)
        .exclude(standard_tier__isnull=True)
        .exclude(id=NO_SURPRISES)
        .order_by("id")
        .first()
    )
    add(client, release=NO_SURPRISES)
    add(client, release=other.id)
    pay(client, django_capture_on_commit_callbacks)
    queue.deliver_all()
    order = Order.objects.get()
    assert order.lines.filter(status=OrderLine.Status.DELIVERED).count() == 2
    return order


def refund_url(order) -> str:
    return f"/admin/checkout/order/{order.pk}/refund/"


class _Inputs(HTMLParser):
    """The inputs of a page's forms, as (type, name, value, checked)."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def inputs(html: str) -> list[dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def nothing_refunded(order, sandbox) -> bool:
    order.refresh_from_db()
    return (
        order.amount_refunded == 0
        and not order.lines.filter(status=OrderLine.Status.REFUNDED).exists()
        and not order.events.filter(kind__startswith="refund").exists()
        and sandbox.entries(endpoint="user/purchase/*") == []
    )


def test_the_refund_form_starts_with_no_line_ticked(staff, order):
    page = staff.get(refund_url(order)).text

    boxes = [i for i in inputs(page) if i.get("name") == "lines"]
    assert len(boxes) == 2 and all(box["type"] == "checkbox" for box in boxes)
    assert not any("checked" in box for box in boxes)


def test_choosing_one_line_shows_it_and_its_amount_and_refunds_nothing_yet(staff, order, sandbox):
    first, second = order.lines.all()

    response = staff.post(refund_url(order), {"lines": [first.pk], "reason": "Bought twice"})

    assert response.status_code == 200
    page = response.text
    assert CONFIRM_HEADING in page
    confirmation = page[page.index(CONFIRM_HEADING) :]
    assert first.title in confirmation and second.title not in confirmation
    amount = f"£{first.price}"
    assert re.search(rf"Total to refund</th>\s*<td[^>]*><strong>{re.escape(amount)}<", page)
    assert f'value="Refund {amount}"' in page
    assert nothing_refunded(order, sandbox)


def test_confirming_refunds_only_the_line_chosen(staff, order, sandbox):
    first, second = order.lines.all()
    confirmation = staff.post(refund_url(order), {"lines": [first.pk], "reason": "Bought twice"})
    # What the confirmation page sends back: its hidden fields and its Refund button.
    sent = {}
    for field in inputs(confirmation.text):
        if field.get("type") == "hidden" and field.get("value") is not None:
            sent.setdefault(field["name"], []).append(field["value"])
    assert sent["lines"] == [str(first.pk)]

    response = staff.post(refund_url(order), {**sent, "confirm": "Refund"}, follow=True)

    assert f"Refunded £{first.price}: {first.title}" in response.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OrderLine.Status.REFUNDED
    assert second.status == OrderLine.Status.DELIVERED
    order.refresh_from_db()
    assert order.amount_refunded == first.price
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert len(sandbox.entries(endpoint="user/purchase/*")) == 1


def test_a_refund_post_without_the_confirmation_refunds_nothing(staff, order, sandbox):
    every_line = [line.pk for line in order.lines.all()]

    response = staff.post(refund_url(order), {"lines": every_line, "reason": "Bought twice"})

    assert response.status_code == 200
    assert CONFIRM_HEADING in response.text
    total = sum((line.price for line in order.lines.all()), Decimal("0"))
    assert f'value="Refund £{total}"' in response.text
    assert nothing_refunded(order, sandbox)


def test_sending_no_line_says_so_and_refunds_nothing(staff, order, sandbox):
    response = staff.post(refund_url(order), {"reason": "Bought twice", "confirm": "Refund"})

    assert response.status_code == 200
    assert "Tick the lines to refund: none is ticked." in response.text
    assert CONFIRM_HEADING not in response.text
    assert nothing_refunded(order, sandbox)


@pytest.mark.parametrize("line", [str(2**63), "9" * 5000, "²", "1x"])
def test_a_line_no_order_can_have_is_refused_in_words(staff, order, sandbox, line):
    response = staff.post(refund_url(order), {"lines": [line], "reason": "Bought twice"})

    assert response.status_code == 200
    assert "is not one of the available choices" in response.text
    assert CONFIRM_HEADING not in response.text
    assert nothing_refunded(order, sandbox)


def test_changing_the_lines_goes_back_to_the_form_with_the_choice_kept(staff, order, sandbox):
    first, _ = order.lines.all()

    response = staff.post(
        refund_url(order), {"lines": [first.pk], "reason": "Bought twice", "change": "Change"}
    )

    boxes = [i for i in inputs(response.text) if i.get("name") == "lines"]
    ticked = [box["value"] for box in boxes if "checked" in box]
    assert ticked == [str(first.pk)]
    assert CONFIRM_HEADING not in response.text
    assert nothing_refunded(order, sandbox)


def test_the_refund_page_of_an_unpaid_order_says_so(
    client, customer, sandbox, staff, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks, card="4000 0000 0000 0002")  # declined
    order = Order.objects.get()

    response = staff.post(
        refund_url(order),
        {"lines": [order.lines.get().pk], "reason": "x", "confirm": "Refund"},
        follow=True,
    )

    assert response.status_code == 200
    assert "This order was never paid." in response.text
