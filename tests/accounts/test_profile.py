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


@pytest.fixture
def signed_in(client):
    """A customer who has just confirmed their password again, as sensitive changes ask."""
    user = User.objects.create_user(email="listener@example.com", password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return user


def test_closing_the_account_explains_what_happens_to_purchases(client, listener):
    html = client.get(reverse("account_delete")).content.decode()

    assert "What happens to your purchases" in html
    assert "no longer be able to download" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_closing_the_account_needs_the_box_ticked(client, signed_in):
    response = client.post(reverse("account_delete"), {})

    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    signed_in.refresh_from_db()
    assert signed_in.is_active


def test_closing_the_account_erases_the_customer_but_keeps_the_partner_user(client, signed_in):
    from allauth.account.models import EmailAddress

    from accounts.models import PartnerUser

    listener = signed_in
    partner_user = PartnerUser.objects.create(user=listener, country="GB")
    other_browser = client.__class__()
    other_browser.force_login(listener)

    response = client.post(reverse("account_delete"), {"confirm": "on"}, follow=True)

    assert "Your account is closed." in response.content.decode()
    listener.refresh_from_db()
    assert not listener.is_active
    assert "listener" not in listener.email
    assert (listener.first_name, listener.last_name) == ("", "")
    assert not listener.has_usable_password()
    assert not EmailAddress.objects.filter(email="listener@example.com").exists()
    assert PartnerUser.objects.get(pk=partner_user.pk).user_id == listener.pk
    assert client.get(reverse("account_profile")).status_code == 302, "signed out here"
    assert other_browser.get(reverse("account_profile")).status_code == 302, "and everywhere"
    assert (
        client.post(
            reverse("account_login"), {"login": "listener@example.com", "password": PASSWORD}
        ).status_code
        == 200
    ), "the old password no longer signs in"


def test_closing_the_account_asks_again_who_you_are_after_a_while(client, listener):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=listener, email=listener.email, verified=True, primary=True)
    # Signed in with a password long ago: allauth's record of it is missing here.
    response = client.post(reverse("account_delete"), {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    listener.refresh_from_db()
    assert listener.is_active
