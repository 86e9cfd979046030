"""Refunds by staff in the admin: 7digital first, then the payment, always audited;
refused refunds (2001 / 2002) are explained and refund nothing without an override."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from sandbox.models import Purchase
from store.checkout.models import Order, OrderEvent, OrderLine
from tests.conftest import pass_second_factor
from tests.store.conftest import buy, refund_in_admin

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def order(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    sandbox.set_now(datetime(2026, 11, 10, 12, tzinfo=UTC))
    buy(client, queue, django_capture_on_commit_callbacks)
    return Order.objects.get()


def test_a_refund_in_the_reporting_period_reports_refunds_and_audits(staff, order, sandbox):
    response = refund_in_admin(staff, order)

    assert response.status_code == 200
    assert "Refunded £2.49: No Surprises" in response.text
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.amount_refunded == Decimal("2.49")
    assert OrderLine.objects.get().status == OrderLine.Status.REFUNDED
    assert Purchase.objects.get().refunded_at is not None  # 7digital was told
    kinds = list(order.events.values_list("kind", "actor__email"))
    assert ("refund_reported", "staff@example.com") in kinds
    assert ("refunded", "staff@example.com") in kinds


def test_a_refund_outside_the_reporting_period_is_explained_and_refunds_nothing(
    staff, order, sandbox
):
    sandbox.set_now(datetime(2026, 12, 5, 12, tzinfo=UTC))

    response = refund_in_admin(staff, order)

    assert "outside the reporting period (2002)" in response.text
    assert "until the 4th of the next" in response.text
    order.refresh_from_db()
    assert order.amount_refunded == 0 and order.status == Order.Status.COMPLETE
    assert OrderLine.objects.get().status == OrderLine.Status.DELIVERED
    assert order.events.filter(kind=OrderEvent.Kind.REFUND_REFUSED).count() == 1


def test_staff_can_override_a_refused_refund_and_it_is_audited(staff, order, sandbox):
    sandbox.set_now(datetime(2026, 12, 5, 12, tzinfo=UTC))

    refund_in_admin(staff, order, override="on", reason="Goodwill: faulty file")

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    override = order.events.get(kind=OrderEvent.Kind.REFUND_OVERRIDE)
    assert override.actor.email == "staff@example.com"
    assert "Goodwill: faulty file" in override.message and "2002" in override.message


def test_a_second_refund_of_the_same_sale_is_explained_as_2001(staff, order, sandbox):
    from store.checkout import services

    line = OrderLine.objects.get()
    # Refunded at 7digital by some other route; the shop still thinks it is delivered.
    Purchase.objects.filter(id=line.purchase_id).update(
        refunded_at=datetime(2026, 11, 11, tzinfo=UTC)
    )

    outcome = services.order_refund(
        order_id=order.pk, line_ids=None, actor=staff.user, reason="test"
    )

    ((_line, message),) = outcome.refused
    assert "2001" in message and "already refunded" in message
    assert outcome.refunded == []


def test_a_gateway_failure_after_7digital_is_told_is_retried_without_telling_it_twice(
    staff, order, sandbox
):
    from unittest import mock

    from store.checkout.gateways import PaymentError
    from store.checkout.gateways.test import TestGateway

    with mock.patch.object(TestGateway, "refund", side_effect=PaymentError("bank down")):
        response = refund_in_admin(staff, order)
    assert "the payment could not be refunded" in response.text
    assert OrderLine.objects.get().refund_reported_at is not None
    assert Order.objects.get().amount_refunded == 0

    refund_in_admin(staff, order)

    assert Order.objects.get().status == Order.Status.REFUNDED
    assert len(sandbox.entries(endpoint="user/purchase/*")) == 1


def test_refunding_needs_the_refund_permission(order, sandbox):
    clerk = User.objects.create_user(email="clerk@example.com", password="x" * 12, is_staff=True)
    browser = Client()
    pass_second_factor(browser, clerk)

    response = browser.post(
        f"/admin/checkout/order/{order.pk}/refund/", {"lines": [1], "reason": "x"}
    )

    assert response.status_code == 403
    assert Order.objects.get().amount_refunded == 0


def test_a_customer_cannot_reach_the_refund_page(client, order):
    response = client.post(f"/admin/checkout/order/{order.pk}/refund/", {"reason": "x"})

    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Order.objects.get().amount_refunded == 0


def test_staff_need_their_second_factor_to_refund(order):
    user = User.objects.create_user(email="staff2@example.com", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    browser = Client()
    browser.force_login(user)  # password only

    response = browser.post(f"/admin/checkout/order/{order.pk}/refund/", {"reason": "x"})

    assert response.status_code == 302
    assert Order.objects.get().amount_refunded == 0


def test_the_refund_form_needs_a_csrf_token(order):
    user = User.objects.create_user(email="staff3@example.com", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    signed_in = Client()
    pass_second_factor(signed_in, user)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed_in.cookies  # both factors passed, but no CSRF token sent

    response = browser.post(
        f"/admin/checkout/order/{order.pk}/refund/",
        {"lines": [line.pk for line in order.lines.all()], "reason": "x"},
    )

    assert response.status_code == 403
    assert Order.objects.get().amount_refunded == 0
