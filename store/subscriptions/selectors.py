"""Reads for staff: each subscription's latest sync and drift (the admin's filters and
columns), and the dashboard's figures: subscribers by plan and state now, and per UTC
day new subscribers, ended ones (churn) and the backlog of changes not yet at 7digital.

Days are UTC days. Each figure is counted by the database (one aggregate query for the
days, with one filtered count per day and figure); Python only lays the counts out on
the calendar, so days without any change still appear, as zeros.

**New and ended** are read from the rows' own dates: a subscriber is new on the day of
``activated_at`` (the first activation ever, never changed) and ended on the day of
``ended_at`` while the subscription is ended. A customer who comes back reuses their
row, so a return is not counted as new, and an ending followed by a return is counted
only while the row stays ended. The churn rate of a day is the subscriptions ended that
day over those live when the day began (activated before it, not ended before it).

**The backlog over time** is not recorded anywhere, so it is computed from the outbox
(:class:`SubscriptionSync`): a row is *waiting* from ``created_at`` until it left the open
states, which is ``confirmed_at`` for a confirmed row, the ``created_at`` of the
subscription's next row for a superseded one (only a newer change supersedes, as soon
as it is claimed: so this is when it was superseded, give or take the claim), and for a
failed row the moment it was last sent (``sent_at``, or ``created_at`` if it never was).
A failed row then counts as *failed* until a newer change of the same subscription is
written (staff's "sync now", or any later change). Each day shows the backlog at its
end (now, for today). Which open rows were ``pending`` and which ``outcome_unknown`` at a
past moment is not kept (a row goes back and forth between them on each retry), so
history shows them together as waiting; the panel "now" shows each state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.money import currency_for
from store.subscriptions.gateways import InvoiceStatus, PaymentError, billing_gateway_get
from store.subscriptions.models import Plan, Subscription, SubscriptionEvent, SubscriptionSync

logger = logging.getLogger(__name__)

State = SubscriptionSync.State
Status = Subscription.Status
DRIFT_KIND = "drift"  # the event reconciliation writes (services/sync.py)


# -- per subscription (the admin's list) ------------------------------------------------


def latest_sync_state() -> Subquery:
    """The state of the subscription's newest sync row, to annotate subscriptions."""
    return Subquery(
        SubscriptionSync.objects.filter(subscription=OuterRef("pk"))
        .order_by("-version", "-pk")
        .values("state")[:1]
    )


def latest_drift_at() -> Subquery:
    """When reconciliation last found the subscription differing at 7digital."""
    return Subquery(
        SubscriptionEvent.objects.filter(subscription=OuterRef("pk"), kind=DRIFT_KIND)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def latest_drift_message() -> Subquery:
    return Subquery(
        SubscriptionEvent.objects.filter(subscription=OuterRef("pk"), kind=DRIFT_KIND)
        .order_by("-at", "-pk")
        .values("message")[:1]
    )


# -- subscribers now --------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSubscribers:
    """One plan's subscriptions by status; ``not_renewing`` are live ones cancelled at
    their period's end (counted in their status too)."""

    plan: Plan | None
    counts: dict[str, int]
    not_renewing: int

    @property
    def live(self) -> int:
        return sum(n for status, n in self.counts.items() if status != Status.ENDED)

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.counts.get(value, 0)) for value, label in Status.choices]


def subscribers_by_plan() -> list[PlanSubscribers]:
    """Every plan with subscriptions (or still offered), then a total (``plan`` None)."""
    rows = Plan.objects.annotate(
        **{
            f"n_{status}": Count("subscriptions", filter=Q(subscriptions__status=status))
            for status in Status.values
        },
        not_renewing=Count(
            "subscriptions",
            filter=Q(subscriptions__cancel_at_period_end=True)
            & ~Q(subscriptions__status=Status.ENDED),
        ),
    ).order_by("position", "pk")
    result = []
    for plan in rows:
        by_status = {status: getattr(plan, f"n_{status}") for status in Status.values}
        if plan.active or any(by_status.values()):
            result.append(PlanSubscribers(plan, by_status, plan.not_renewing))
    total = PlanSubscribers(
        None,
        {status: sum(row.counts[status] for row in result) for status in Status.values},
        sum(row.not_renewing for row in result),
    )
    return [*result, total]


