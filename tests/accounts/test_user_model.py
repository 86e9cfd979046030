import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

User = get_user_model()

pytestmark = pytest.mark.django_db


def test_the_user_model_is_the_accounts_user_keyed_on_email():
    assert User._meta.label == "accounts.User"
    assert User.USERNAME_FIELD == "email"
    assert User.REQUIRED_FIELDS == []


def test_create_user_needs_only_an_email_and_a_password():
    user = User.objects.create_user(email="listener@example.com", password="correct horse")

    assert user.email == "listener@example.com"
    assert user.check_password("correct horse")
    assert "username" not in {field.name for field in User._meta.get_fields()}
    assert str(user) == "listener@example.com"


def test_create_user_normalises_the_email_domain():
    user = User.objects.create_user(email="Listener@EXAMPLE.COM", password="correct horse")

    assert user.email == "Listener@example.com"


def test_create_user_without_a_password_leaves_it_unusable():
    user = User.objects.create_user(email="listener@example.com")

    assert not user.has_usable_password()


def test_create_user_gives_no_staff_or_superuser_rights():
    user = User.objects.create_user(email="listener@example.com", password="correct horse")

    assert user.is_active
    assert not user.is_staff
    assert not user.is_superuser


def test_create_user_refuses_an_empty_email():
    with pytest.raises(ValueError, match=r"^Users must have an email address\.$"):
        User.objects.create_user(email="", password="correct horse")


def test_a_second_user_with_the_same_email_is_rejected():
    User.objects.create_user(email="listener@example.com", password="correct horse")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="listener@EXAMPLE.com", password="battery staple")

    assert User.objects.count() == 1


def test_create_superuser_sets_the_staff_and_superuser_flags():
    admin = User.objects.create_superuser(email="admin@example.com", password="correct horse")

    assert admin.is_active
    assert admin.is_staff
    assert admin.is_superuser


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_create_superuser_refuses_to_drop_a_flag(flag):
    with pytest.raises(ValueError, match=rf"^A superuser must have {flag}=True\.$"):
        User.objects.create_superuser(
            email="admin@example.com", password="correct horse", **{flag: False}
        )
