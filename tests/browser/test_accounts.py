"""Accounts in a real browser (issue 5): sign up, verify the email from the outbox, sign in
by an emailed code, set the country; the partner user appears in the sandbox."""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

EMAIL = "new.listener@example.com"
PASSWORD = "a long passphrase 7"


def _last_mail_matching(pattern: str) -> str:
    from django.core import mail

    for message in reversed(mail.outbox):
        found = re.search(pattern, message.body, re.MULTILINE)
        if found:
            return found[1]
    raise AssertionError(f"no email matches {pattern!r}")


def test_a_visitor_signs_up_verifies_signs_in_by_code_and_sets_a_country(
    desktop, storefront, sandbox_server, monkeypatch
):
    from accounts import tasks
    from accounts.models import User

    # The worker's job, done at once: the partner user is created at the sandbox.
    monkeypatch.setattr(tasks.partner_user_link, "delay", tasks.partner_user_link)
    page = desktop

    page.goto("/")
    page.locator(".account-nav").get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="sign up").click()
    expect(page.locator("h1")).to_have_text("Sign Up")
    page.get_by_label("Email:").fill(EMAIL)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    screenshot(page, "sign-up")
    page.locator("main").get_by_role("button", name="Sign Up").click()
    expect(page.locator("h1")).to_have_text("Verify Your Email Address")

    page.goto(_last_mail_matching(r"(https?://\S+/accounts/confirm-email/\S+/)"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.locator("main").get_by_role("button", name="Sign out").click()
    page.locator(".account-nav").get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Send me a sign-in code").click()
    page.get_by_label("Email:").fill(EMAIL)
    page.get_by_role("button", name="Request Code").click()
    page.get_by_label("Code:").fill(_last_mail_matching(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.locator("main").get_by_label("Country:").select_option("DE")
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your details are saved.")
    expect(page.locator("#country-select")).to_have_value("DE")
    screenshot(page, "account")

    partner_user_id = User.objects.get(email=EMAIL).partner_user.partner_user_id
    users = requests.get(f"{sandbox_server.url}/_sandbox/users", timeout=10).json()["users"]
    assert [user["user_id"] for user in users] == [partner_user_id]
