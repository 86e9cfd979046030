"""``seven_digital_state``: what 7digital is told of a subscription at a given time, and
that the client's own checks (reference lines 6425-6428, issue 18's choices) admit it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sevendigital.resources.subscription_rules import TRIAL_PLAN, add_month, check_update
from store.subscriptions.models import Plan, Subscription
from store.subscriptions.services import seven_digital_state
from store.subscriptions.services.state import ROLL_AHEAD

PREMIUM = Plan.Code.PREMIUM.value
STANDARD = Plan.Code.STANDARD.value
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def row(*, start, end=None, code=PREMIUM, interval="month", **fields) -> Subscription:
    """An unsaved subscription: the function is pure."""
    values = {
        "currency": "GBP",
        "amount": Decimal("9.99"),
        "country": "GB",
        "postcode": "",
        "status": Subscription.Status.ACTIVE,
        "activated_at": start,
        "current_period_start": start,
        "current_period_end": end or add_month(start),
    }
    values.update(fields)
    return Subscription(plan=Plan(plan_code=code, interval=interval, slug="p"), **values)


def admitted(subscription: Subscription, now: datetime) -> dict:
    """The state, after the client's checks with the same ``now`` admitted it."""
    state = seven_digital_state(subscription, now=now)
    kwargs = {k: v for k, v in state.items() if k != "postcode"}
    check_update(**kwargs, now=now)
    return state


