"""Refunds call 7digital and the gateway with no transaction open (on SQLite an open
one holds the database's write lock through their timeouts and retries), and still
refund exactly once: two members of staff at once, or a process that dies between a
call and the record of its answer, which the sweep then finishes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from sandbox.models import Purchase
from sevendigital.resources.users import Refunds
from store.checkout import services, tasks
from store.checkout.gateways.test import TestGateway
from store.checkout.models import Order, OrderEvent, OrderLine, Refund
from tests.races import NEEDS_ROW_LOCKS, at_once, catalogue_seeded
from tests.store.conftest import buy

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


class Crash(BaseException):
    """The process stops here (a deploy, an out-of-memory kill): nothing after it runs."""


@pytest.fixture
def order(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    buy(client, queue, django_capture_on_commit_callbacks)
    return Order.objects.get()


@pytest.fixture
def resumed_at_once(monkeypatch):
    """The sweep's queued tasks run as soon as they are queued."""
    monkeypatch.setattr(tasks.order_refund_resume, "delay", tasks.order_refund_resume)


def refund(order, **extra):
    return services.order_refund(
        order_id=order.pk, line_ids=None, actor=None, reason="Bought it twice", **extra
    )


def lease_lapses() -> None:
    Refund.objects.update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_refund_cut_off_after_7digital_accepted_is_finished_by_the_sweep_and_told_once(
    order, sandbox, resumed_at_once
):
    with (
        mock.patch.object(services.refunds, "_refund_line_reported", side_effect=Crash),
        pytest.raises(Crash),
    ):
        refund(order)
    line = OrderLine.objects.get()
    assert line.refund_outcome_unknown and line.refund_reported_at is None
    assert Purchase.objects.get().refunded_at is not None  # 7digital did refund it
    assert services.order_refunds_sweep() == [], "not while its process may be at it"

    lease_lapses()
    (swept,) = services.order_refunds_sweep()

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.amount_refunded == line.price
    assert Refund.objects.get(pk=swept).status == Refund.Status.DONE
    line.refresh_from_db()
    assert line.refund_reported_at is not None and not line.refund_outcome_unknown
    # Asked again, 7digital said "no such sale" (2001): that is the earlier call's answer.
    assert not order.events.filter(kind=OrderEvent.Kind.REFUND_REFUSED).exists()
    assert order.events.filter(kind=OrderEvent.Kind.REFUND_REPORTED).count() == 1
    assert order.events.filter(kind=OrderEvent.Kind.REFUNDED).count() == 1
    assert services.order_refunds_sweep() == []


def test_a_refund_cut_off_after_the_payment_was_returned_is_recorded_by_the_sweep_once(
    order, sandbox, resumed_at_once
):
    paid_back = []
    original = TestGateway.refund

    def refund_and_remember(self, **kwargs):
        paid_back.append(kwargs["reference"])
        return original(self, **kwargs)

    with (
        mock.patch.object(TestGateway, "refund", refund_and_remember),
        mock.patch.object(services.refunds, "_refund_finish", side_effect=Crash),
        pytest.raises(Crash),
    ):
        refund(order)
    assert Refund.objects.get().payment_outcome_unknown

    lease_lapses()
    with mock.patch.object(TestGateway, "refund", refund_and_remember):
        services.order_refunds_sweep()

    line = OrderLine.objects.get()
    # The gateway was asked again under the same reference, which is how Stripe finds
    # the refund it made (tests/store/checkout/test_stripe.py) instead of a second.
    assert paid_back == [f"refund-{order.number}-{line.pk}"] * 2
    assert len(sandbox.entries(endpoint="user/purchase/*")) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.amount_refunded == line.price
    assert order.events.filter(kind=OrderEvent.Kind.REFUNDED).count() == 1


def test_a_line_whose_refund_is_under_way_is_not_refunded_again(order, sandbox):
    with (
        mock.patch.object(services.refunds, "_refund_line_reported", side_effect=Crash),
        pytest.raises(Crash),
    ):
        refund(order)

    outcome = refund(order, override=True)

    ((_line, message),) = outcome.refused
    assert "under way" in message
    assert outcome.refunded == []
    assert len(sandbox.entries(endpoint="user/purchase/*")) == 1
    assert Order.objects.get().amount_refunded == 0


# -- no transaction open while 7digital and the gateway are called -----------------------


def another_connection_can_write(order_pk: int) -> bool:
    """Whether a second connection can write the order's row now (as a worker or another
    request would), rather than wait for a lock or be refused."""
    answer: list[bool | Exception] = []

    def write():
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '2s'")
                Order.objects.filter(pk=order_pk).update(post_code=F("post_code"))
            answer.append(True)
        except Exception as exc:  # locked: what this test looks for
            answer.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(5)
    return answer == [True]


@pytest.fixture
def catalogue_committed(transactional_db):
    catalogue_seeded()


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_no_transaction_is_open_while_7digital_and_the_gateway_are_called(
    catalogue_committed, client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    buy(client, queue, django_capture_on_commit_callbacks)
    order = Order.objects.get()
    seen = []  # (call, a transaction open here, another connection could write)

    def watched(name, original):
        def call(*args, **kwargs):
            seen.append((name, connection.in_atomic_block, another_connection_can_write(order.pk)))
            return original(*args, **kwargs)

        return call

    with (
        mock.patch.object(Refunds, "release", watched("7digital", Refunds.release)),
        mock.patch.object(TestGateway, "refund", watched("gateway", TestGateway.refund)),
    ):
        outcome = refund(order)

    assert seen == [("7digital", False, True), ("gateway", False, True)]
    assert outcome.refunded and Order.objects.get().status == Order.Status.REFUNDED


# -- two members of staff at once ----------------------------------------------------------


@pytest.mark.optional_on(NEEDS_ROW_LOCKS)
@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_two_members_of_staff_refunding_the_same_line_at_once_refund_it_once(
    race, client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    buy(client, queue, django_capture_on_commit_callbacks)
    order = Order.objects.get()

    # Both wait for the other where a racer that found the line free writes its refund,
    # and where it calls 7digital.
    outcomes = at_once(
        lambda: refund(order),
        lambda: refund(order),
        meet_at=[(Refund, "save"), (Refunds, "release")],
    )

    assert all(isinstance(o, services.RefundOutcome) for o in outcomes), outcomes
    line = OrderLine.objects.get()
    assert sorted(len(o.refunded) for o in outcomes) == [0, 1]
    # The other found the line taken by the first's refund, or already refunded.
    loser = next(o for o in outcomes if not o.refunded)
    assert [message for _, message in loser.refused] in ([], [services.REFUND_UNDER_WAY])
    assert len(sandbox.entries(endpoint="user/purchase/*")) == 1
    order.refresh_from_db()
    assert order.amount_refunded == line.price
    assert order.events.filter(kind=OrderEvent.Kind.REFUNDED).count() == 1
