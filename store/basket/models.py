"""Baskets: what a customer means to buy, priced when added and again at checkout."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

STANDARD_PACKAGE = 2
PREMIUM_PACKAGE = 9


class Basket(models.Model):
    """An anonymous basket (its id in the session) or a customer's.

    A customer has at most one open basket. At checkout it is frozen while the payment
    is taken, so a second submit cannot pay for it twice; a failed payment thaws it.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FROZEN = "frozen", "Frozen for payment"
        SUBMITTED = "submitted", "Submitted"
        MERGED = "merged", "Merged into another"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="baskets",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(status="open"),
                name="basket_one_open_per_owner",
            )
        ]

    def __str__(self) -> str:
        return f"basket {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class BasketLine(models.Model):
    """A release or a track in one package. Digital goods: no quantity, and one line per
    item (choosing the other package replaces it)."""

    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    item_key = models.CharField(max_length=40)  # "release:1046" or "track:123456"
    release_id = models.BigIntegerField()
    track_id = models.BigIntegerField(null=True, blank=True)
    package_id = models.IntegerField(default=STANDARD_PACKAGE)
    package_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=500)
    artist_name = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["basket", "item_key"], name="basket_line_unique_item")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_track(self) -> bool:
        return self.track_id is not None


def item_key(*, release_id: int, track_id: int | None) -> str:
    return f"track:{track_id}" if track_id is not None else f"release:{release_id}"