CASES = {
    "a monthly plan three days in": (
        row(start=NOW - 3 * DAY),
        NOW,
        {
            "plan_code": PREMIUM,
            "status": "active",
            "current_period_start_date": NOW - 3 * DAY,
            "expiry_date": add_month(NOW - 3 * DAY),
            "recurring_fee": 999,
            "trial_ends_at": None,
        },
    ),
    "a month that starts on Jan 31 ends on Feb 28": (
        row(start=at(2026, 1, 31, 10), end=at(2026, 2, 28, 10)),
        at(2026, 2, 15),
        {"current_period_start_date": at(2026, 1, 31, 10), "expiry_date": at(2026, 2, 28, 10)},
    ),
    "a leap year's Jan 31 ends on Feb 29": (
        row(start=at(2028, 1, 31, 10), end=at(2028, 2, 29, 10)),
        at(2028, 2, 29, 9),
        {"expiry_date": at(2028, 2, 29, 10)},
    ),
    "a yearly plan eleven months in is told its current month": (
        row(start=at(2025, 1, 31, 10), end=at(2026, 1, 31, 10), interval="year"),
        at(2025, 12, 20),
        # Jan 31, Feb 28, Mar 28 ... each window a calendar month after the last
        {"current_period_start_date": at(2025, 11, 28, 10), "expiry_date": at(2025, 12, 28, 10)},
    ),
    "a yearly plan's next month is told before the current one ends": (
        row(start=at(2025, 1, 31, 10), end=at(2026, 1, 31, 10), interval="year"),
        at(2025, 12, 28, 10) - ROLL_AHEAD + timedelta(minutes=1),
        {"current_period_start_date": at(2025, 12, 28, 10), "expiry_date": at(2026, 1, 28, 10)},
    ),
    "a yearly plan's last window ends with the period": (
        row(start=at(2025, 1, 31, 10), end=at(2026, 1, 31, 10), interval="year"),
        at(2026, 1, 30),
        {"current_period_start_date": at(2026, 1, 28, 10), "expiry_date": at(2026, 1, 31, 10)},
    ),
    "a trial of 100 days is told on the trial plan until its end": (
        row(start=NOW - 5 * DAY, end=NOW + 95 * DAY, trial_end=NOW + 95 * DAY),
        NOW,
        {
            "plan_code": TRIAL_PLAN,
            "trial_ends_at": NOW + 95 * DAY,
            "expiry_date": NOW + 95 * DAY,
            "current_period_start_date": NOW - 5 * DAY,
            "recurring_fee": 0,
        },
    ),
    "a trial of 14 days": (
        row(start=NOW - DAY, end=NOW + 13 * DAY, trial_end=NOW + 13 * DAY, code=STANDARD),
        NOW,
        {"plan_code": TRIAL_PLAN, "expiry_date": NOW + 13 * DAY, "recurring_fee": 0},
    ),
    "a finished trial is told as the plan": (
        row(start=NOW - 20 * DAY, trial_end=NOW - 6 * DAY),
        NOW,
        {"plan_code": PREMIUM, "trial_ends_at": None, "recurring_fee": 999},
    ),
    "a cancelled subscription streams until the period ends": (
        row(start=NOW - 3 * DAY, cancel_at_period_end=True),
        NOW,
        {"status": "cancelled", "expiry_date": add_month(NOW - 3 * DAY)},
    ),
    "a cancelled trial": (
        row(
            start=NOW - DAY, end=NOW + 13 * DAY, trial_end=NOW + 13 * DAY, cancel_at_period_end=True
        ),
        NOW,
        {"status": "cancelled", "plan_code": TRIAL_PLAN, "expiry_date": NOW + 13 * DAY},
    ),
    "an ended subscription expires when it ended": (
        row(start=NOW - 3 * DAY, status="ended", ended_at=NOW - timedelta(hours=1)),
        NOW,
        {"status": "expired", "expiry_date": NOW - timedelta(hours=1), "plan_code": PREMIUM},
    ),
    "an ended trial is expired on its plan, not the trial plan": (
        row(start=NOW - DAY, trial_end=NOW + 13 * DAY, status="ended", ended_at=NOW),
        NOW,
        {"status": "expired", "plan_code": PREMIUM, "trial_ends_at": None, "expiry_date": NOW},
    ),
    "an end recorded ahead of this clock expires now": (
        row(start=NOW - 3 * DAY, status="ended", ended_at=NOW + timedelta(minutes=5)),
        NOW,
        {"expiry_date": NOW},
    ),
    "a yearly plan ended eleven months in expires in its window": (
        row(
            start=at(2025, 1, 31, 10),
            end=at(2026, 1, 31, 10),
            interval="year",
            status="ended",
            ended_at=at(2025, 12, 20),
        ),
        at(2025, 12, 21),
        {"current_period_start_date": at(2025, 11, 28, 10), "expiry_date": at(2025, 12, 20)},
    ),
    "a subscription that starts in 10 seconds is never activated in the future": (
        row(start=NOW + timedelta(seconds=10)),
        NOW,
        {"activated_at": NOW, "current_period_start_date": NOW + timedelta(seconds=10)},
    ),
    "a period starting beyond now + 1 day is brought back to it": (
        row(start=NOW + 3 * DAY),
        NOW,
        {"activated_at": NOW, "current_period_start_date": NOW + DAY},
    ),
    "an unpaid renewal keeps access until the period ends": (
        row(start=NOW - 3 * DAY, status="past_due"),
        NOW,
        {"status": "active", "expiry_date": add_month(NOW - 3 * DAY)},
    ),
    "microseconds are dropped, rounding down": (
        row(start=NOW - 3 * DAY + timedelta(microseconds=999_999)),
        NOW + timedelta(microseconds=5),
        {"activated_at": NOW - 3 * DAY, "current_period_start_date": NOW - 3 * DAY},
    ),
    "currency, country and postcode come from the row": (
        row(start=NOW - DAY, currency="JPY", amount=Decimal("980"), country="JP", postcode="100"),
        NOW,
        {"currency": "JPY", "recurring_fee": 980, "country": "JP", "postcode": "100"},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_state_told_to_7digital(name):
    subscription, now, expected = CASES[name]

    state = admitted(subscription, now)

    assert {key: state[key] for key in expected} == expected
    assert state["activated_at"] <= now.replace(microsecond=0)
    assert state["current_period_start_date"] <= now + DAY


def test_the_activation_is_the_first_one_ever():
    subscription = row(start=NOW - 3 * DAY, activated_at=NOW - 400 * DAY)

    assert admitted(subscription, NOW)["activated_at"] == NOW - 400 * DAY


@pytest.mark.parametrize("start_day", [28, 29, 30, 31])
def test_a_yearly_plan_never_expires_early_at_7digital(start_day):
    """Hour by hour through a yearly period: every state is admitted, and 7digital's
    access always lasts at least until the next window is told (ROLL_AHEAD ahead)."""
    start = at(2027, 1, start_day, 23, 30)
    end = at(2028, 1, start_day, 23, 30)
    subscription = row(start=start, end=end, interval="year")
    now = start
    while now < end:
        state = admitted(subscription, now)
        assert state["expiry_date"] >= min(now + ROLL_AHEAD - timedelta(hours=1), end), now
        now += timedelta(hours=1)


@pytest.mark.parametrize("days", [1, 14, 27, 28, 29, 30, 31, 32, 60, 99, 100])
@pytest.mark.parametrize("start", [at(2026, 1, 31, 10), at(2026, 2, 28, 23, 59, 59)])
def test_every_trial_length_is_admitted_through_the_trial(days, start):
    trial_end = start + days * DAY
    subscription = row(start=start, end=trial_end, trial_end=trial_end)
    for now in (start, start + (trial_end - start) / 2, trial_end - timedelta(seconds=1)):
        state = admitted(subscription, now)
        assert state["plan_code"] == TRIAL_PLAN
        assert state["expiry_date"] == trial_end


@pytest.mark.parametrize(
    "status,cancel", [("active", False), ("active", True), ("past_due", False), ("ended", False)]
)
@pytest.mark.parametrize("offset_days", [-1, 0, 15, 31, 200, 364, 366])
def test_every_status_at_every_point_of_a_yearly_period_is_admitted(status, cancel, offset_days):
    start = at(2026, 1, 31, 10)
    subscription = row(
        start=start,
        end=at(2027, 1, 31, 10),
        interval="year",
        status=status,
        cancel_at_period_end=cancel,
        ended_at=start + max(offset_days - 1, 0) * DAY if status == "ended" else None,
    )
    admitted(subscription, start + offset_days * DAY)
