"""Staff configure plans and read subscriptions, with what was sent to 7digital."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from store.subscriptions.models import Plan, Subscription, SubscriptionSync

from .conftest import make_plan, make_subscription

pytestmark = pytest.mark.django_db


def _plan_form(**changes):
    data = {
        "name": "Premium yearly",
        "slug": "premium-yearly",
        "plan_code": Plan.Code.PREMIUM,
        "interval": "year",
        "trial_days": "14",
        "features": "Every track",
        "active": "on",
        "position": "1",
        "prices-TOTAL_FORMS": "1",
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
        "prices-0-currency": "GBP",
        "prices-0-amount": "99.00",
        "prices-0-stripe_price_id": "",
    }
    data.update(changes)
    return data


def test_staff_may_configure_a_plan_with_its_prices(staff):
    response = staff.post("/admin/subscriptions/plan/add/", _plan_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(slug="premium-yearly")
    assert plan.trial_days == 14
    assert [(p.currency, str(p.amount)) for p in plan.prices.all()] == [("GBP", "99.00")]


@pytest.mark.parametrize("days", ["101", "-1"])
def test_a_trial_longer_than_100_days_is_refused(staff, days):
    response = staff.post("/admin/subscriptions/plan/add/", _plan_form(trial_days=days))

    assert response.status_code == 200
    assert not Plan.objects.exists()
    assert "trial_days" in response.context["adminform"].form.errors


def test_staff_read_a_subscription_with_its_history_and_what_was_sent(staff):
    subscription = make_subscription(plan=make_plan(), partner_user_id="p-1")
    SubscriptionSync.objects.create(
        subscription=subscription,
        version=1,
        state=SubscriptionSync.State.CONFIRMED,
        sent={"planCode": "premium-unlimited-streaming"},
        answer={"get": {"level": "premium"}},
    )
    subscription.events.create(kind="started", message="Subscribed to Premium")

    page = staff.get(f"/admin/subscriptions/subscription/{subscription.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Subscribed to Premium" in html
    assert "premium-unlimited-streaming" in html and "Confirmed by 7digital" in html
    assert 'name="_save"' not in html  # read only


def test_the_list_filters_by_status_and_by_sync_state(staff):
    plan = make_plan()
    failed = make_subscription(plan=plan, partner_user_id="p-1")
    SubscriptionSync.objects.create(subscription=failed, version=1, state="failed")
    ended = make_subscription(plan=plan, partner_user_id="p-2", status=Subscription.Status.ENDED)

    by_sync = staff.get("/admin/subscriptions/subscription/?sync=failed")
    by_status = staff.get("/admin/subscriptions/subscription/?status=ended")
    never = staff.get("/admin/subscriptions/subscription/?sync=never")

    assert list(by_sync.context["cl"].result_list) == [failed]
    assert list(by_status.context["cl"].result_list) == [ended]
    assert list(never.context["cl"].result_list) == [ended]


def test_sync_now_writes_a_pending_sync(staff, sync_queue, django_capture_on_commit_callbacks):
    subscription = make_subscription(plan=make_plan(), partner_user_id="p-1")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/subscriptions/subscription/",
            {"action": "sync_now", "_selected_action": [subscription.pk]},
            follow=True,
        )

    assert response.status_code == 200
    sync = SubscriptionSync.objects.get()
    assert sync.state == "pending" and sync_queue.syncs == [sync.pk]
    assert subscription.events.get().kind == "sync-now"


def test_the_staff_group_may_view_and_sync_subscriptions():
    group = Group.objects.get(name="Staff")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {
        "view_plan",
        "change_plan",
        "view_subscription",
        "view_subscriptionsync",
        "view_subscriptionevent",
        "sync_subscription",
    } <= codenames
    assert "change_subscription" not in codenames