# -- per day -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    day: date
    live_at_start: int  # live when the day began
    new: int
    ended: int
    waiting: int  # changes written and not yet confirmed at the day's end
    failed: int  # refusals standing at the day's end

    @property
    def churn_rate(self) -> Decimal | None:
        """Ended over live at the start, in per cent to one decimal; None with none live."""
        if not self.live_at_start:
            return None
        return (Decimal(100 * self.ended) / self.live_at_start).quantize(Decimal("0.1"))

    @property
    def backlog(self) -> int:
        return self.waiting + self.failed


def _days(days: int, now: datetime) -> list[tuple[date, datetime, datetime]]:
    """The last ``days`` UTC days, oldest first: (day, its start, the moment of its
    figures: its end, or now for today)."""
    today = now.astimezone(UTC).date()
    result = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time.min, tzinfo=UTC)
        result.append((day, start, min(start + timedelta(days=1), now)))
    return result


def _waiting_at(moment: datetime) -> Q:
    return Q(created_at__lte=moment) & (
        Q(state__in=SubscriptionSync.OPEN)
        | Q(state=State.CONFIRMED, confirmed_at__gt=moment)
        | Q(state=State.SUPERSEDED, next_created_at__gt=moment)
        | Q(state=State.FAILED, failed_from__gt=moment)
    )


def _failed_at(moment: datetime) -> Q:
    return Q(state=State.FAILED, failed_from__lte=moment) & (
        Q(next_created_at__isnull=True) | Q(next_created_at__gt=moment)
    )


def syncs_with_history():
    """Sync rows annotated with when the next change of their subscription was written
    and when a failed one failed (see the module's docstring)."""
    following = SubscriptionSync.objects.filter(
        subscription=OuterRef("subscription"), version__gt=OuterRef("version")
    ).order_by("created_at")
    return SubscriptionSync.objects.annotate(
        next_created_at=Subquery(following.values("created_at")[:1]),
        failed_from=Coalesce("sent_at", "created_at"),
    )


def daily(*, days: int = 30, now: datetime | None = None) -> list[DayFigures]:
    """New, ended, churn and sync backlog for each of the last ``days`` UTC days."""
    now = now or timezone.now()
    calendar = _days(days, now)
    subscriptions = Subscription.objects.aggregate(
        **{
            f"live_{i}": Count(
                "pk",
                filter=Q(activated_at__lt=start) & ~Q(status=Status.ENDED, ended_at__lt=start),
            )
            for i, (_, start, _) in enumerate(calendar)
        },
        **{
            f"new_{i}": Count("pk", filter=Q(activated_at__gte=start, activated_at__lt=end))
            for i, (_, start, end) in enumerate(calendar)
        },
        **{
            f"ended_{i}": Count(
                "pk", filter=Q(status=Status.ENDED, ended_at__gte=start, ended_at__lt=end)
            )
            for i, (_, start, end) in enumerate(calendar)
        },
    )
    first = calendar[0][1]
    # Rows written after the last moment, or closed before the first, count nowhere.
    relevant = (
        syncs_with_history()
        .filter(created_at__lte=now)
        .exclude(
            Q(state=State.CONFIRMED, confirmed_at__lt=first)
            | Q(state=State.SUPERSEDED, next_created_at__lt=first)
        )
    )
    backlog = relevant.aggregate(
        **{
            f"waiting_{i}": Count("pk", filter=_waiting_at(at))
            for i, (_, _, at) in enumerate(calendar)
        },
        **{
            f"failed_{i}": Count("pk", filter=_failed_at(at))
            for i, (_, _, at) in enumerate(calendar)
        },
    )
    return [
        DayFigures(
            day=day,
            live_at_start=subscriptions[f"live_{i}"],
            new=subscriptions[f"new_{i}"],
            ended=subscriptions[f"ended_{i}"],
            waiting=backlog[f"waiting_{i}"],
            failed=backlog[f"failed_{i}"],
        )
        for i, (day, _, _) in enumerate(calendar)
    ]


