"""Signing up and in with django-allauth: email only, verified, by password or by an
emailed code; resets, rate limits, and nothing that tells who has an account."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 7"


@pytest.fixture(autouse=True)
def _no_partner_users_queued(monkeypatch):
    from accounts import tasks

    monkeypatch.setattr(tasks.partner_user_link, "delay", lambda *args: None)


@pytest.fixture
def listener():
    user = User.objects.create_user(email="listener@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body)[1]


def _code_in(message) -> str:
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)[1]


def test_the_sign_up_page_asks_for_an_email_and_a_password_only(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert 'name="email"' in html
    assert 'name="password1"' in html
    assert 'name="username"' not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="/static/css/site.css"' in html or "site.css" in html, "the site's own layout"


def test_a_new_account_must_verify_its_email_before_signing_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert "_auth_user_id" not in client.session, "not signed in before verifying"

    confirm = _link_in(message)
    assert client.get(confirm).status_code == 200, "confirming needs a click (POST)"
    response = client.post(confirm)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get(reverse("account_profile")).status_code == 200, "signed in by confirming"


def test_signing_in_by_an_emailed_code_instead_of_the_password(client, listener):
    response = client.post(reverse("account_request_login_code"), {"email": listener.email})
    assert response.status_code == 302
    (message,) = mail.outbox

    response = client.post(reverse("account_confirm_login_code"), {"code": _code_in(message)})

    assert response.status_code == 302
    assert client.get(reverse("account_profile")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, listener):
    client.post(reverse("account_request_login_code"), {"email": listener.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_resetting_a_forgotten_password(client, listener):
    client.post(reverse("account_reset_password"), {"email": listener.email})
    (message,) = mail.outbox
    form = client.get(_link_in(message), follow=True)
    assert form.status_code == 200

    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else _link_in(message),
        {"password1": "another long passphrase", "password2": "another long passphrase"},
    )

    assert response.status_code == 302
    listener.refresh_from_db()
    assert listener.check_password("another long passphrase")


def test_nothing_tells_a_stranger_whether_an_email_has_an_account(client, listener):
    known = client.post(reverse("account_reset_password"), {"email": listener.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The unknown address is told, by email, that it has no account: only its owner learns it.
    assert sorted(m.to[0] for m in mail.outbox) == ["listener@example.com", "nobody@example.com"]


def test_signing_up_with_an_address_that_has_an_account_looks_the_same(client, listener):
    response = client.post(
        reverse("account_signup"),
        {"email": listener.email, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1


def test_repeated_wrong_passwords_are_rate_limited(client, listener):
    def sign_in(password):
        response = client.post(
            reverse("account_login"), {"login": listener.email, "password": password}
        )
        return response.status_code, response.content.decode()

    answers = [sign_in("wrong") for _ in range(6)]

    assert all(status == 200 for status, _ in answers), "the form again, with the reason"
    assert "are not correct" in answers[0][1]
    assert "Too many failed login attempts" in answers[-1][1]
    status, html = sign_in(PASSWORD)
    assert status == 200 and "Too many failed login attempts" in html, "even the right one waits"
    assert "_auth_user_id" not in client.session


def test_the_header_links_to_sign_in_or_to_the_account(client, listener):
    signed_out = client.get(reverse("account_signup")).content.decode()
    assert 'href="/accounts/login/">Sign in' in signed_out
    client.force_login(listener)
    assert 'href="/accounts/profile/"' in client.get(reverse("account_profile")).content.decode()


def test_account_mail_greets_with_the_shop_s_name_not_the_server_s_address(client, settings):
    settings.SHOP_NAME = "Northern Sounds"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Northern Sounds] "
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    (message,) = mail.outbox
    assert message.body.startswith("Hello from Northern Sounds!")
    assert "Thank you for using Northern Sounds!" in message.body
    assert message.subject.startswith("[Northern Sounds] ")
    assert "Hello from testserver" not in message.body
