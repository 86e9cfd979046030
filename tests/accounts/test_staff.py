"""Staff and editors: their groups, and the second factor they must use for staff pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import tasks
from accounts.models import PartnerUser, User
from accounts.roles import EDITORS_GROUP, STAFF_GROUP
from tests.conftest import pass_second_factor, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 7"
ADMIN = "/admin/"


@pytest.fixture
def staff_member():
    user = User.objects.create_user(email="staff@example.com", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    return user


def test_the_staff_and_editors_groups_exist_with_their_permissions():
    staff = Group.objects.get(name=STAFF_GROUP)
    codenames = set(staff.permissions.values_list("codename", flat=True))
    assert {"view_user", "change_partneruser", "view_previewplay"} <= codenames
    assert "delete_user" not in codenames
    assert Group.objects.filter(name=EDITORS_GROUP).exists()


def test_signing_in_to_the_admin_goes_through_the_sites_sign_in(client):
    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_two_factor_authentication_are_sent_to_set_it_up(client, staff_member):
    client.force_login(staff_member)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_staff_signed_in_without_their_second_factor_are_asked_for_it(client, staff_member):
    pass_second_factor(client, staff_member)
    client.logout()
    client.force_login(staff_member)  # a password alone, as in a session from before 2FA

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=%2Fadmin%2F" in response["Location"]


def test_staff_signed_in_with_both_factors_reach_the_admin(client, staff_member):
    pass_second_factor(client, staff_member)

    assert client.get(ADMIN).status_code == 200


def test_signing_in_with_a_password_asks_staff_for_their_code(client, staff_member):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    EmailAddress.objects.create(
        user=staff_member, email=staff_member.email, verified=True, primary=True
    )
    secret = generate_totp_secret()
    TOTP.activate(staff_member, secret)

    response = client.post(
        reverse("account_login"), {"login": staff_member.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session, "not signed in on the password alone"

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_editors_need_the_second_factor_too(client):
    editor = User.objects.create_user(email="editor@example.com", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)

    assert client.get(ADMIN)["Location"].startswith(reverse("mfa_activate_totp"))


def test_customers_use_the_shop_without_a_second_factor(client):
    customer = User.objects.create_user(email="listener@example.com", password=PASSWORD)
    client.force_login(customer)

    assert client.get(reverse("account_profile")).status_code == 200
    assert client.get(ADMIN, follow=True).status_code == 403, "and the admin is not theirs"


def test_leaving_the_admin_needs_no_second_factor(client, staff_member):
    client.force_login(staff_member)

    response = client.post(reverse("admin:logout"))

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_shows_each_accounts_link_and_retries_failed_ones(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.partner_user_link, "delay", queued.append)
    failed = PartnerUser.objects.create(
        user=User.objects.create_user(email="failed@example.com"),
        country="GB",
        state=PartnerUser.State.FAILED,
        last_error="1002 Invalid parameter value",
    )
    linked = PartnerUser.objects.create(
        user=User.objects.create_user(email="linked@example.com"),
        country="GB",
        state=PartnerUser.State.LINKED,
    )

    changelist = admin_client.get(reverse("admin:accounts_partneruser_changelist"))
    assert "1002 Invalid parameter value" in changelist.content.decode()
    users = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Failed" in users and "Linked" in users

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_partneruser_changelist"),
            {"action": "retry_link", "_selected_action": [failed.pk, linked.pk]},
            follow=True,
        )

    said = "Queued 1 to be created at 7digital again; 1 already linked."
    assert said in response.content.decode()
    assert queued == [failed.pk]
    failed.refresh_from_db()
    assert failed.state == PartnerUser.State.PENDING
    assert admin_client.get(
        reverse("admin:accounts_partneruser_delete", args=[failed.pk])
    ).status_code in (302, 403)


def test_staff_without_the_change_permission_cannot_retry(client, monkeypatch):
    viewer = User.objects.create_user(email="viewer@example.com", password=PASSWORD, is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="view_partneruser")
    )
    pass_second_factor(client, viewer)
    failed = PartnerUser.objects.create(
        user=User.objects.create_user(email="failed@example.com"),
        country="GB",
        state=PartnerUser.State.FAILED,
    )

    response = client.post(
        reverse("admin:accounts_partneruser_changelist"),
        {"action": "retry_link", "_selected_action": [failed.pk]},
    )

    assert b"retry_link" not in client.get(reverse("admin:accounts_partneruser_changelist")).content
    failed.refresh_from_db()
    assert failed.state == PartnerUser.State.FAILED
    assert response.status_code in (200, 302)


# Transactional: allauth says an authenticator was added once its transaction commits,
# as in a real request; inside a test's transaction that would never come.
@pytest.mark.django_db(transaction=True)
def test_the_first_administrator_reaches_the_admin_as_the_readme_says(client):
    import re

    from django.core import mail

    User.objects.create_superuser(email="admin@example.com", password=PASSWORD)

    response = client.post(
        reverse("account_login"), {"login": "admin@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    confirm = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body)[1]
    client.post(confirm)  # signs in as well

    response = client.get(ADMIN)
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    activate = response["Location"]
    response = client.get(activate)
    assert response["Location"].startswith(reverse("account_reauthenticate")), "password first"
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(activate)
    assert response.status_code == 200, "the QR code to scan"
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, "the authenticator app's code is accepted"

    codes = client.get(response["Location"])
    assert 'href="/admin/">Continue to the staff pages</a>' in codes.text, "and a way back"
    assert client.get(ADMIN).status_code == 200, "no second code right after setting it up"


def _sign_in_with_a_password(client, user) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _set_up_an_authenticator(client, activate: str) -> str:
    response = client.get(activate)
    if response.status_code == 302:  # allauth asks for the password again first
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(response["Location"], {"password": PASSWORD})
        response = client.get(activate)
    assert response.status_code == 200, "the QR code to scan"
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    return response["Location"]


@pytest.mark.django_db(transaction=True)  # see the first administrator's test
def test_setting_up_two_factors_leads_back_to_the_staff_page_and_counts_for_the_session(client):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user(email="staff@example.com", password=PASSWORD, is_staff=True)
    # Given directly: an earlier transactional test's flush took the Staff group's.
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    _sign_in_with_a_password(client, user)
    orders = reverse("admin:checkout_order_changelist")
    sent_to = client.get(orders)["Location"]
    assert sent_to.startswith(reverse("mfa_activate_totp"))

    codes_page = client.get(_set_up_an_authenticator(client, sent_to)).text

    assert f'<a href="{orders}">Continue to the staff pages</a>' in codes_page
    assert client.get(orders).status_code == 200, "set up just now: no code asked again"
    another_session = Client()
    another_session.force_login(user)  # a password alone, elsewhere
    assert another_session.get(orders)["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.django_db(transaction=True)  # see the first administrator's test
def test_a_customers_recovery_codes_lead_back_to_their_two_factor_page(client):
    user = User.objects.create_user(email="listener@example.com", password=PASSWORD)
    _sign_in_with_a_password(client, user)

    codes_page = client.get(_set_up_an_authenticator(client, reverse("mfa_activate_totp"))).text

    back = reverse("mfa_index")
    assert f'<a href="{back}">Back to two-factor authentication</a>' in codes_page
    assert "staff pages" not in codes_page


def test_staff_who_remove_their_authenticator_are_sent_to_set_one_up_again(client, staff_member):
    from allauth.mfa.models import Authenticator

    pass_second_factor(client, staff_member)
    Authenticator.objects.filter(user=staff_member).delete()  # as "Deactivate" does

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
