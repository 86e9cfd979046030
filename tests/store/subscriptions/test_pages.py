"""The customer's pages: the plans, subscribing with the test gateway, the account page
(status, dates, 7digital's confirmation, payments, cancel and resume), each customer
seeing only their own subscription, CSRF, and no error page for bad requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from store.subscriptions.models import Subscription

from .conftest import make_plan

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SUBSCRIBE = "/subscribe/"
ACCOUNT = "/account/subscription/"


@pytest.fixture(autouse=True)
def _billing_settings(settings):
    settings.PAYMENT_GATEWAY = "test"
    settings.BILLING_GATEWAY = "test"
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    settings.SITE_URL = "https://shop.example.com"


@pytest.fixture
def plan():
    return make_plan(trial_days=14)


@pytest.fixture
def signed_in(client, subscriber):
    client.force_login(subscriber)
    return client


def subscribe(client, capture, plan):
    with capture(execute=True):
        response = client.post(f"{SUBSCRIBE}{plan.slug}/")
    assert response.status_code == 302 and "/subscribe/return/?session_id=" in response.url
    with capture(execute=True):
        back = client.get(response.url)
    assert back.status_code == 302 and back.url == ACCOUNT
    return back


def test_the_plans_page_shows_each_plan_its_price_trial_and_features_signed_out(client, plan):
    make_plan(slug="standard-monthly", code="standard-unlimited-streaming")
    make_plan(slug="retired").__class__.objects.filter(slug="retired").update(active=False)

    page = client.get(SUBSCRIBE).content.decode()

    assert "Premium Monthly" in page and "Standard Monthly" in page and "Retired" not in page
    assert "£9.99" in page and "14-day free trial" in page and "Offline listening" in page
    assert "Sign in to subscribe" in page and "/accounts/login/?next=/subscribe/" in page
    assert 'action="/subscribe/premium-monthly/"' not in page


def test_the_header_links_the_plans_and_the_profile_links_the_account_page(signed_in):
    assert 'href="/subscribe/"' in signed_in.get(SUBSCRIBE).content.decode()
    assert f'href="{ACCOUNT}"' in signed_in.get("/accounts/profile/").content.decode()


def test_a_price_is_shown_in_the_visitors_currency_or_said_missing(client, plan):
    session = client.session
    session["country"] = "US"
    session.save()

    page = client.get(SUBSCRIBE).content.decode()

    assert "Not sold in USD" in page and "£9.99" not in page


def test_signed_out_subscribing_is_sent_to_sign_in_and_back(client, plan):
    response = client.post(f"{SUBSCRIBE}{plan.slug}/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/subscribe/"
    assert client.get(ACCOUNT).url.startswith("/accounts/login/?next=/account/subscription/")


def test_subscribing_then_the_account_page_shows_it_and_7digitals_confirmation(
    signed_in, plan, django_capture_on_commit_callbacks, sync_queue, clock
):
    page = signed_in.get(SUBSCRIBE).content.decode()
    assert 'action="/subscribe/premium-monthly/"' in page and "csrfmiddlewaretoken" in page

    subscribe(signed_in, django_capture_on_commit_callbacks, plan)

    page = signed_in.get(ACCOUNT).content.decode()
    assert "Premium Monthly" in page and "Free trial" in page and "Trial ends" in page
    assert "Streaming access is being set up" in page
    assert "Next renewal" in page and "Cancel my subscription" in page
    sync_queue.send_all()
    page = signed_in.get(ACCOUNT).content.decode()
    assert "Confirmed: your streaming access is set up." in page
    assert "Payments" in page and "Paid" in page  # the trial's zero bill


def test_cancel_asks_first_then_resume(
    signed_in, plan, django_capture_on_commit_callbacks, sync_queue, clock
):
    subscribe(signed_in, django_capture_on_commit_callbacks, plan)
    sync_queue.send_all()

    confirm = signed_in.get(f"{ACCOUNT}cancel/").content.decode()
    assert "Cancel your subscription?" in confirm and "csrfmiddlewaretoken" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"{ACCOUNT}cancel/", follow=True)
    page = response.content.decode()
    assert "Cancelled: streaming until" in page and "Resume my subscription" in page
    assert Subscription.objects.get().cancel_at_period_end

    with django_capture_on_commit_callbacks(execute=True):
        page = signed_in.post(f"{ACCOUNT}resume/", follow=True).content.decode()
    assert "Resumed" in page and "Cancel my subscription" in page
    assert not Subscription.objects.get().cancel_at_period_end


def test_another_customer_never_sees_nor_changes_ones_subscription(
    client, signed_in, plan, django_capture_on_commit_callbacks, sync_queue
):
    from tests.store.conftest import make_customer

    subscribe(signed_in, django_capture_on_commit_callbacks, plan)
    other = Client()
    other.force_login(make_customer("other@example.com"))

    page = other.get(ACCOUNT).content.decode()
    assert "You do not subscribe yet" in page and "Premium Monthly" not in page
    other.post(f"{ACCOUNT}cancel/")
    other.post(f"{ACCOUNT}portal/")
    assert not Subscription.objects.get().cancel_at_period_end
    # Coming back from someone else's checkout does not make it theirs.
    reference = Subscription.objects.get().gateway_reference
    assert other.get(f"{SUBSCRIBE}return/?session_id={reference}").status_code == 302
    assert Subscription.objects.filter(user__email="other@example.com").count() == 0


def test_forms_need_the_csrf_token(subscriber, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(subscriber)

    assert client.post(f"{SUBSCRIBE}{plan.slug}/").status_code == 403
    assert client.post(f"{ACCOUNT}cancel/").status_code == 403
    assert client.post(f"{ACCOUNT}resume/").status_code == 403
    assert Subscription.objects.count() == 0


def test_bad_requests_are_answered_without_an_error_page(signed_in, plan):
    unknown = signed_in.post(f"{SUBSCRIBE}no-such-plan/", follow=True)
    assert unknown.status_code == 200 and "That plan is not on offer." in unknown.content.decode()
    assert signed_in.get(f"{SUBSCRIBE}{plan.slug}/").status_code == 405
    assert signed_in.get(f"{ACCOUNT}resume/").status_code == 405
    assert signed_in.get(f"{ACCOUNT}portal/").status_code == 405
    assert signed_in.post(SUBSCRIBE).status_code == 405
    assert signed_in.post(f"{ACCOUNT}resume/").status_code == 302  # nothing to resume
    assert signed_in.get(f"{ACCOUNT}cancel/").status_code == 302
    assert signed_in.get(f"{SUBSCRIBE}return/?session_id=nonsense").status_code == 302
    assert signed_in.get(f"{SUBSCRIBE}return/").status_code == 302
    assert signed_in.get(ACCOUNT).status_code == 200


def test_an_ended_subscription_offers_to_subscribe_again(
    signed_in, subscriber, plan, django_capture_on_commit_callbacks, sync_queue, clock
):
    subscribe(signed_in, django_capture_on_commit_callbacks, plan)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"{ACCOUNT}cancel/")
    clock.advance(timedelta(days=15))
    from store.subscriptions import services

    with django_capture_on_commit_callbacks(execute=True):
        services.subscriptions_test_cycle()
    signed_in.force_login(subscriber)  # the session has expired meanwhile

    page = signed_in.get(ACCOUNT).content.decode()
    assert "Ended on" in page and "Subscribe again" in page
    assert "Streaming access has ended." in page and "Confirmed" not in page
    plans = signed_in.get(SUBSCRIBE).content.decode()
    assert 'action="/subscribe/premium-monthly/"' in plans
