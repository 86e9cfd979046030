"""Plans, each customer's subscription, its history, and the outbox that carries each
change to 7digital (``user/unlimitedStreaming``, reference lines 6411-6449).

7digital bills nothing and sends no webhooks: the shop tells it every change. A change
bumps ``Subscription.sync_version`` and writes a :class:`SubscriptionSync`; a task
sends the newest one (services/sync.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from sevendigital.resources.subscription_rules import PREMIUM_PLAN, STANDARD_PLAN

TRIAL_DAYS_MAX = 100  # 7digital refuses a trial over 100 days (reference line 6426)

currency_code = RegexValidator(r"^[A-Z]{3}$", "Three capital letters, such as GBP.")


class Plan(models.Model):
    """What staff sell: a 7digital plan, billed monthly or yearly, with a trial."""

    class Code(models.TextChoices):
        PREMIUM = PREMIUM_PLAN, "Premium (with offline)"
        STANDARD = STANDARD_PLAN, "Standard"

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    plan_code = models.CharField("7digital plan", max_length=40, choices=Code.choices)
    interval = models.CharField(max_length=5, choices=Interval.choices, default=Interval.MONTH)
    trial_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(TRIAL_DAYS_MAX)],
        help_text="0 for none; at most 100 (7digital's limit).",
    )
    features = models.TextField(blank=True, help_text="What the plan includes, one per line.")
    active = models.BooleanField(default=True, help_text="Offered to new subscribers.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trial_days__lte=TRIAL_DAYS_MAX), name="plan_trial_days_max"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def feature_list(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class PlanPrice(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, validators=[currency_code])
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Major units: 9.99")
    stripe_price_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["plan", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="plan_price_per_currency")
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.amount} {self.currency}"


class Subscription(models.Model):
    """One row per customer, reused when they subscribe again."""

    class Gateway(models.TextChoices):
        TEST = "test", "Test gateway"
        STRIPE = "stripe", "Stripe"

    class Status(models.TextChoices):
        TRIALING = "trialing", "Trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Renewal unpaid"
        ENDED = "ended", "Ended"

    # SET_NULL: the row outlives a closed account long enough to send "expired".
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscription",
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    currency = models.CharField(max_length=3, validators=[currency_code])
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    country = models.CharField(max_length=2)
    postcode = models.CharField(max_length=20, blank=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices, default=Gateway.TEST)
    gateway_customer = models.CharField(max_length=255, blank=True)
    gateway_reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancel_at_period_end = models.BooleanField(default=False)
    activated_at = models.DateTimeField(default=timezone.now, help_text="First activation ever.")
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    partner_user_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sync_version = models.PositiveIntegerField(default=0)

    class Meta:
        permissions = [
            ("sync_subscription", "Can send a subscription to 7digital again"),
            ("refund_subscription", "Can refund a subscription's last payment"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} for {self.partner_user_id or self.user_id or '?'} ({self.status})"


class SubscriptionEvent(models.Model):
    """The history staff read: what happened, in words."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.SlugField(max_length=40)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class SubscriptionSync(models.Model):
    """The outbox row that carries one change to 7digital."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        OUTCOME_UNKNOWN = "outcome_unknown", "Sent, answer not recorded"
        CONFIRMED = "confirmed", "Confirmed by 7digital"
        SUPERSEDED = "superseded", "Superseded by a newer change"
        FAILED = "failed", "Refused by 7digital"

    OPEN = (State.PENDING, State.SENDING, State.OUTCOME_UNKNOWN)

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="syncs")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    sent = models.JSONField(null=True, blank=True, help_text="Exactly the fields POSTed.")
    answer = models.JSONField(null=True, blank=True, help_text="7digital's POST and GET answers.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-version", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="subscription_sync_due")]

    def __str__(self) -> str:
        return f"sync v{self.version} ({self.state})"


class SubscriptionRefund(models.Model):
    """Staff's refund of a subscription's last payment, written before the gateway is
    called (services/refunds.py): ``reference`` names the payment refunded, so a retry
    asks the gateway for the same refund and a second refund of it is refused."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "Asked of the gateway, answer not recorded"
        DONE = "done", "Refunded"
        FAILED = "failed", "Refused or failed at the gateway"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="refunds")
    reference = models.CharField(max_length=120, unique=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_email = models.CharField(max_length=254, blank=True)
    end_now = models.BooleanField(help_text="Access ended at once (else at the period's end).")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[currency_code])
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    gateway_refund_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"refund {self.reference} ({self.state})"


class SubscriptionCheckout(models.Model):
    """A customer on their way to pay for a plan: what their Subscription will be once
    the gateway says it is paid (services/billing.py). Kept apart from Subscription so
    that a checkout never completed leaves no subscription behind: no trial used, nothing
    for 7digital, nothing in staff's figures. Its id is the shop's reference at the
    gateway (``CO-<id>``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, validators=[currency_code])
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    country = models.CharField(max_length=2)
    gateway = models.CharField(max_length=10, choices=Subscription.Gateway.choices)
    trial_days = models.PositiveSmallIntegerField(default=0)
    gateway_checkout = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"checkout CO-{self.pk} of {self.plan}"


class TestBillingSubscription(models.Model):
    """The test billing gateway's own storage (gateways/test.py): what a real gateway
    keeps at its end. Only that adapter reads and writes it; the shop's Subscription
    converges on it through the services, exactly as on Stripe's answers. A model rather
    than JSON in the Subscription row, so that the gateway stays an adapter that knows
    nothing of the shop's row, and staff and tests can read its state plainly."""

    reference = models.CharField(max_length=64, unique=True)  # "test_sub_..."
    customer = models.CharField(max_length=64)  # "test_cus_..."
    email = models.EmailField(blank=True)
    client_reference = models.CharField(max_length=64, blank=True)
    price_id = models.CharField(max_length=128)
    interval = models.CharField(max_length=5, default="month")
    currency = models.CharField(max_length=3)
    amount_minor = models.PositiveIntegerField()
    state = models.CharField(max_length=12)  # a BillingState value
    cancel_at_period_end = models.BooleanField(default=False)
    card_fails = models.BooleanField(
        default=False, help_text="The customer's card is refused at the next renewal."
    )
    started_at = models.DateTimeField()
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    invoices = models.JSONField(default=list, blank=True)  # oldest first

    class Meta:
        verbose_name = "test gateway subscription"

    def __str__(self) -> str:
        return f"{self.reference} ({self.state})"


class OfflineDevice(models.Model):
    """A device registered with 7digital for offline play (premium only), as the shop
    knows it: the name the customer gave it, and whether they disabled it here.
    7digital knows a device only by its ``clientId``; which devices are enabled is
    7digital's to say (``user/offlineclients``), so the list is read from there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_devices"
    )
    client_id = models.CharField(max_length=64)
    name = models.CharField(max_length=60, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="offline_device_once")
        ]

    def __str__(self) -> str:
        return self.name or f"Device {self.client_id[:8]}"