@dataclass(frozen=True)
class Backlog:
    """The outbox now: rows per state not yet settled, the oldest waiting, drift found."""

    pending: int
    sending: int
    outcome_unknown: int
    failed: int  # refusals no newer change has replaced
    oldest_waiting_at: datetime | None
    drift_found: int  # subscriptions reconciliation found differing, in the period
    drift_days: int


def backlog_now(*, now: datetime | None = None, drift_days: int = 30) -> Backlog:
    now = now or timezone.now()
    counts = syncs_with_history().aggregate(
        pending=Count("pk", filter=Q(state=State.PENDING)),
        sending=Count("pk", filter=Q(state=State.SENDING)),
        outcome_unknown=Count("pk", filter=Q(state=State.OUTCOME_UNKNOWN)),
        failed=Count("pk", filter=Q(state=State.FAILED, next_created_at__isnull=True)),
        oldest=Min("created_at", filter=Q(state__in=SubscriptionSync.OPEN)),
    )
    drift = SubscriptionEvent.objects.filter(
        kind=DRIFT_KIND, at__gte=now - timedelta(days=drift_days)
    ).aggregate(n=Count("subscription", distinct=True), last=Max("at"))
    return Backlog(
        pending=counts["pending"],
        sending=counts["sending"],
        outcome_unknown=counts["outcome_unknown"],
        failed=counts["failed"],
        oldest_waiting_at=counts["oldest"],
        drift_found=drift["n"],
        drift_days=drift_days,
    )


# -- the customer's side --------------------------------------------------------------


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    currency: str
    amount: Decimal | None  # None: not sold in this currency


def plans_offered(*, country: str) -> list[PlanOffer]:
    """The active plans, each with its price in ``country``'s currency (if it has one)."""
    currency = currency_for(country)
    offers = []
    for plan in Plan.objects.filter(active=True).prefetch_related("prices"):
        price = next((p for p in plan.prices.all() if p.currency == currency), None)
        offers.append(PlanOffer(plan, currency, price.amount if price else None))
    return offers


def plan_on_sale(*, slug: str) -> Plan | None:
    return Plan.objects.filter(active=True, slug=slug).first()


def gives_streaming(subscription: Subscription | None, *, now: datetime) -> bool:
    """Whether the subscription streams now: not ended and within the period paid for
    (an unpaid renewal keeps access while the gateway retries, as 7digital is told)."""
    return (
        subscription is not None
        and subscription.status != Subscription.Status.ENDED
        and subscription.current_period_end > now
    )


def gives_offline(subscription: Subscription | None, *, now: datetime) -> bool:
    """Whether the subscription lets devices keep tracks offline now: it streams, on
    the premium plan (the only one with offline access, reference line 6419)."""
    return (
        gives_streaming(subscription, now=now) and subscription.plan.plan_code == Plan.Code.PREMIUM
    )


def subscription_of(*, user) -> Subscription | None:
    """The customer's subscription, if they ever had one (a checkout never paid is not)."""
    return Subscription.objects.select_related("plan").filter(user=user).first()


def subscription_sync_latest(*, subscription: Subscription) -> SubscriptionSync | None:
    return subscription.syncs.order_by("-version", "-pk").first()


def subscription_invoices(*, subscription: Subscription) -> list[InvoiceStatus]:
    """Past bills, newest first: every one the test gateway kept, or Stripe's latest
    (the portal shows them all). Empty when the gateway cannot be asked just now."""
    try:
        gateway = billing_gateway_get(subscription.gateway)
        every = getattr(gateway, "invoices", None)
        if every is not None:
            return every(reference=subscription.gateway_reference)
        status = gateway.subscription_get(reference=subscription.gateway_reference)
    except PaymentError:
        logger.warning("Bills of subscription %s could not be read", subscription.pk)
        return []
    return [status.latest_invoice] if status and status.latest_invoice else []
