import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager


class User(AbstractUser):
    """A customer or member of staff, who signs in with an email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # Blank until the customer chooses one: the shop's country (or the visitor's
    # choice, remembered in the session) applies meanwhile.
    country = models.CharField(_("country"), max_length=2, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.email


def new_partner_user_id() -> str:
    """An opaque, permanent id for 7digital: never the email (reference line 6456).

    128 random bits, so ids never collide and reveal nothing about the account.
    """
    return f"u{secrets.token_hex(16)}"


class PartnerUser(models.Model):
    """The 7digital partner user an account acts as, and whether 7digital has it yet.

    The row is written with the account, before 7digital is asked: the id is ours,
    so it never changes, and creating it at 7digital can be retried until it works
    (``user/create`` answering 2003 "already exists" counts as done).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        LINKED = "linked", _("Linked")
        FAILED = "failed", _("Failed")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # purchases at 7digital hang off this id
        related_name="partner_user",
    )
    partner_user_id = models.CharField(
        _("partner user id"),
        max_length=64,
        unique=True,
        default=new_partner_user_id,
        editable=False,
    )
    country = models.CharField(_("country at 7digital"), max_length=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("7digital partner user")
        indexes = [models.Index(fields=["state", "last_attempt_at"])]

    def __str__(self):
        return self.partner_user_id
