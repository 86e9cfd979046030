"""Orders: what a customer paid for, what 7digital was told, and every refund.

An order is written before any money moves and before 7digital hears of it, so a
crash at any point leaves a row that says how far it got (see services.py).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse


def order_number_new() -> str:
    """A number to quote on the phone: no 0/O or 1/I to misread, and not guessable."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Awaiting payment"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        PAID = "paid", "Paid"
        DELIVERING = "delivering", "Delivering"
        COMPLETE = "complete", "Complete"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        REFUNDED = "refunded", "Refunded"
        PARTLY_REFUNDED = "partly_refunded", "Partly refunded"

    number = models.CharField(max_length=20, unique=True, default=order_number_new)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    email = models.EmailField()
    partner_user_id = models.CharField(max_length=255)
    country = models.CharField(max_length=2)
    post_code = models.CharField(max_length=10, blank=True)  # US sales need one
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    gateway = models.CharField(max_length=20)
    payment_reference = models.CharField(max_length=255, blank=True)
    payment_error = models.CharField(max_length=500, blank=True)
    basket = models.ForeignKey(
        "basket.Basket", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        permissions = [("refund_order", "Can refund orders")]

    def __str__(self) -> str:
        return f"Order {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("checkout:order", args=[self.number])

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class OrderLine(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be delivered"
        DELIVERED = "delivered", "In your locker"
        FAILED = "failed", "Could not be delivered"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    release_id = models.BigIntegerField()
    track_id = models.BigIntegerField(null=True, blank=True)
    package_id = models.IntegerField()
    package_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=500)
    artist_name = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    # 7digital's transactionId: ours, unique per line, sent with every delivery attempt.
    transaction_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    purchase_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # True from the moment a deliveritem call starts until its answer is recorded: a crash,
    # timeout or dropped connection leaves it set, and the next attempt asks the locker
    # whether 7digital made the sale before selling again.
    outcome_unknown = models.BooleanField(default=False)
    last_error = models.CharField(max_length=500, blank=True)
    # While an attempt runs nobody else may start one; a worker that dies lets it lapse.
    lease_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    refund_reported_at = models.DateTimeField(null=True, blank=True)
    # As outcome_unknown, for the refund call to 7digital: set from the moment it starts
    # until its answer is recorded. A later attempt that hears "no such sale" (2001) then
    # knows that the earlier one went through.
    refund_outcome_unknown = models.BooleanField(default=False)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_track(self) -> bool:
        return self.track_id is not None


class Refund(models.Model):
    """One refund staff asked for: some lines of an order, 7digital told of each, then
    the payment returned for the lines it accepted (or staff overrode).

    Written and committed before 7digital or the gateway hear of it, and carried on in
    steps that each commit before the next call goes out (services.py explains why), so
    a crash at any point leaves a row the sweep can finish from where it stopped.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        PAYMENT_FAILED = "payment_failed", "Payment refund failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    lines = models.ManyToManyField(OrderLine, through="RefundLine", related_name="refunds")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField()
    override = models.BooleanField(default=False)  # pay back even what 7digital refused
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    # Decided once, before the gateway is first called, and sent again by every later
    # attempt: the gateway finds a refund it made under this reference and does not
    # make a second.
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    payment_reference = models.CharField(max_length=255, blank=True)
    # True while the gateway's answer has not been recorded (as OrderLine.outcome_unknown).
    payment_outcome_unknown = models.BooleanField(default=False)
    gateway_refund_id = models.CharField(max_length=255, blank=True)
    # While a step runs nobody else may take the refund on; a process that dies lets the
    # lease lapse, and the sweep carries the refund on.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.order}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="refund_lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_lines")
    # 7digital's refusal, in words staff can act on; blank while not refused.
    refusal = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["line_id"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="refund_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line} in refund {self.refund_id}"


class OrderEvent(models.Model):
    """The order's history and the refund audit: who did what, when, and why."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        DELIVERED = "delivered", "Delivered"
        DELIVERY_FAILED = "delivery_failed", "Delivery failed"
        REFUND_REPORTED = "refund_reported", "Refund reported to 7digital"
        REFUND_REFUSED = "refund_refused", "7digital refused the refund"
        REFUNDED = "refunded", "Payment refunded"
        REFUND_OVERRIDE = "refund_override", "Refunded without 7digital (override)"
        REFUND_FAILED = "refund_failed", "Payment refund failed"
        RECEIPT_SENT = "receipt_sent", "Receipt sent"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.order.number})"
