"""Customers who shop against the in-process sandbox, and the queued work of orders:
fixtures and helpers for the basket, checkout and locker tests (and the store-wide
ones beside this file)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from accounts.services import partner_user_ensure
from store.checkout import services, tasks
from tests.conftest import pass_second_factor

PASSWORD = "a long passphrase 7"
NO_SURPRISES = 1046
GOOD_CARD = "4242 4242 4242 4242"


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def make_customer(email: str, country: str = "GB") -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, country=country)
    partner_user_ensure(user=user)
    return user


@pytest.fixture
def customer(client, sandbox):
    user = make_customer("listener@example.com")
    client.force_login(user)
    return user


class Queue:
    """What the services queued: delivery line ids and receipts, run on demand."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.receipts: list[int] = []

    def deliver_all(self) -> None:
        lines = list(self.lines)
        self.lines.clear()  # the same list the mocks append to
        for line_id in lines:
            services.order_line_deliver(line_id=line_id)

    def send_receipts(self) -> None:
        receipts = list(self.receipts)
        self.receipts.clear()
        for order_id in receipts:
            tasks.order_receipt_send(order_id)


@pytest.fixture
def queue():
    queued = Queue()
    with (
        mock.patch.object(tasks.order_line_deliver, "delay", side_effect=queued.lines.append),
        mock.patch.object(tasks.order_receipt_send, "delay", side_effect=queued.receipts.append),
    ):
        yield queued


def add(client, *, release=None, track=None, package=2, htmx=False):
    data = {"package": package}
    if release:
        data["release"] = release
    if track:
        data["track"] = track
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/basket/add/", data, **headers)


def pay(client, django_capture_on_commit_callbacks, card=GOOD_CARD, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/checkout/", {"card_number": card, **extra})


def buy(client, queue, django_capture_on_commit_callbacks, *, release=NO_SURPRISES):
    """The signed-in customer buys ``release`` with the good card and 7digital has it."""
    add(client, release=release)
    pay(client, django_capture_on_commit_callbacks)
    queue.deliver_all()


@pytest.fixture
def staff():
    """A member of the Staff group, signed in to the admin with both factors."""
    user = User.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    browser = Client()
    pass_second_factor(browser, user)
    browser.user = user
    return browser


def refund_in_admin(staff, order, **data):
    """Tick every line of ``order`` in the admin's refund form and confirm the refund."""
    lines = [line.pk for line in order.lines.all()]
    return staff.post(
        f"/admin/checkout/order/{order.pk}/refund/",
        {"lines": lines, "reason": "Customer bought it twice", "confirm": "Refund", **data},
        follow=True,
    )
