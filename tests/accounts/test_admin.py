import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

User = get_user_model()

pytestmark = pytest.mark.django_db


# admin_client is pytest-django's: a client signed in as a superuser made by the manager.


def test_the_user_admin_lists_users_by_email(admin_client):
    User.objects.create_user(email="listener@example.com")

    response = admin_client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    assert b"listener@example.com" in response.content


def test_the_user_admin_adds_a_user_from_an_email_and_a_password(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.listener@example.com",
            "usable_password": "true",
            "password1": "a long passphrase 1",
            "password2": "a long passphrase 1",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.listener@example.com")
    assert user.check_password("a long passphrase 1")


def test_the_user_admin_edits_a_user(admin_client):
    user = User.objects.create_user(email="listener@example.com")

    response = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'name="username"' not in response.content
