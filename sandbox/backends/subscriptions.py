"""Subscriptions (``user/unlimitedStreaming``, reference lines 6411-6449): the state a
partner posts, 7digital's rules for admitting it, and the streaming access it gives.

Where the reference is silent the sandbox's choices are those of issue 18, shared with
the client (docs/sandbox-subscriptions.md): dates to the second in UTC; "1 day" is 24
hours and "100 days" 100 x 24 hours; "1 month" is a calendar month, clamped to the
month's last day; 1001 / 1002 / 2001 with the messages below. Access follows the
sandbox's clock (``state.now()``): a subscription gives access while it is not
``expired`` and its ``expiryDate`` is in the future (line 6435).

Play logging needs only ``ever_had`` (``user/subscription/log`` refuses users who never
had one, line 4779); tests grant such subscriptions through the control API (``grant``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from .. import exceptions
from ..models import PartnerUser, Subscription
from ..serializer import iso
from ..state import state

Plan = Subscription.Plan
Status = Subscription.Status

ONE_DAY = timedelta(days=1)
TRIAL_LIMIT = timedelta(days=100)
POSTCODE_LIMIT = 20
# ``2013-11-23T23:59:59Z`` or ``...+00:00``: UTC to the second, nothing else.
UTC_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|\+00:00)$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
FEE = re.compile(r"^\d{1,9}$")  # minor units; an int column holds 9 digits
SHOP_ID = re.compile(r"^\d{1,18}$")

# Required parameters of the POST, in the reference's order (lines 6418-6428).
REQUIRED = (
    "planCode",
    "status",
    "currency",
    "recurringFee",
    "country",
    "activatedAt",
    "currentPeriodStartDate",
    "expiryDate",
)


def month_after(moment: datetime) -> datetime:
    """The same day and time one calendar month later, or that month's last day when the
    day does not exist there (Jan 31 → Feb 28, or 29 in a leap year)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def invalid(name: str, why: str) -> exceptions.InvalidParameter:
    return exceptions.InvalidParameter(f"Invalid parameter value: {name}: {why}")


def missing(name: str) -> exceptions.MissingParameter:
    return exceptions.MissingParameter(f"Missing parameter {name}")


def parse_time(name: str, raw: str) -> datetime:
    """An ISO 8601 UTC time to the second; 1002 for another offset, no zone or fractions."""
    matched = UTC_TIME.match(raw)
    moment = None
    if matched:
        try:
            moment = datetime.fromisoformat(matched.group(1)).replace(tzinfo=UTC)
        except ValueError:
            moment = None
    if moment is None:
        raise invalid(
            name,
            f"must be an ISO 8601 UTC date and time to the second, such as "
            f"2013-11-23T23:59:59Z (got {raw})",
        )
    return moment


@dataclass(frozen=True)
class Streaming:
    """What GET answers: ``level`` (``none`` for a user who never subscribed) and the
    expiry date, if any."""

    level: str
    expiry_date: datetime | None


