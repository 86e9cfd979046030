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


def test_the_admin_index_names_each_section_once_for_what_it_holds(admin_client):
    import re

    page = admin_client.get(reverse("admin:index")).content.decode()

    sections = re.findall(r'<a href="[^"]+" class="section"[^>]*>([^<]+)</a>', page)
    assert len(sections) == len(set(sections)), sections
    assert "Users and 7digital links" in sections  # this site's users and their links
    assert "Sign-in email addresses" in sections  # allauth's
    assert "Accounts" not in sections


def test_the_admin_index_links_the_play_log_dashboard_for_staff_who_may_see_it(client):
    from django.contrib.auth.models import Group

    from tests.conftest import pass_second_factor

    staff = User.objects.create_user(email="staff@example.com", is_staff=True)
    staff.groups.add(Group.objects.get(name="Staff"))
    pass_second_factor(client, staff)

    page = client.get(reverse("admin:index")).content.decode()

    dashboard = reverse("admin:playlogs_dashboard")
    assert f'<a href="{dashboard}">Play logs dashboard</a>' in page
    assert client.get(dashboard).status_code == 200


def test_the_admin_index_shows_no_dashboard_link_to_staff_who_may_not_see_it(client):
    from tests.conftest import pass_second_factor

    pass_second_factor(client, User.objects.create_user(email="clerk@example.com", is_staff=True))

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:playlogs_dashboard") not in page
