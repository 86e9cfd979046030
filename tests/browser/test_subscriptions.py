"""Subscribing in a real browser (issue 18): the plans from the header, the test gateway's
checkout, the account page once 7digital (the sandbox server) confirms, and cancelling
at period end after confirming. Screenshots of each step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

EMAIL = "subscriber@example.com"
PASSWORD = "a long passphrase 7"


def test_a_customer_subscribes_sees_it_confirmed_and_cancels(
    desktop, storefront, settings, monkeypatch
):
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.services import partner_user_ensure
    from sandbox.backends.subscriptions import subscriptions_backend
    from store.subscriptions import services, tasks
    from store.subscriptions.models import Plan, PlanPrice, Subscription

    settings.PAYMENT_GATEWAY = "test"
    settings.BILLING_GATEWAY = "test"
    settings.SEVENDIGITAL_SHOP_ID = None
    # The worker's job, done at once.
    monkeypatch.setattr(
        tasks.subscription_sync_send,
        "delay",
        lambda sync_id: services.subscription_sync_send(sync_id=sync_id),
    )
    plan = Plan.objects.create(
        name="Premium",
        slug="premium",
        plan_code=Plan.Code.PREMIUM,
        trial_days=14,
        features="Every track in the catalogue\nListen offline",
    )
    PlanPrice.objects.create(plan=plan, currency="GBP", amount=Decimal("9.99"))
    user = User.objects.create_user(email=EMAIL, password=PASSWORD, country="GB")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    partner_user_ensure(user=user)
    page = desktop

    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="Subscribe").click()
    expect(page.locator("h1")).to_have_text("Unlimited streaming")
    expect(page.locator(".plan-price")).to_contain_text("£9.99")
    screenshot(page, "subscribe-plans")

    page.get_by_role("link", name="Sign in to subscribe").click()
    page.get_by_label("Email:").fill(EMAIL)
    page.get_by_label("Password:").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page.locator("h1")).to_have_text("Unlimited streaming")
    page.get_by_role("button", name="Subscribe to Premium").click()

    expect(page.locator("h1")).to_have_text("Your subscription")
    expect(page.locator(".subscription-status")).to_contain_text("Free trial")
    expect(page.locator(".subscription-sync")).to_contain_text("Confirmed")
    screenshot(page, "subscription-account")
    subscription = Subscription.objects.get(user=user)
    held = subscriptions_backend.subscriptions(user_id=subscription.partner_user_id).first()
    assert held.plan_code == "trial-unlimited-streaming" and held.status == "active"

    page.get_by_role("link", name="Cancel my subscription").click()
    expect(page.locator("h1")).to_have_text("Cancel your subscription?")
    screenshot(page, "subscription-cancel")
    page.get_by_role("button", name="Yes, cancel at the end of the period").click()

    expect(page.locator(".subscription-status")).to_contain_text("Cancelled: streaming until")
    expect(page.get_by_role("button", name="Resume my subscription")).to_be_visible()
    screenshot(page, "subscription-cancelled")
    held = subscriptions_backend.subscriptions(user_id=subscription.partner_user_id).first()
    assert held.status == "cancelled"


def test_the_plans_page_and_its_header_link_fit_a_phone(phone, storefront):
    from store.subscriptions.models import Plan, PlanPrice

    plan = Plan.objects.create(name="Premium", slug="premium", plan_code=Plan.Code.PREMIUM)
    PlanPrice.objects.create(plan=plan, currency="GBP", amount=Decimal("9.99"))
    page = phone

    page.goto("/subscribe/")

    expect(page.locator(".site-nav").get_by_role("link", name="Subscribe")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to subscribe")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    nav = page.locator(".site-nav").bounding_box()
    basket = page.locator(".header-basket").bounding_box()
    assert nav["x"] + nav["width"] <= basket["x"] + 1  # side by side, not over each other
    screenshot(page, "subscribe-plans-phone")
