"""The customer's account page: name and country, and the way to everything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 7"


@pytest.fixture
def listener(client):
    user = User.objects.create_user(email="listener@example.com", password=PASSWORD)
    client.force_login(user)
    return user


def test_the_account_page_needs_signing_in(client):
    response = client.get(reverse("account_profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_account_page_links_emails_password_two_factor_and_sessions(client, listener):
    html = client.get(reverse("account_profile")).content.decode()

    assert "listener@example.com" in html
    for name in ("account_email", "account_change_password", "mfa_index", "usersessions_list"):
        assert f'href="{reverse(name)}"' in html
    for name in ("account_email", "account_change_password", "mfa_index", "usersessions_list"):
        assert client.get(reverse(name)).status_code == 200, name


def test_changing_name_and_country_keeps_them_and_prices_follow(client, listener):
    response = client.post(
        reverse("account_profile"),
        {"first_name": "Thom", "last_name": "Yorke", "country": "US"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Your details are saved." in response.content.decode()
    listener.refresh_from_db()
    assert (listener.first_name, listener.last_name, listener.country) == ("Thom", "Yorke", "US")
    assert client.session["country"] == "US"
    assert '<option value="US" selected>' in response.content.decode()


def test_a_country_the_shop_does_not_serve_is_refused(client, listener):
    response = client.post(
        reverse("account_profile"), {"first_name": "", "last_name": "", "country": "XX"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    listener.refresh_from_db()
    assert listener.country == ""


def test_the_country_switch_in_the_header_is_kept_with_the_account(client, listener):
    client.post(reverse("catalogue:country"), {"country": "FR", "next": "/"})

    listener.refresh_from_db()
    assert listener.country == "FR"


def test_signing_in_brings_the_accounts_country_to_this_browser(client):
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email="fr@example.com", password=PASSWORD, country="FR")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post(reverse("catalogue:country"), {"country": "GB", "next": "/"})

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert client.session["country"] == "FR"
