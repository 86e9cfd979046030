"""The subscriptions list for staff: filters by status, by the latest sync's state and by
drift found by reconciliation, with a column that says what drifted and when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from store.subscriptions.models import Subscription, SubscriptionSync

from .conftest import make_plan, make_subscription

pytestmark = pytest.mark.django_db

LIST = "/admin/subscriptions/subscription/"


@pytest.fixture
def three():
    """Confirmed and drifted last week; failed at 7digital; ended and never sent."""
    plan = make_plan()
    drifted = make_subscription(plan=plan, partner_user_id="p-1")
    SubscriptionSync.objects.create(subscription=drifted, version=1, state="confirmed")
    drifted.events.create(
        kind="drift",
        at=timezone.now() - timedelta(days=20),
        message="Reconciliation: an old difference. Sent again.",
    )
    drifted.events.create(
        kind="drift",
        at=timezone.now() - timedelta(days=2),
        message="Reconciliation: 7digital said none until never, the shop says premium.",
    )
    failed = make_subscription(plan=plan, partner_user_id="p-2")
    SubscriptionSync.objects.create(subscription=failed, version=1, state="confirmed")
    SubscriptionSync.objects.create(subscription=failed, version=2, state="failed")
    failed.events.create(
        kind="drift", at=timezone.now() - timedelta(days=30), message="Reconciliation: long ago."
    )
    ended = make_subscription(plan=plan, partner_user_id="p-3", status=Subscription.Status.ENDED)
    return drifted, failed, ended


def shown(staff, query: str) -> set:
    return set(staff.get(f"{LIST}?{query}").context["cl"].result_list)


def test_the_list_filters_by_status(staff, three):
    drifted, failed, ended = three

    assert shown(staff, "status=ended") == {ended}
    assert shown(staff, "status=active") == {drifted, failed}


def test_the_list_filters_by_the_latest_syncs_state(staff, three):
    drifted, failed, ended = three
    SubscriptionSync.objects.create(subscription=ended, version=1, state="outcome_unknown")

    assert shown(staff, "sync=failed") == {failed}  # its newest row, not its older confirmed one
    assert shown(staff, "sync=confirmed") == {drifted}
    assert shown(staff, "sync=open") == {ended}


def test_the_list_filters_by_drift_found(staff, three):
    drifted, failed, ended = three

    assert shown(staff, "drift=recent") == {drifted}
    assert shown(staff, "drift=any") == {drifted, failed}
    assert shown(staff, "drift=none") == {ended}


def test_the_drift_column_says_when_and_what_last_drifted(staff, three):
    page = staff.get(LIST).text

    assert "7digital said none until never, the shop says premium" in page
    assert "an old difference" not in page  # only the latest
    assert "drift found by reconciliation" in page  # the filter's title


def test_the_subscription_page_lists_refunds_beside_the_history(staff, three):
    drifted, _, _ = three
    drifted.refunds.create(
        reference="subscription-x",
        end_now=True,
        amount="9.99",
        currency="GBP",
        state="done",
        staff_email="staff@example.com",
    )

    page = staff.get(f"{LIST}{drifted.pk}/change/").text

    assert "staff@example.com" in page and "Refunded" in page
    assert "Reconciliation: an old difference" in page  # the whole history
