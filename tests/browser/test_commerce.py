"""Buying in a real browser (issue 6): basket (HTMX count), test-card checkout, the order,
the locker, and a download with 7digital's filename (the locker's Download buttons POST
for a short-lived link to the file). Screenshots of each step."""

from __future__ import annotations

import pytest

from .conftest import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

EMAIL = "buyer@example.com"
PASSWORD = "a long passphrase 7"


def test_a_customer_buys_no_surprises_and_downloads_it(desktop, storefront, monkeypatch):
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.services import partner_user_ensure
    from store.checkout import tasks

    # The worker's jobs, done at once.
    monkeypatch.setattr(tasks.order_line_deliver, "delay", tasks.order_line_deliver)
    monkeypatch.setattr(tasks.order_receipt_send, "delay", tasks.order_receipt_send)
    user = User.objects.create_user(email=EMAIL, password=PASSWORD, country="GB")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    partner_user_ensure(user=user)
    page = desktop

    page.goto("/releases/1046/")
    page.locator(".release-buy").get_by_role("button", name="Add standard to basket").click()
    expect(page.locator("#basket-status")).to_contain_text("Added “No Surprises”")
    expect(page.locator("#basket-link")).to_contain_text("(1")

    page.locator("#basket-link").click()
    expect(page.locator("h1")).to_have_text("Your basket")
    expect(page.locator(".basket-total")).to_have_text("£2.49")
    screenshot(page, "basket")

    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Email:").fill(EMAIL)  # checkout asks the visitor to sign in
    page.get_by_label("Password:").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page.locator("h1")).to_have_text("Checkout")
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay £2.49").click()
    expect(page.locator(".form-error")).to_contain_text("Your card was declined.")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    screenshot(page, "checkout")
    page.get_by_role("button", name="Pay £2.49").click()

    expect(page.locator("h1")).to_contain_text("Order ")
    expect(page.locator(".order-status")).to_contain_text("Complete")
    screenshot(page, "order")

    page.locator(".account-nav").get_by_role("link", name="Locker").click()
    expect(page.locator(".locker-release h2")).to_have_text("No Surprises")
    screenshot(page, "locker")
    with page.expect_download() as download:
        page.locator(".locker-track").first.get_by_role("button", name="MP3 320").click()
    assert download.value.suggested_filename.endswith(".mp3")
    assert " - " in download.value.suggested_filename
    with page.expect_download() as zipped:
        page.get_by_role("button", name="Download the release (ZIP)").click()
    assert zipped.value.suggested_filename.endswith("No Surprises.zip")
