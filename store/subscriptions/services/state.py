"""What 7digital must hear of a subscription: a pure function of the row and the time.

``POST user/unlimitedStreaming`` takes at most one calendar month at a time
(reference lines 6425-6428): ``expiryDate`` <= ``currentPeriodStartDate`` + 1 month,
``currentPeriodStartDate`` <= now + 1 day, ``activatedAt`` <= now. A yearly period
(or any longer than a month) is therefore told in monthly windows: start,
add_month(start), add_month(add_month(start)), ... The next window is sent from
``ROLL_AHEAD`` before the current one ends (its start is then at most that far in the
future, well inside the 1 day allowed), so 7digital never sees the subscription expire
between two windows; beat's ``subscriptions_roll`` sends it then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sevendigital.resources.subscription_rules import (
    START_AHEAD_LIMIT,
    TRIAL_LIMIT,
    TRIAL_PLAN,
    add_month,
)
from store.checkout.gateways import minor_units

from ..models import Subscription

# How long before a window ends the next one is told. Less than START_AHEAD_LIMIT (1
# day) by a margin for clocks that disagree.
ROLL_AHEAD = timedelta(hours=12)
ONE_SECOND = timedelta(seconds=1)


def _second(value: datetime) -> datetime:
    """UTC to the second (what 7digital keeps), rounded down."""
    return value.astimezone(UTC).replace(microsecond=0)


def window_start(*, period_start: datetime, period_end: datetime, until: datetime) -> datetime:
    """The last of period_start, add_month(period_start), add_month(add_month(...)) ...
    that is not after ``until`` and begins before the period ends."""
    start = period_start
    while (following := add_month(start)) <= until and following < period_end:
        start = following
    return start


def seven_digital_state(subscription: Subscription, *, now: datetime) -> dict[str, Any]:
    """The keyword arguments of ``client.subscriptions.update`` for ``subscription`` at
    ``now``: every date UTC to the second, every rule of lines 6425-6428 kept.

    Status: ended -> ``expired``; cancelled at the period's end -> ``cancelled``; else
    ``active`` (an unpaid renewal keeps access until the period ends, and becomes
    ``expired`` when the gateway gives up). A trial still running is told on the trial
    plan with its ``trialEndsAt`` and no fee.
    """
    now = _second(now)
    period_start = _second(subscription.current_period_start)
    period_end = _second(subscription.current_period_end)
    latest_start = now + START_AHEAD_LIMIT  # line 6427: never beyond now + 1 day
    ended = subscription.status == Subscription.Status.ENDED
    trial_end = _second(subscription.trial_end) if subscription.trial_end else None
    on_trial = not ended and trial_end is not None and trial_end > now

    if ended:
        status = "expired"
    elif subscription.cancel_at_period_end:
        status = "cancelled"
    else:
        status = "active"

    trial_ends_at = None
    if on_trial:
        plan_code = TRIAL_PLAN
        trial_ends_at = trial_end
        # currentPeriodStartDate < trialEndsAt <= currentPeriodStartDate + 100 days
        start = min(
            max(period_start, trial_end - TRIAL_LIMIT), latest_start, trial_end - ONE_SECOND
        )
        # expiryDate >= trialEndsAt, and equal to it when the trial is longer than a month
        expiry = trial_end
    elif ended:
        plan_code = subscription.plan.plan_code
        ended_at = min(_second(subscription.ended_at or now), now)
        start = min(
            window_start(period_start=period_start, period_end=period_end, until=ended_at),
            latest_start,
        )
        # Access ends at once: at the end, or now, never before the window starts.
        expiry = min(max(ended_at, start), add_month(start))
    else:
        plan_code = subscription.plan.plan_code
        start = min(
            window_start(period_start=period_start, period_end=period_end, until=now + ROLL_AHEAD),
            latest_start,
        )
        expiry = min(period_end, add_month(start))

    return {
        "plan_code": plan_code,
        "status": status,
        "currency": subscription.currency,
        "recurring_fee": 0 if on_trial else minor_units(subscription.amount, subscription.currency),
        # activatedAt <= now and <= currentPeriodStartDate (a start a few seconds ahead
        # of this clock must not put activatedAt in the future)
        "activated_at": min(_second(subscription.activated_at), now, start),
        "current_period_start_date": start,
        "expiry_date": expiry,
        "trial_ends_at": trial_ends_at,
        "postcode": subscription.postcode or None,
        "country": subscription.country,
    }


def window_end(state: dict[str, Any]) -> datetime:
    """When 7digital's access ends for ``state`` (its expiryDate)."""
    return state["expiry_date"]


def expected_level(state: dict[str, Any]) -> str:
    """What 7digital's GET answers as ``level`` for ``state``: the plan's first word."""
    return state["plan_code"].split("-", 1)[0]
