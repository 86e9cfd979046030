"""Subscribers and tracks for the tests of whole-track streams (here and in
tests/browser/test_streaming.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.selectors import partner_user_id_of
from sandbox.backends.subscriptions import subscriptions_backend
from sandbox.models import Track as SandboxTrack
from store.subscriptions.models import Plan, Subscription


def subscribe(user, *, ended: bool = False) -> Subscription:
    """A subscription the shop holds, and 7digital's matching state (the sandbox's)."""
    now = timezone.now()
    plan = Plan.objects.create(name="Premium", slug="premium", plan_code=Plan.Code.PREMIUM)
    subscription = Subscription.objects.create(
        user=user,
        plan=plan,
        currency="GBP",
        amount="9.99",
        country="GB",
        status=Subscription.Status.ENDED if ended else Subscription.Status.ACTIVE,
        activated_at=now - timedelta(days=3),
        current_period_start=now - timedelta(days=3),
        current_period_end=now + timedelta(days=27),
        ended_at=now if ended else None,
    )
    subscriptions_backend.grant(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
        user_id=partner_user_id_of(user=user),
        status="expired" if ended else "active",
    )
    return subscription


def another_streamable_track(than: int) -> SandboxTrack:
    """A track other than ``than`` that subscribers may stream in GB now."""
    return (
        SandboxTrack.objects.filter(
            release__streaming_date__lte=timezone.now(),
            release__territories__contains=",GB,",
        )
        .exclude(pk=than)
        .first()
    )
