"""Staff refund a subscription's last payment (the test gateway), and 7digital hears what
the choice means: ended now is ``expired``, access to the period's end is ``cancelled``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from store.subscriptions.gateways import PaymentDeclined, PaymentError
from store.subscriptions.gateways.test import TestBillingGateway
from store.subscriptions.models import Subscription, SubscriptionRefund, SubscriptionSync
from store.subscriptions.services import refunds
from tests.conftest import pass_second_factor

from .conftest import at_7digital, make_plan, make_subscription

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def subscription(subscriber, clock):
    return make_subscription(
        user=subscriber,
        plan=make_plan(),
        start=clock.now - timedelta(days=3),
        gateway="test",
        gateway_reference="test_sub_SUB-1",
    )


def refund_page(subscription) -> str:
    return f"/admin/subscriptions/subscription/{subscription.pk}/refund/"


def refund_in_admin(browser, subscription, access: str, **data):
    return browser.post(
        refund_page(subscription), {"access": access, "confirm": "Refund", **data}, follow=True
    )


def test_a_refund_that_ends_access_now_tells_7digital_expired(
    staff, subscription, sync_queue, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = refund_in_admin(staff, subscription, "now")

    assert response.status_code == 200
    assert "Refunded £9.99. Access ended now." in response.text
    refund = SubscriptionRefund.objects.get()
    assert refund.state == "done" and refund.gateway_refund_id == f"test_refund_{refund.reference}"
    assert (refund.amount, refund.currency, refund.end_now) == (Decimal("9.99"), "GBP", True)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ENDED and subscription.ended_at == clock.now
    event = subscription.events.get(kind="refunded")
    assert event.message.startswith("Refunded £9.99 by staff@example.com; access ended now")

    sync_queue.send_all()

    assert SubscriptionSync.objects.get().state == SubscriptionSync.State.CONFIRMED
    assert at_7digital(subscription.partner_user_id).status == "expired"


def test_a_refund_that_keeps_access_to_the_periods_end_tells_7digital_cancelled(
    staff, subscription, sync_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund_in_admin(staff, subscription, "period_end")
    sync_queue.send_all()

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.cancel_at_period_end and subscription.ended_at is None
    held = at_7digital(subscription.partner_user_id)
    assert held.status == "cancelled"
    assert "not renewed (7digital: cancelled)" in subscription.events.get(kind="refunded").message


def test_nothing_is_chosen_nor_refunded_before_the_confirmation(staff, subscription, sync_queue):
    page = staff.get(refund_page(subscription))
    assert page.status_code == 200
    assert "checked" not in page.text  # neither choice preselected

    unchosen = staff.post(refund_page(subscription), {})
    review = staff.post(refund_page(subscription), {"access": "now"})

    assert "Choose when access ends" in unchosen.text
    assert "Nothing is refunded until you confirm" in review.text
    assert "ends now" in review.text and "expired" in review.text
    assert not SubscriptionRefund.objects.exists() and not sync_queue.syncs


def test_a_gateway_failure_is_shown_in_words_and_may_be_retried(
    staff, subscription, sync_queue, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        TestBillingGateway, "refund_last_payment", side_effect=PaymentError("bank down")
    ):
        response = refund_in_admin(staff, subscription, "now")

    assert response.status_code == 200
    assert "could not refund the payment: bank down" in response.text
    refund = SubscriptionRefund.objects.get()
    assert refund.state == "failed"
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE and not sync_queue.syncs
    assert "bank down" in subscription.events.get(kind="refund-failed").message

    with django_capture_on_commit_callbacks(execute=True):
        refund_in_admin(staff, subscription, "now")

    (again,) = SubscriptionRefund.objects.all()  # the same payment, the same reference
    assert again.state == "done" and again.reference == refund.reference


def test_a_declined_refund_says_the_provider_refused(staff, subscription):
    with mock.patch.object(
        TestBillingGateway, "refund_last_payment", side_effect=PaymentDeclined("too old")
    ):
        response = refund_in_admin(staff, subscription, "period_end")

    assert "The payment provider refused the refund: too old" in response.text


def test_a_payment_is_refunded_once(
    staff, subscription, sync_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund_in_admin(staff, subscription, "period_end")
    with mock.patch.object(TestBillingGateway, "refund_last_payment") as gateway:
        second = refund_in_admin(staff, subscription, "now")

    assert "Nothing was refunded: This payment was refunded already" in second.text
    gateway.assert_not_called()
    assert SubscriptionRefund.objects.count() == 1
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_renewal_is_a_new_payment_that_may_be_refunded(
    subscription, django_capture_on_commit_callbacks, sync_queue
):
    staff_user = User.objects.create_user(email="s@example.com", password="x" * 12, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = refunds.subscription_refund(
            subscription=subscription, staff_user=staff_user, end_now=False
        )
    subscription.refresh_from_db()
    subscription.current_period_start = subscription.current_period_end
    subscription.current_period_end += timedelta(days=30)
    subscription.save()

    with django_capture_on_commit_callbacks(execute=True):
        second = refunds.subscription_refund(
            subscription=subscription, staff_user=staff_user, end_now=False
        )

    assert first.reference != second.reference and second.state == "done"


def test_a_refund_under_way_keeps_a_second_one_off(subscription):
    staff_user = User.objects.create_user(email="s@example.com", password="x" * 12, is_staff=True)
    SubscriptionRefund.objects.create(
        subscription=subscription,
        reference=refunds.refund_reference(subscription),
        end_now=True,
        amount=subscription.amount,
        currency="GBP",
        lease_until=subscription.current_period_end,
    )

    with pytest.raises(refunds.SubscriptionRefundRefused, match="under way"):
        refunds.subscription_refund(subscription=subscription, staff_user=staff_user, end_now=True)


def test_a_trial_has_nothing_to_refund(subscription, clock):
    subscription.trial_end = clock.now + timedelta(days=7)
    subscription.save()

    with pytest.raises(refunds.SubscriptionRefundRefused, match="free trial"):
        refunds.subscription_refund(subscription=subscription, staff_user=None, end_now=True)


def test_refunding_needs_the_refund_permission(subscription):
    clerk = User.objects.create_user(email="clerk@example.com", password="x" * 12, is_staff=True)
    browser = Client()
    pass_second_factor(browser, clerk)

    response = browser.post(refund_page(subscription), {"access": "now", "confirm": "Refund"})

    assert response.status_code == 403
    assert not SubscriptionRefund.objects.exists()


def test_a_customer_cannot_reach_the_refund_page(client, subscription):
    response = client.post(refund_page(subscription), {"access": "now", "confirm": "Refund"})

    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not SubscriptionRefund.objects.exists()


def test_staff_need_their_second_factor_to_refund(subscription):
    user = User.objects.create_user(email="staff2@example.com", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    browser = Client()
    browser.force_login(user)  # password only

    response = browser.post(refund_page(subscription), {"access": "now", "confirm": "Refund"})

    assert response.status_code == 302
    assert not SubscriptionRefund.objects.exists()


def test_the_refund_form_needs_a_csrf_token(subscription):
    user = User.objects.create_user(email="staff3@example.com", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    signed_in = Client()
    pass_second_factor(signed_in, user)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed_in.cookies

    response = browser.post(refund_page(subscription), {"access": "now", "confirm": "Refund"})

    assert response.status_code == 403
    assert not SubscriptionRefund.objects.exists()


def test_the_subscription_page_links_the_refund_for_staff_who_may(staff, subscription):
    page = staff.get(f"/admin/subscriptions/subscription/{subscription.pk}/change/")

    assert refund_page(subscription) in page.text


def test_the_staff_group_may_refund_subscriptions():
    codenames = set(Group.objects.get(name="Staff").permissions.values_list("codename", flat=True))

    assert {"refund_subscription", "view_subscriptionrefund"} <= codenames


def _stopped_refund(subscription, staff_user, *, end_now=True):
    """A refund written and committed by a process that then stopped (before the
    gateway's answer was recorded)."""
    with (
        mock.patch.object(refunds, "_refund_carry_on", side_effect=SystemExit),
        pytest.raises(SystemExit),
    ):
        refunds.subscription_refund(
            subscription=subscription, staff_user=staff_user, end_now=end_now
        )
    return SubscriptionRefund.objects.get()


def test_a_refund_whose_process_stopped_is_finished_by_the_sweep_once(
    subscription, clock, sync_queue, sandbox, django_capture_on_commit_callbacks
):
    staff_user = User.objects.create_user(email="s@example.com", password="x" * 12, is_staff=True)
    refund = _stopped_refund(subscription, staff_user)
    assert refund.state == "in_progress"
    asked = mock.patch.object(
        TestBillingGateway, "refund_last_payment", autospec=True, return_value="test_refund_x"
    )

    with asked as gateway, mock.patch.object(refunds.tasks.subscription_refund_resume, "delay"):
        assert refunds.subscription_refunds_sweep() == []  # its lease holds
        clock.advance(refunds.REFUND_LEASE + timedelta(seconds=1))
        assert refunds.subscription_refunds_sweep() == [refund.pk]
        with django_capture_on_commit_callbacks(execute=True):
            refunds.subscription_refund_resume(refund_id=refund.pk)
        assert refunds.subscription_refund_resume(refund_id=refund.pk) is None  # done once

    assert gateway.call_count == 1
    assert gateway.call_args.kwargs["reason_reference"] == refund.reference
    refund.refresh_from_db()
    assert refund.state == "done" and refund.gateway_refund_id == "test_refund_x"
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ENDED
    sync_queue.send_all()
    assert at_7digital(subscription.partner_user_id or subscription.user.partner.partner_user_id)


def test_a_stopped_refund_is_not_asked_again_once_the_subscription_renewed(
    subscription, clock, sync_queue
):
    staff_user = User.objects.create_user(email="s@example.com", password="x" * 12, is_staff=True)
    refund = _stopped_refund(subscription, staff_user)
    clock.advance(refunds.REFUND_LEASE + timedelta(seconds=1))
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=subscription.current_period_end,
        current_period_end=subscription.current_period_end + timedelta(days=30),
    )

    with mock.patch.object(TestBillingGateway, "refund_last_payment") as gateway:
        refunds.subscription_refund_resume(refund_id=refund.pk)

    gateway.assert_not_called()  # "the last payment" is the renewal's now
    refund.refresh_from_db()
    assert refund.state == "failed"
    assert "renewed before this refund was finished" in refund.error
    assert subscription.events.filter(kind="refund-failed").exists()


def test_the_refunds_sweep_runs_every_five_minutes(settings):
    from django.conf import settings as live

    entry = live.CELERY_BEAT_SCHEDULE["subscriptions-refunds-sweep"]
    assert entry["task"] == "store.subscriptions.tasks.subscription_refunds_sweep"
    assert entry["schedule"] == 300.0
