"""The rules of ``POST user/unlimitedStreaming``, checked before anything is sent.

The reference states them (lines 6419-6428) but documents no error codes for the
POST, so a subscription the API would refuse is refused here, with the parameter
and its limit named. Where the reference is silent the project's shared decisions
hold (issue 18): the three plan codes below, "1 day" is 24 hours, "100 days" is
100 x 24 hours, "1 month" is a calendar month (:func:`add_month`) and every
boundary is inclusive as the reference words it.

Each check raises :class:`ValueError`, as the client's other local checks do.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

PREMIUM_PLAN = "premium-unlimited-streaming"
STANDARD_PLAN = "standard-unlimited-streaming"
TRIAL_PLAN = "trial-unlimited-streaming"
PLAN_CODES = (PREMIUM_PLAN, STANDARD_PLAN, TRIAL_PLAN)
STATUSES = ("active", "cancelled", "expired")

START_AHEAD_LIMIT = timedelta(days=1)  # currentPeriodStartDate <= now + 1 day
TRIAL_LIMIT = timedelta(days=100)  # trialEndsAt <= currentPeriodStartDate + 100 days

_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")


def iso(value: datetime) -> str:
    """A UTC instant as the API writes it, to the second: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_month(value: datetime) -> datetime:
    """The same day and time one calendar month later, or that month's last day when
    the day does not exist there (Jan 31 -> Feb 28, or 29 in a leap year)."""
    year, month = (value.year + 1, 1) if value.month == 12 else (value.year, value.month + 1)
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def instant(value: datetime | str, name: str) -> datetime:
    """An aware datetime (or an ISO 8601 string with a zone) as a UTC instant to the
    second: what is sent is what is checked."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{name} must be an ISO 8601 date-time such as 2013-11-23T23:59:59Z; got {value!r}"
            ) from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise TypeError(f"{name} must be a timezone-aware datetime; got {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; got {value!r}")
    return parsed.astimezone(UTC).replace(microsecond=0)


def _at_most(name: str, value: datetime, limit: datetime, what: str) -> None:
    if value > limit:
        raise ValueError(f"{name} must be {what} ({iso(limit)}); got {iso(value)}")


def _at_least(name: str, value: datetime, limit: datetime, what: str) -> None:
    if value < limit:
        raise ValueError(f"{name} must be {what} ({iso(limit)}); got {iso(value)}")


def check_update(
    *,
    plan_code: str,
    status: str,
    currency: str,
    recurring_fee: int,
    country: str | None,
    activated_at: datetime | str,
    current_period_start_date: datetime | str,
    expiry_date: datetime | str,
    trial_ends_at: datetime | str | None,
    now: datetime,
) -> Mapping[str, str | None]:
    """Check a subscription state against the reference's rules and return its
    parameters as sent (dates in the ``Z`` form); raise ``ValueError`` naming the
    first parameter that breaks a rule, and the limit."""
    if plan_code not in PLAN_CODES:
        raise ValueError(f"planCode must be one of {', '.join(PLAN_CODES)}; got {plan_code!r}")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise ValueError(
            f"currency must be an ISO 4217 code of three letters A-Z; got {currency!r}"
        )
    if isinstance(recurring_fee, bool) or not isinstance(recurring_fee, int) or recurring_fee < 0:
        raise ValueError(
            "recurringFee must be a whole number >= 0 in minor units (cents; 0 with a "
            f"voucher); got {recurring_fee!r}"
        )
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise ValueError(f"country must be an ISO 3166 code of two letters; got {country!r}")

    now = instant(now, "now")
    activated = instant(activated_at, "activatedAt")
    start = instant(current_period_start_date, "currentPeriodStartDate")
    expiry = instant(expiry_date, "expiryDate")
    trial_end = instant(trial_ends_at, "trialEndsAt") if trial_ends_at is not None else None

    _at_most("activatedAt", activated, now, "now or earlier")
    _at_least("currentPeriodStartDate", start, activated, "the same as or later than activatedAt")
    _at_most(
        "currentPeriodStartDate", start, now + START_AHEAD_LIMIT, "no more than 1 day from now"
    )

    if plan_code == TRIAL_PLAN and trial_end is None:
        raise ValueError(f"trialEndsAt is required when planCode is {TRIAL_PLAN}")
    if plan_code != TRIAL_PLAN and trial_end is not None:
        raise ValueError(f"trialEndsAt must not be supplied unless planCode is {TRIAL_PLAN}")
    month_later = add_month(start)
    if trial_end is not None:
        if trial_end <= start:
            raise ValueError(
                f"trialEndsAt must be later than currentPeriodStartDate ({iso(start)}); "
                f"got {iso(trial_end)}"
            )
        _at_most(
            "trialEndsAt",
            trial_end,
            start + TRIAL_LIMIT,
            "no more than 100 days from currentPeriodStartDate",
        )
    if trial_end is not None and trial_end > month_later:
        if expiry != trial_end:
            raise ValueError(
                "expiryDate must equal trialEndsAt when the trial ends more than 1 month "
                f"after currentPeriodStartDate ({iso(trial_end)}); got {iso(expiry)}"
            )
    else:
        _at_most(
            "expiryDate",
            expiry,
            month_later,
            "no more than 1 month from currentPeriodStartDate",
        )
        if trial_end is not None:
            _at_least(
                "expiryDate", expiry, trial_end, "the same as or later than trialEndsAt on a trial"
            )
    return {
        "planCode": plan_code,
        "status": status,
        "currency": currency,
        "recurringFee": str(recurring_fee),
        "country": country,
        "activatedAt": iso(activated),
        "currentPeriodStartDate": iso(start),
        "trialEndsAt": iso(trial_end) if trial_end is not None else None,
        "expiryDate": iso(expiry),
    }
