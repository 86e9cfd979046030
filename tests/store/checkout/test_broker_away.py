"""A broker that cannot be reached costs time, never a paid order: the customer's
payment goes through, and the sweep queues the delivery and the receipt later."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from store.checkout import services, tasks
from store.checkout.models import Order, OrderLine
from tests.store.conftest import NO_SURPRISES, add, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@contextmanager
def broker_away():
    """Sending either task fails as kombu does when Redis refuses the connection."""
    error = BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(tasks.order_line_deliver, "delay", side_effect=error),
        mock.patch.object(tasks.order_receipt_send, "delay", side_effect=error),
    ):
        yield


def test_paying_while_the_broker_is_away_succeeds_and_the_sweep_delivers_later(
    client, customer, queue, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)

    with broker_away():
        response = pay(client, django_capture_on_commit_callbacks)

    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.is_paid
    assert queue.lines == [] and queue.receipts == [], "nothing reached the broker"

    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=10))
    tasks.order_lines_sweep()
    queue.deliver_all()
    queue.send_receipts()

    assert set(OrderLine.objects.values_list("status", flat=True)) == {"delivered"}
    assert [message.subject for message in mail.outbox] == [
        f"Your receipt for order {order.number}"
    ]


def test_the_sweep_sends_no_receipt_twice_and_none_for_an_old_order(
    client, customer, queue, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    queue.send_receipts()
    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=10))

    assert services.order_receipts_sweep() == []

    Order.objects.update(receipt_sent_at=None, paid_at=timezone.now() - timedelta(days=3))
    assert services.order_receipts_sweep() == []
