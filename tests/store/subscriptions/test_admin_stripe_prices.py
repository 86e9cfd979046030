"""Staff save a plan and Stripe gets its prices: one recurring Price per currency, made
after the plan is saved (never inside the admin's transaction), made again when the
amount or the interval changes, and a failure said in words without losing the plan."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from store.subscriptions.models import Plan, PlanPrice

from .test_admin import _plan_form

# transaction=True: Stripe is called on commit, as in production. The data migrations'
# groups do not outlive the flushes of transactional tests, so a superuser saves here
# (test_admin.py shows Staff may).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(admin_client):
    return admin_client


@pytest.fixture(autouse=True)
def _stripe_billing(settings, stripe_api):
    settings.BILLING_GATEWAY = "stripe"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _edit_form(plan: Plan, **changes) -> dict:
    """The change form as the admin shows it for ``plan`` and its one price."""
    price = plan.prices.get()
    data = _plan_form(
        name=plan.name,
        slug=plan.slug,
        interval=plan.interval,
        **{
            "prices-INITIAL_FORMS": "1",
            "prices-0-id": str(price.pk),
            "prices-0-plan": str(plan.pk),
            "prices-0-currency": price.currency,
            "prices-0-amount": str(price.amount),
            "prices-0-stripe_price_id": price.stripe_price_id,
        },
    )
    data.update(changes)
    return data


def test_saving_a_new_plan_creates_its_stripe_price_in_minor_units(staff, stripe_api):
    response = staff.post("/admin/subscriptions/plan/add/", _plan_form())

    assert response.status_code == 302
    price = PlanPrice.objects.get(plan__slug="premium-yearly")
    assert price.stripe_price_id.startswith("price_")
    (created,) = stripe_api.calls("post", "/v1/prices")
    assert created.params["unit_amount"] == "9900"
    assert created.params["currency"] == "gbp"
    assert created.params["recurring[interval]"] == "year"
    assert created.params["lookup_key"] == "premium-yearly-gbp"
    assert "Stripe prices created for Premium yearly: GBP." in _messages(response)


def test_a_price_id_entered_by_staff_is_kept_and_nothing_is_created(staff, stripe_api):
    response = staff.post(
        "/admin/subscriptions/plan/add/", _plan_form(**{"prices-0-stripe_price_id": "price_own"})
    )

    assert response.status_code == 302
    assert PlanPrice.objects.get().stripe_price_id == "price_own"
    assert stripe_api.calls("post", "/v1/prices") == []


def test_a_changed_amount_gets_a_new_price_and_an_unchanged_plan_none(staff, stripe_api):
    staff.post("/admin/subscriptions/plan/add/", _plan_form())
    plan = Plan.objects.get()
    first = plan.prices.get().stripe_price_id

    staff.post(f"/admin/subscriptions/plan/{plan.pk}/change/", _edit_form(plan, trial_days="7"))
    assert plan.prices.get().stripe_price_id == first  # nothing that bills changed
    staff.post(
        f"/admin/subscriptions/plan/{plan.pk}/change/",
        _edit_form(plan, **{"prices-0-amount": "89.00"}),
    )

    second = plan.prices.get().stripe_price_id
    assert second.startswith("price_") and second != first
    made = stripe_api.calls("post", "/v1/prices")
    assert [call.params["unit_amount"] for call in made] == ["9900", "8900"]


def test_a_changed_interval_remakes_every_price(staff, stripe_api):
    staff.post("/admin/subscriptions/plan/add/", _plan_form())
    plan = Plan.objects.get()
    first = plan.prices.get().stripe_price_id

    staff.post(f"/admin/subscriptions/plan/{plan.pk}/change/", _edit_form(plan, interval="month"))

    assert plan.prices.get().stripe_price_id not in ("", first)
    assert stripe_api.calls("post", "/v1/prices")[-1].params["recurring[interval]"] == "month"


def test_stripe_failing_keeps_the_plan_and_says_what_is_missing(staff, stripe_api):
    stripe_api.fail("post", "/v1/prices", 500, "error_api", times=5)

    response = staff.post("/admin/subscriptions/plan/add/", _plan_form())

    assert response.status_code == 302
    assert PlanPrice.objects.get().stripe_price_id == ""
    (words,) = [m for m in _messages(response) if "Stripe" in m]
    assert words.startswith("No Stripe price for Premium yearly in GBP yet:")
    assert "Save the plan again to try again" in words

    stripe_api._failures.clear()
    plan = Plan.objects.get()
    staff.post(f"/admin/subscriptions/plan/{plan.pk}/change/", _edit_form(plan))
    assert plan.prices.get().stripe_price_id.startswith("price_")


def test_with_the_test_gateway_saving_a_plan_calls_no_stripe(staff, stripe_api, settings):
    settings.BILLING_GATEWAY = "test"

    response = staff.post("/admin/subscriptions/plan/add/", _plan_form())

    assert response.status_code == 302
    assert PlanPrice.objects.get().stripe_price_id == ""
    assert stripe_api.calls("post", "/v1/prices") == []
    assert not [m for m in _messages(response) if "Stripe" in m]
