"""Plans, subscribers and the queued sends of subscriptions, for the tests beside this file."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from store.subscriptions import services, tasks
from store.subscriptions.models import Plan, PlanPrice, Subscription

from .gateways.conftest import stripe_api  # noqa: F401 (Stripe's recorded answers, here too)


@pytest.fixture(autouse=True)
def _sync_settings(settings):
    """Every setting the subscription tests rely on, pinned."""
    settings.SUBSCRIPTION_SYNC_LEASE_SECONDS = 90
    settings.SUBSCRIPTION_SYNC_RETRY_BASE_SECONDS = 5.0
    settings.SUBSCRIPTION_SYNC_RETRY_MAX_SECONDS = 900.0
    settings.SUBSCRIPTIONS_RECONCILE_SAMPLE = 200
    settings.SEVENDIGITAL_SHOP_ID = None
    settings.SEVENDIGITAL_COUNTRY = "GB"


def make_plan(*, slug="premium-monthly", interval="month", trial_days=0, code=None) -> Plan:
    plan = Plan.objects.create(
        name=slug.replace("-", " ").title(),
        slug=slug,
        plan_code=code or Plan.Code.PREMIUM,
        interval=interval,
        trial_days=trial_days,
        features="Every track\nOffline listening",
    )
    PlanPrice.objects.create(plan=plan, currency="GBP", amount=Decimal("9.99"))
    return plan


def make_subscription(
    *,
    user=None,
    plan: Plan | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    **fields,
) -> Subscription:
    """A subscription row as the billing side writes it (not saved through a service)."""
    from sevendigital.resources.subscription_rules import add_month

    start = start or timezone.now() - timedelta(days=3)
    plan = plan or Plan.objects.first() or make_plan()
    values = {
        "currency": "GBP",
        "amount": Decimal("9.99"),
        "country": "GB",
        "status": Subscription.Status.ACTIVE,
        "activated_at": start,
        "current_period_start": start,
        "current_period_end": end or add_month(start),
    }
    values.update(fields)
    return Subscription.objects.create(user=user, plan=plan, **values)


class Queue:
    """The sync ids the services queued, sent on demand."""

    def __init__(self) -> None:
        self.syncs: list[int] = []

    def send_all(self) -> None:
        while self.syncs:
            sync_id = self.syncs.pop(0)
            services.subscription_sync_send(sync_id=sync_id)


@pytest.fixture
def sync_queue():
    queued = Queue()
    with mock.patch.object(tasks.subscription_sync_send, "delay", side_effect=queued.syncs.append):
        yield queued


ENDPOINT = "user/unlimitedstreaming"


@pytest.fixture
def subscriber(sandbox):
    """A customer whose partner user 7digital has (tests/store/conftest.py)."""
    from tests.store.conftest import make_customer

    return make_customer("subscriber@example.com")


def at_7digital(user_id: str):
    """The subscription the sandbox holds for ``user_id``, or None."""
    from sandbox.backends.subscriptions import subscriptions_backend

    return subscriptions_backend.subscriptions(user_id=user_id).first()


def posts(sandbox) -> list[dict]:
    return sandbox.entries(endpoint=ENDPOINT, method="POST")


class Clock:
    """The shop's and the sandbox's clocks, stopped together and moved by hand."""

    def __init__(self, monkeypatch, sandbox) -> None:
        self.sandbox = sandbox
        self.now = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)
        sandbox.set_now(self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment
        self.sandbox.set_now(moment)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now + delta)


@pytest.fixture
def clock(monkeypatch, sandbox):
    return Clock(monkeypatch, sandbox)
