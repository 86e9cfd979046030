"""``user/unlimitedStreaming`` (reference lines 6411-6449): the rules the client checks
before sending a subscription's state, what it sends, and how it reads the answers.

Every date rule is tried on its limit and one second past it. Where the reference is
silent, the shared decisions of issue 18 hold: "1 day" is 24 hours, "100 days" is
100 x 24 hours, "1 month" is a calendar month (Jan 31 -> Feb 28, or 29 in a leap year).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from sevendigital import SevenDigital, errors
from sevendigital.models import Subscription
from sevendigital.resources.subscription_rules import add_month

from .fakes import BASE_URL, CONSUMER_KEY, CONSUMER_SECRET, REFERENCE, fixture, header

NOW = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)  # a month's last day: Feb has no 31st
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
PREMIUM = "premium-unlimited-streaming"
STANDARD = "standard-unlimited-streaming"
TRIAL = "trial-unlimited-streaming"

VALID = {
    "plan_code": PREMIUM,
    "status": "active",
    "currency": "GBP",
    "recurring_fee": 999,
    "activated_at": NOW - 30 * DAY,
    "current_period_start_date": NOW,
    "expiry_date": NOW + 28 * DAY,
    "now": NOW,
}


def form(request) -> dict[str, str]:
    body = request.body
    body = body.decode() if isinstance(body, bytes) else body
    return {k: v[0] for k, v in parse_qs(body).items()}


def send(client, transport, **changes) -> dict[str, str]:
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    client.subscriptions.update("u-1", **{**VALID, **changes})
    return form(transport.last)


def refuse(client, transport, message: str, error=ValueError, **changes) -> None:
    with pytest.raises(error) as caught:
        client.subscriptions.update("u-1", **{**VALID, **changes})
    assert str(caught.value) == message
    assert transport.requests == [], "nothing is sent when a rule is broken"


# -- every date rule, on its limit and one second past it --------------------------

T10 = NOW + 10 * DAY  # a trial end well within the month
MONTH = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)  # NOW + 1 calendar month

BOUNDARIES = {
    "activatedAt is now or earlier": (
        {"activated_at": NOW, "current_period_start_date": NOW},
        {"activated_at": NOW + SECOND, "current_period_start_date": NOW + SECOND},
        "activatedAt must be now or earlier (2026-01-31T10:00:00Z); got 2026-01-31T10:00:01Z",
    ),
    "currentPeriodStartDate is the same as or later than activatedAt": (
        {"activated_at": NOW, "current_period_start_date": NOW},
        {"activated_at": NOW, "current_period_start_date": NOW - SECOND},
        "currentPeriodStartDate must be the same as or later than activatedAt "
        "(2026-01-31T10:00:00Z); got 2026-01-31T09:59:59Z",
    ),
    "currentPeriodStartDate is no more than 1 day (24 hours) from now": (
        {"current_period_start_date": NOW + DAY, "expiry_date": NOW + DAY},
        {"current_period_start_date": NOW + DAY + SECOND, "expiry_date": NOW + DAY},
        "currentPeriodStartDate must be no more than 1 day from now (2026-02-01T10:00:00Z); "
        "got 2026-02-01T10:00:01Z",
    ),
    "trialEndsAt is later than currentPeriodStartDate": (
        {"plan_code": TRIAL, "trial_ends_at": NOW + SECOND, "expiry_date": NOW + SECOND},
        {"plan_code": TRIAL, "trial_ends_at": NOW, "expiry_date": NOW},
        "trialEndsAt must be later than currentPeriodStartDate (2026-01-31T10:00:00Z); "
        "got 2026-01-31T10:00:00Z",
    ),
    "trialEndsAt is no more than 100 days (100 x 24 hours) from currentPeriodStartDate": (
        {"plan_code": TRIAL, "trial_ends_at": NOW + 100 * DAY, "expiry_date": NOW + 100 * DAY},
        {
            "plan_code": TRIAL,
            "trial_ends_at": NOW + 100 * DAY + SECOND,
            "expiry_date": NOW + 100 * DAY + SECOND,
        },
        "trialEndsAt must be no more than 100 days from currentPeriodStartDate "
        "(2026-05-11T10:00:00Z); got 2026-05-11T10:00:01Z",
    ),
    "expiryDate is no more than 1 calendar month from currentPeriodStartDate (Jan 31 -> Feb 28)": (
        {"expiry_date": MONTH},
        {"expiry_date": MONTH + SECOND},
        "expiryDate must be no more than 1 month from currentPeriodStartDate "
        "(2026-02-28T10:00:00Z); got 2026-02-28T10:00:01Z",
    ),
    "Jan 31 -> Feb 29 in a leap year": (
        {
            "now": datetime(2028, 1, 31, 10, tzinfo=UTC),
            "current_period_start_date": datetime(2028, 1, 31, 10, tzinfo=UTC),
            "expiry_date": datetime(2028, 2, 29, 10, tzinfo=UTC),
        },
        {
            "now": datetime(2028, 1, 31, 10, tzinfo=UTC),
            "current_period_start_date": datetime(2028, 1, 31, 10, tzinfo=UTC),
            "expiry_date": datetime(2028, 2, 29, 10, 0, 1, tzinfo=UTC),
        },
        "expiryDate must be no more than 1 month from currentPeriodStartDate "
        "(2028-02-29T10:00:00Z); got 2028-02-29T10:00:01Z",
    ),
    "Mar 31 -> Apr 30": (
        {
            "now": datetime(2026, 3, 31, 10, tzinfo=UTC),
            "current_period_start_date": datetime(2026, 3, 31, 10, tzinfo=UTC),
            "expiry_date": datetime(2026, 4, 30, 10, tzinfo=UTC),
        },
        {
            "now": datetime(2026, 3, 31, 10, tzinfo=UTC),
            "current_period_start_date": datetime(2026, 3, 31, 10, tzinfo=UTC),
            "expiry_date": datetime(2026, 4, 30, 10, 0, 1, tzinfo=UTC),
        },
        "expiryDate must be no more than 1 month from currentPeriodStartDate "
        "(2026-04-30T10:00:00Z); got 2026-04-30T10:00:01Z",
    ),
    "on a trial, expiryDate is the same as or later than trialEndsAt": (
        {"plan_code": TRIAL, "trial_ends_at": T10, "expiry_date": T10},
        {"plan_code": TRIAL, "trial_ends_at": T10, "expiry_date": T10 - SECOND},
        "expiryDate must be the same as or later than trialEndsAt on a trial "
        "(2026-02-10T10:00:00Z); got 2026-02-10T09:59:59Z",
    ),
    "a trial ending exactly 1 month on still caps expiryDate at 1 month": (
        {"plan_code": TRIAL, "trial_ends_at": MONTH, "expiry_date": MONTH},
        {"plan_code": TRIAL, "trial_ends_at": MONTH, "expiry_date": MONTH + SECOND},
        "expiryDate must be no more than 1 month from currentPeriodStartDate "
        "(2026-02-28T10:00:00Z); got 2026-02-28T10:00:01Z",
    ),
    "a trial ending more than 1 month on: expiryDate equals trialEndsAt (not earlier)": (
        {"plan_code": TRIAL, "trial_ends_at": MONTH + SECOND, "expiry_date": MONTH + SECOND},
        {"plan_code": TRIAL, "trial_ends_at": MONTH + SECOND, "expiry_date": MONTH},
        "expiryDate must equal trialEndsAt when the trial ends more than 1 month after "
        "currentPeriodStartDate (2026-02-28T10:00:01Z); got 2026-02-28T10:00:00Z",
    ),
    "a trial ending more than 1 month on: expiryDate equals trialEndsAt (not later)": (
        {"plan_code": TRIAL, "trial_ends_at": MONTH + SECOND, "expiry_date": MONTH + SECOND},
        {
            "plan_code": TRIAL,
            "trial_ends_at": MONTH + SECOND,
            "expiry_date": MONTH + 2 * SECOND,
        },
        "expiryDate must equal trialEndsAt when the trial ends more than 1 month after "
        "currentPeriodStartDate (2026-02-28T10:00:01Z); got 2026-02-28T10:00:02Z",
    ),
}


@pytest.mark.parametrize(("accepted", "refused", "message"), BOUNDARIES.values(), ids=BOUNDARIES)
def test_each_date_rule_holds_on_its_limit_and_fails_one_second_past(
    client, transport, accepted, refused, message
):
    refuse(client, transport, message, **refused)
    sent = send(client, transport, **accepted)
    assert sent["status"] == "active"


def test_one_calendar_month_keeps_the_day_and_time_or_takes_the_months_last_day():
    at = datetime(2026, 1, 31, 10, 0, 0, tzinfo=UTC)
    assert add_month(at) == datetime(2026, 2, 28, 10, tzinfo=UTC)
    assert add_month(at.replace(year=2028)) == datetime(2028, 2, 29, 10, tzinfo=UTC)
    assert add_month(at.replace(month=3)) == datetime(2026, 4, 30, 10, tzinfo=UTC)
    assert add_month(at.replace(month=12)) == datetime(2027, 1, 31, 10, tzinfo=UTC)
    assert add_month(datetime(2026, 1, 15, 23, 59, 59, tzinfo=UTC)) == datetime(
        2026, 2, 15, 23, 59, 59, tzinfo=UTC
    )


def test_trial_ends_at_is_required_on_the_trial_plan_and_only_there(client, transport):
    refuse(
        client,
        transport,
        "trialEndsAt is required when planCode is trial-unlimited-streaming",
        plan_code=TRIAL,
    )
    refuse(
        client,
        transport,
        "trialEndsAt must not be supplied unless planCode is trial-unlimited-streaming",
        trial_ends_at=T10,
    )


def test_the_clock_is_the_current_utc_time_unless_the_caller_gives_one(client, transport):
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    changes = {**VALID, "activated_at": later, "current_period_start_date": later}
    changes["expiry_date"] = later
    del changes["now"]
    with pytest.raises(ValueError, match=r"^activatedAt must be now or earlier \("):
        client.subscriptions.update("u-1", **changes)
    # The same state passes against a clock the caller sets an hour later still.
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    client.subscriptions.update("u-1", now=later + timedelta(hours=1), **changes)
    assert len(transport.requests) == 1


# -- the other parameters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"plan_code": "unlimited-streaming"},
            "planCode must be one of premium-unlimited-streaming, standard-unlimited-streaming, "
            "trial-unlimited-streaming; got 'unlimited-streaming'",
        ),
        (
            {"status": "paused"},
            "status must be one of active, cancelled, expired; got 'paused'",
        ),
        (
            {"currency": "gbp"},
            "currency must be an ISO 4217 code of three letters A-Z; got 'gbp'",
        ),
        (
            {"currency": "GBPX"},
            "currency must be an ISO 4217 code of three letters A-Z; got 'GBPX'",
        ),
        (
            {"currency": "£"},
            "currency must be an ISO 4217 code of three letters A-Z; got '£'",
        ),
        (
            {"recurring_fee": -1},
            "recurringFee must be a whole number >= 0 in minor units (cents; 0 with a voucher); "
            "got -1",
        ),
        (
            {"recurring_fee": 9.99},
            "recurringFee must be a whole number >= 0 in minor units (cents; 0 with a voucher); "
            "got 9.99",
        ),
        (
            {"recurring_fee": "999"},
            "recurringFee must be a whole number >= 0 in minor units (cents; 0 with a voucher); "
            "got '999'",
        ),
        (
            {"recurring_fee": True},
            "recurringFee must be a whole number >= 0 in minor units (cents; 0 with a voucher); "
            "got True",
        ),
        (
            {"country": "GBR"},
            "country must be an ISO 3166 code of two letters; got 'GBR'",
        ),
        (
            {"country": "G1"},
            "country must be an ISO 3166 code of two letters; got 'G1'",
        ),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_plan_status_currency_fee_and_country_are_checked(client, transport, changes, message):
    refuse(client, transport, message, **changes)


@pytest.mark.parametrize("plan_code", [PREMIUM, STANDARD, TRIAL])
@pytest.mark.parametrize("status", ["active", "cancelled", "expired"])
def test_every_plan_and_status_is_accepted_and_a_voucher_costs_zero(
    client, transport, plan_code, status
):
    trial = {"trial_ends_at": T10, "expiry_date": T10} if plan_code == TRIAL else {}
    sent = send(client, transport, plan_code=plan_code, status=status, recurring_fee=0, **trial)
    assert (sent["planCode"], sent["status"], sent["recurringFee"]) == (plan_code, status, "0")


def test_a_country_is_required_when_the_client_has_no_default(transport):
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        country=None,
    )
    refuse(client, transport, "country must be an ISO 3166 code of two letters; got None")
    assert send(client, transport, country="FR")["country"] == "FR"


@pytest.mark.parametrize(
    "name", ["activated_at", "current_period_start_date", "expiry_date", "trial_ends_at", "now"]
)
def test_naive_datetimes_are_refused(client, transport, name):
    changes = {"plan_code": TRIAL, "trial_ends_at": T10, "expiry_date": T10}
    naive = changes.get(name, VALID.get(name)).replace(tzinfo=None)
    api_name = {
        "activated_at": "activatedAt",
        "current_period_start_date": "currentPeriodStartDate",
        "expiry_date": "expiryDate",
        "trial_ends_at": "trialEndsAt",
        "now": "now",
    }[name]
    with pytest.raises(ValueError, match=rf"^{api_name} must be timezone-aware; got "):
        client.subscriptions.update("u-1", **{**VALID, **changes, name: naive})
    assert transport.requests == []


# -- what is sent ---------------------------------------------------------------------


def test_the_whole_state_is_sent_in_the_form_body_with_dates_in_the_z_form(client, transport):
    paris = timezone(timedelta(hours=1))
    sent = send(
        client,
        transport,
        plan_code=TRIAL,
        currency="EUR",
        recurring_fee=0,
        activated_at=datetime(2025, 7, 1, 12, 33, 0, 999999, tzinfo=paris),
        current_period_start_date=NOW + timedelta(microseconds=500000),
        trial_ends_at=T10,
        expiry_date=T10,
        postcode="W1A 1AA",
        country="FR",
    )
    assert sent == {
        "planCode": TRIAL,
        "status": "active",
        "currency": "EUR",
        "recurringFee": "0",
        "postcode": "W1A 1AA",
        "country": "FR",
        "activatedAt": "2025-07-01T11:33:00Z",
        "currentPeriodStartDate": "2026-01-31T10:00:00Z",
        "trialEndsAt": "2026-02-10T10:00:00Z",
        "expiryDate": "2026-02-10T10:00:00Z",
        "userId": "u-1",
    }
    assert transport.last.method == "POST"
    assert urlsplit(transport.last.url).path == "/1.2/user/unlimitedStreaming"
    assert urlsplit(transport.last.url).query == ""


def test_the_reference_example_request_is_accepted_and_sent_as_written(client, transport):
    """The example at reference line 6415 (its ``¤`` is a decoded ``&curren``)."""
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    client.subscriptions.update(
        "u-1",
        plan_code="trial-unlimited-streaming",
        status="active",
        currency="GBP",
        recurring_fee=999,
        postcode="W1A 1AA",
        country="GB",
        activated_at="2012-07-01T10:33:00Z",
        current_period_start_date="2013-11-23T23:59:59Z",
        trial_ends_at="2013-12-23T23:59:59Z",
        expiry_date="2013-12-23T23:59:59Z",
    )
    sent = form(transport.last)
    assert sent["activatedAt"] == "2012-07-01T10:33:00Z"
    assert sent["currentPeriodStartDate"] == "2013-11-23T23:59:59Z"
    assert sent["trialEndsAt"] == sent["expiryDate"] == "2013-12-23T23:59:59Z"


def test_date_strings_need_a_zone_and_are_sent_in_the_z_form(client, transport):
    sent = send(
        client,
        transport,
        activated_at="2026-01-01T12:00:00+01:00",
        current_period_start_date="2026-01-31T10:00:00+00:00",
        expiry_date="2026-02-28T10:00:00Z",
    )
    assert sent["activatedAt"] == "2026-01-01T11:00:00Z"
    assert sent["currentPeriodStartDate"] == "2026-01-31T10:00:00Z"
    transport.requests.clear()
    refuse(
        client,
        transport,
        "expiryDate must be timezone-aware; got '2026-02-28T10:00:00'",
        expiry_date="2026-02-28T10:00:00",
    )
    refuse(
        client,
        transport,
        "expiryDate must be an ISO 8601 date-time such as 2013-11-23T23:59:59Z; got '28/02/2026'",
        expiry_date="28/02/2026",
    )


def test_a_configured_shop_id_is_sent_with_the_country_on_both_calls(transport):
    """Custom content pools send BOTH shopId and country here (reference line 6424)."""
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        shop_id=1064,
    )
    sent = send(client, transport, country="DE", currency="EUR")
    assert (sent["shopId"], sent["country"]) == ("1064", "DE")
    assert send(client, transport)["country"] == "GB", "the client's default country"
    transport.reply_fixture("user_unlimitedstreaming.xml")
    client.subscriptions.get("u-1", country="DE")
    query = parse_qs(urlsplit(transport.last.url).query)
    assert (query["shopId"], query["country"]) == (["1064"], ["DE"])


def test_the_post_is_retried_as_idempotent(client, transport, sleeps):
    transport.reply("<html>503</html>", status=503, content_type="text/html")
    sent = send(client, transport)
    assert [r.method for r in transport.requests] == ["POST", "POST"]
    assert form(transport.requests[0]) == sent
    assert len(sleeps) == 1


def test_the_rules_are_checked_on_the_dates_as_sent_to_the_second(client, transport):
    """Microseconds are dropped before checking: a trial ending 0.2 s after the period
    starts would be sent as ending at the same second, which the API refuses."""
    refuse(
        client,
        transport,
        "trialEndsAt must be later than currentPeriodStartDate (2026-01-31T10:00:00Z); "
        "got 2026-01-31T10:00:00Z",
        plan_code=TRIAL,
        current_period_start_date=NOW + timedelta(microseconds=500000),
        trial_ends_at=NOW + timedelta(microseconds=700000),
        expiry_date=T10,
    )


# -- reading the answers ----------------------------------------------------------------
# The XML answers are the reference's examples (fixtures copied from lines 6429-6434 and
# 6444-6449); the reference shows no JSON form, so the JSON answers carry the same values
# in the envelope the other JSON examples use.

GET_EXPIRY = datetime(2012, 12, 23, 23, 59, 59, tzinfo=UTC)
POST_EXPIRY = datetime(2013, 12, 23, 23, 59, 59, tzinfo=UTC)


def json_answer(streaming: dict[str, str]) -> dict[str, object]:
    return {"status": "ok", "version": "1.2", "streaming": streaming}


def test_the_reference_examples_are_the_fixtures():
    reference = (REFERENCE / "7digital-api-1.2-reference.txt").read_text().splitlines()
    assert (
        fixture("user_unlimitedstreaming_post.xml").decode().splitlines() == (reference[6428:6434])
    )
    # Line 6444 delimits its attributes with curly quotes (fixtures/EDITS-user.md).
    assert (
        fixture("user_unlimitedstreaming.xml").decode().splitlines()[1:] == (reference[6444:6449])
    )


def check_reference_subscription(subscription: Subscription, expiry: datetime) -> None:
    assert subscription == Subscription(level="premium", expiry_date=expiry)
    assert subscription.expiry_date.utcoffset() == timedelta(0)
    assert subscription.subscribed
    assert subscription.has_access(expiry - SECOND)
    assert not subscription.has_access(expiry), "access ends when expiryDate is reached"
    assert not subscription.has_access(expiry + SECOND)


def test_get_reads_the_level_and_the_expiry_date_as_an_aware_utc_datetime(client, transport):
    transport.reply_fixture("user_unlimitedstreaming.xml")
    check_reference_subscription(client.subscriptions.get("u-1"), GET_EXPIRY)
    sent = transport.last
    assert (sent.method, urlsplit(sent.url).path) == ("GET", "/1.2/user/unlimitedStreaming")
    query = parse_qs(urlsplit(sent.url).query)
    assert (query["userId"], query["country"]) == (["u-1"], ["GB"])
    assert not sent.body


def test_get_reads_the_json_form(json_client, transport):
    transport.reply_json(json_answer({"level": "premium", "expiryDate": "2012-12-23T23:59:59Z"}))
    check_reference_subscription(json_client.subscriptions.get("u-1"), GET_EXPIRY)
    assert header(transport.last, "Accept") == "application/json"


def test_update_returns_the_state_7digital_answers(client, transport):
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    check_reference_subscription(client.subscriptions.update("u-1", **VALID), POST_EXPIRY)


def test_update_reads_the_json_form(json_client, transport):
    transport.reply_json(json_answer({"level": "premium", "expiryDate": "2013-12-23T23:59:59Z"}))
    check_reference_subscription(json_client.subscriptions.update("u-1", **VALID), POST_EXPIRY)


def test_a_user_who_never_subscribed_has_level_none_and_no_access(client, json_client, transport):
    transport.reply(
        '<response status="ok" version="1.2"><streaming><level>none</level></streaming></response>'
    )
    transport.reply_json(json_answer({"level": "none"}))
    for reader in (client, json_client):
        subscription = reader.subscriptions.get("u-1")
        assert subscription == Subscription(level="none", expiry_date=None)
        assert not subscription.subscribed
        assert not subscription.has_access(NOW)


def test_has_access_needs_an_aware_clock_and_defaults_to_now():
    subscription = Subscription(level="premium", expiry_date=datetime.now(UTC) + DAY)
    assert subscription.has_access()
    assert subscription.is_active(), "the earlier name still answers"
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        subscription.has_access(datetime(2026, 1, 1))


def test_an_unknown_user_is_not_found(client, transport):
    """GET's documented error (reference line 6445); the POST documents none."""
    transport.error(2001, "User not found", status=404)
    with pytest.raises(errors.NotFound) as caught:
        client.subscriptions.get("nobody")
    assert (caught.value.code, caught.value.message) == (2001, "User not found")


def test_a_refused_update_is_not_retried(client, transport, sleeps):
    transport.error(1002, "Invalid parameter value: expiryDate: too far", status=400)
    with pytest.raises(errors.InvalidParameter) as caught:
        client.subscriptions.update("u-1", **VALID)
    assert (caught.value.code, caught.value.message) == (
        1002,
        "Invalid parameter value: expiryDate: too far",
    )
    assert len(transport.requests) == 1 and sleeps == []