class SubscriptionsBackend:
    # -- the API: POST and GET user/unlimitedStreaming ------------------------------

    def update(self, *, user: PartnerUser, params: dict[str, str | None]) -> Subscription:
        """Apply a partner's POST (reference lines 6411-6434): check every rule against
        the sandbox's clock, then store the posted state as the user's subscription.

        ``params`` maps the reference's parameter names to their text (None or "" when
        absent). Errors: 1001 for a missing parameter (``trialEndsAt`` on the trial plan,
        ``country`` whenever ``shopId`` is sent), 1002 for a value that breaks a rule.
        """
        values = {name: (value or None) for name, value in params.items()}
        for name in REQUIRED:
            if values.get(name) is None:
                raise missing(name)
        plan = values["planCode"]
        if plan not in Plan.values:
            raise invalid("planCode", f"must be one of {', '.join(Plan.values)}")
        status = values["status"]
        if status not in Status.values:
            raise invalid("status", f"must be one of {', '.join(Status.values)}")
        currency = values["currency"]
        if not CURRENCY.match(currency):
            raise invalid(
                "currency", "must be an ISO 4217 code of three capital letters, such as GBP"
            )
        fee = values["recurringFee"]
        if not FEE.match(fee):
            raise invalid(
                "recurringFee",
                "must be a whole number of minor units, 0 or more (999 for 9.99; 0 with a voucher)",
            )
        postcode = values.get("postcode") or ""
        if len(postcode) > POSTCODE_LIMIT:
            raise invalid("postcode", f"must be at most {POSTCODE_LIMIT} characters")
        country = values["country"]
        if not COUNTRY.match(country):
            raise invalid("country", "must be an ISO 3166 code of two letters, such as GB")
        shop = values.get("shopId")
        if shop is not None and not SHOP_ID.match(shop):
            raise invalid("shopId", "must be a whole number")
        activated = parse_time("activatedAt", values["activatedAt"])
        period_start = parse_time("currentPeriodStartDate", values["currentPeriodStartDate"])
        trial_raw = values.get("trialEndsAt")
        trial_ends = parse_time("trialEndsAt", trial_raw) if trial_raw else None
        expiry = parse_time("expiryDate", values["expiryDate"])

        now = state.now().replace(microsecond=0)
        self._check_dates(
            now=now,
            plan=plan,
            activated=activated,
            period_start=period_start,
            trial_ends=trial_ends,
            expiry=expiry,
        )
        if status == Status.EXPIRED:
            # "The user no longer has streaming access" (line 6420) while GET grants access
            # whenever expiryDate is in the future (line 6435): expiring ends it now.
            expiry = min(expiry, now)
        return self._store(
            user=user,
            plan_code=plan,
            status=status,
            currency=currency,
            recurring_fee=int(fee),
            postcode=postcode,
            country=country.upper(),
            shop_id=int(shop) if shop is not None else None,
            activated_at=activated,
            current_period_start=period_start,
            trial_ends_at=trial_ends,
            expiry_date=expiry,
        )

    def _check_dates(
        self,
        *,
        now: datetime,
        plan: str,
        activated: datetime,
        period_start: datetime,
        trial_ends: datetime | None,
        expiry: datetime,
    ) -> None:
        """The date rules of lines 6425-6428, each boundary inclusive as worded there."""
        if activated > now:
            raise invalid("activatedAt", f"must be now or earlier (now is {iso(now)})")
        if period_start > now + ONE_DAY:
            raise invalid(
                "currentPeriodStartDate",
                f"must be no more than 1 day from now (at most {iso(now + ONE_DAY)})",
            )
        if period_start < activated:
            raise invalid(
                "currentPeriodStartDate",
                f"must be the same as or later than activatedAt ({iso(activated)})",
            )
        if plan == Plan.TRIAL and trial_ends is None:
            raise missing("trialEndsAt")
        if plan != Plan.TRIAL and trial_ends is not None:
            raise invalid("trialEndsAt", f"must not be supplied unless planCode is {Plan.TRIAL}")
        month_end = month_after(period_start)
        if trial_ends is not None:
            if trial_ends <= period_start:
                raise invalid(
                    "trialEndsAt",
                    f"must be later than currentPeriodStartDate ({iso(period_start)})",
                )
            if trial_ends > period_start + TRIAL_LIMIT:
                raise invalid(
                    "trialEndsAt",
                    "must be no more than 100 days from currentPeriodStartDate "
                    f"(at most {iso(period_start + TRIAL_LIMIT)})",
                )
            if trial_ends > month_end:
                if expiry != trial_ends:
                    raise invalid(
                        "expiryDate",
                        f"must equal trialEndsAt ({iso(trial_ends)}) when the trial is longer "
                        "than 1 month",
                    )
                return
            if expiry < trial_ends:
                raise invalid(
                    "expiryDate",
                    f"must be the same as or later than trialEndsAt ({iso(trial_ends)})",
                )
        if expiry > month_end:
            raise invalid(
                "expiryDate",
                "must be no more than 1 month from currentPeriodStartDate "
                f"(at most {iso(month_end)})",
            )

    def get(self, *, user: PartnerUser) -> Streaming:
        """GET's answer (lines 6435-6449): the plan's level and the expiry date."""
        subscription = Subscription.objects.filter(user=user).first()
        if subscription is None:
            return Streaming(level="none", expiry_date=None)
        return Streaming(level=subscription.level, expiry_date=subscription.expiry_date)

    def has_access(self, user: PartnerUser, now: datetime | None = None) -> bool:
        """Whether the user may stream at ``now`` (default: the sandbox's clock): a
        subscription not ``expired`` whose expiryDate is in the future (line 6435)."""
        now = now or state.now()
        return Subscription.objects.filter(
            user=user, expiry_date__gt=now, status__in=(Status.ACTIVE, Status.CANCELLED)
        ).exists()

    def _store(self, *, user: PartnerUser, **fields: Any) -> Subscription:
        fields["updated_at"] = state.now()
        with transaction.atomic(using="sandbox"):
            subscription, _ = Subscription.objects.update_or_create(user=user, defaults=fields)
        return subscription

    # -- play logging ----------------------------------------------------------------

    def ever_had(self, *, consumer_key: str, user_id: str) -> bool:
        """Whether the user ever had a subscription, active or not (line 4788)."""
        return Subscription.objects.filter(
            user__consumer_key=consumer_key, user__user_id=user_id
        ).exists()

    # -- the control API -------------------------------------------------------------

    def grant(self, *, consumer_key: str, user_id: str, status: str) -> tuple[Subscription, bool]:
        """Give the user (created if new) a subscription in ``status``; (it, created).

        A new or reactivated subscription starts now on the premium plan and runs for a
        month; cancelling ends it now (its expiry date becomes now).
        """
        now = state.now()
        with transaction.atomic(using="sandbox"):
            user, _ = PartnerUser.objects.get_or_create(consumer_key=consumer_key, user_id=user_id)
            subscription = Subscription.objects.select_for_update().filter(user=user).first()
            if subscription is None:
                return Subscription.objects.create(
                    user=user,
                    status=status,
                    country=user.country or "GB",
                    activated_at=now,
                    current_period_start=now,
                    expiry_date=month_after(now) if status == Status.ACTIVE else now,
                    updated_at=now,
                ), True
            if subscription.status != status:
                if status == Status.ACTIVE:
                    subscription.current_period_start = now
                    subscription.expiry_date = month_after(now)
                else:
                    subscription.expiry_date = now
                subscription.status = status
                subscription.updated_at = now
                subscription.save()
            return subscription, False

    def set(
        self, *, consumer_key: str, user_id: str, fields: dict[str, Any]
    ) -> tuple[Subscription, bool]:
        """Store ``fields`` on the user's subscription as given, bypassing every rule (to
        simulate a 7digital whose state drifted from the partner's); (it, created).

        A new subscription takes the ``grant`` defaults for what ``fields`` leaves out.
        """
        now = state.now()
        with transaction.atomic(using="sandbox"):
            user, _ = PartnerUser.objects.get_or_create(consumer_key=consumer_key, user_id=user_id)
            subscription = Subscription.objects.select_for_update().filter(user=user).first()
            created = subscription is None
            if created:
                subscription = Subscription(
                    user=user,
                    country=user.country or "GB",
                    activated_at=now,
                    current_period_start=now,
                    expiry_date=month_after(now),
                )
            for name, value in fields.items():
                setattr(subscription, name, value)
            subscription.updated_at = now
            subscription.save()
        return subscription, created

    def subscriptions(
        self, *, consumer_key: str | None = None, user_id: str | None = None
    ) -> QuerySet[Subscription]:
        """Every subscription, oldest first."""
        found = Subscription.objects.select_related("user").order_by("pk")
        if consumer_key:
            found = found.filter(user__consumer_key=consumer_key)
        if user_id:
            found = found.filter(user__user_id=user_id)
        return found

    def reset(self) -> None:
        Subscription.objects.all().delete()


subscriptions_backend = SubscriptionsBackend()
