"""Crediting sales to 7digital: exactly one user/deliveritem per paid line, whatever
fails on the way (5xx, a dropped connection after the sale, a worker that died)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox.models import Purchase
from sevendigital.resources.users import Purchasing
from store.checkout import services
from store.checkout.models import Order, OrderLine
from tests.races import NEEDS_ROW_LOCKS, at_once
from tests.store.conftest import NO_SURPRISES, add, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def paid_line(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    (line_id,) = queue.lines
    queue.lines.clear()
    return OrderLine.objects.get(pk=line_id)


def _sales() -> int:
    return Purchase.objects.filter(release_id=NO_SURPRISES).count()


def test_a_7digital_5xx_is_retried_and_delivered_after_recovery(paid_line, sandbox):
    sandbox.add_fault(kind="status", status=503, endpoint="user/deliveritem", times=1)

    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=paid_line.pk)
    paid_line.refresh_from_db()
    assert paid_line.status == OrderLine.Status.PENDING
    assert paid_line.outcome_unknown and "503" in paid_line.last_error
    assert Order.objects.get().status == Order.Status.DELIVERING

    services.order_line_deliver(line_id=paid_line.pk)

    paid_line.refresh_from_db()
    assert paid_line.status == OrderLine.Status.DELIVERED
    assert _sales() == 1
    assert Order.objects.get().status == Order.Status.COMPLETE


def test_a_connection_dropped_after_the_sale_delivers_exactly_once(paid_line, sandbox):
    sandbox.add_fault(kind="processed_reset", endpoint="user/deliveritem", times=1)

    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=paid_line.pk)
    assert _sales() == 1  # 7digital made the sale; the shop did not hear

    services.order_line_deliver(line_id=paid_line.pk)

    paid_line.refresh_from_db()
    assert paid_line.status == OrderLine.Status.DELIVERED
    assert _sales() == 1
    assert paid_line.purchase_id == Purchase.objects.get().id
    assert len(sandbox.entries(endpoint="user/deliveritem")) == 1


def test_a_connection_dropped_before_the_sale_sells_on_the_next_attempt(paid_line, sandbox):
    sandbox.add_fault(kind="reset", endpoint="user/deliveritem", times=1)

    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=paid_line.pk)
    assert _sales() == 0

    services.order_line_deliver(line_id=paid_line.pk)

    assert _sales() == 1
    assert OrderLine.objects.get().status == OrderLine.Status.DELIVERED


def test_a_sale_of_the_same_release_in_an_earlier_order_is_not_taken_for_this_one(
    client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    queue.deliver_all()
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    (second,) = queue.lines
    sandbox.add_fault(kind="reset", endpoint="user/deliveritem", times=1)
    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=second)

    services.order_line_deliver(line_id=second)

    assert _sales() == 2
    assert len(set(OrderLine.objects.values_list("purchase_id", flat=True))) == 2


def test_a_worker_killed_between_payment_and_delivery_is_covered_by_the_sweep(
    paid_line, sandbox, queue, settings
):
    # The payment committed, but the worker died before its delivery task ran.
    assert _sales() == 0
    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=10))

    swept = services.order_lines_sweep()

    assert swept == [paid_line.pk] and queue.lines == [paid_line.pk]
    queue.deliver_all()
    assert _sales() == 1
    assert services.order_lines_sweep() == []


def test_a_worker_killed_during_the_call_is_checked_in_the_locker_by_the_sweep(
    paid_line, sandbox, queue
):
    # It marked the attempt and 7digital made the sale, then the worker died.
    sandbox.add_fault(kind="processed_reset", endpoint="user/deliveritem", times=1)
    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=paid_line.pk)
    OrderLine.objects.update(
        last_attempt_at=timezone.now() - timedelta(minutes=10),
        lease_until=timezone.now() - timedelta(minutes=9),
    )
    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=11))

    services.order_lines_sweep()
    queue.deliver_all()

    assert _sales() == 1
    assert OrderLine.objects.get().status == OrderLine.Status.DELIVERED


def test_no_second_attempt_starts_while_one_is_under_way(paid_line, sandbox, queue):
    OrderLine.objects.update(
        outcome_unknown=True, lease_until=timezone.now() + timedelta(seconds=30)
    )
    Order.objects.update(paid_at=timezone.now() - timedelta(minutes=10))

    with pytest.raises(services.DeliveryPending):
        services.order_line_deliver(line_id=paid_line.pk)
    assert services.order_lines_sweep() == []
    assert _sales() == 0


def test_a_refusal_from_7digital_needs_attention_and_is_not_retried(paid_line, sandbox):
    sandbox.add_fault(
        kind="error", code=2001, message="User not found", endpoint="user/deliveritem"
    )

    line = services.order_line_deliver(line_id=paid_line.pk)

    assert line.status == OrderLine.Status.FAILED
    assert "2001" in line.last_error
    assert Order.objects.get().status == Order.Status.NEEDS_ATTENTION


@pytest.mark.optional_on(NEEDS_ROW_LOCKS)
@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_two_deliveries_of_a_paid_line_at_the_same_moment_sell_it_once(race, paid_line, sandbox):
    def deliver():
        return services.order_line_deliver(line_id=paid_line.pk)

    # Both wait for the other where a racer that found no attempt under way marks its
    # own, and where it calls 7digital.
    outcomes = at_once(
        deliver, deliver, meet_at=[(OrderLine, "save"), (Purchasing, "deliver_item")]
    )

    # One sells it. The other waited for the first's mark and found the attempt under way
    # (its task retries later), or came after it and found the line delivered.
    assert all(isinstance(o, OrderLine | services.DeliveryPending) for o in outcomes), outcomes
    delivered = [o for o in outcomes if isinstance(o, OrderLine)]
    assert delivered and all(line.status == OrderLine.Status.DELIVERED for line in delivered)
    assert len(sandbox.entries(endpoint="user/deliveritem")) == 1
    assert _sales() == 1
    paid_line.refresh_from_db()
    assert paid_line.status == OrderLine.Status.DELIVERED
    assert paid_line.purchase_id == Purchase.objects.get().id
    assert Order.objects.get().status == Order.Status.COMPLETE


def test_a_delivered_line_is_never_delivered_again(paid_line, sandbox):
    services.order_line_deliver(line_id=paid_line.pk)

    services.order_line_deliver(line_id=paid_line.pk)

    assert _sales() == 1


def test_the_customer_sees_the_order_progress(client, paid_line, sandbox):
    order = paid_line.order
    assert "Being added to your locker" in client.get(f"/orders/{order.number}/").text

    services.order_line_deliver(line_id=paid_line.pk)

    page = client.get(f"/orders/{order.number}/").text
    assert "Complete" in page and "In your locker" in page
