"""The sandbox's subscriptions: POST and GET user/unlimitedStreaming (reference lines
6411-6449) with every rule of issue 18 (docs/sandbox-subscriptions.md), access on the
sandbox's clock, and the control API that lists and sets subscriptions directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree
from django.conf import settings
from requests_oauthlib import OAuth1

from sandbox.backends.subscriptions import month_after, subscriptions_backend
from sandbox.models import PartnerUser, Subscription
from sandbox.state import state
from sevendigital.parsing import decode

from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
NOW = datetime(2026, 11, 10, 12, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
USER = "subscriber-1"
PREMIUM = "premium-unlimited-streaming"
STANDARD = "standard-unlimited-streaming"
TRIAL = "trial-unlimited-streaming"
ENDPOINT = f"{SANDBOX_URL}/1.2/user/unlimitedStreaming"


# -- helpers -------------------------------------------------------------------------


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid(**overrides) -> dict[str, str | None]:
    """A premium month starting now, for a subscriber since a month ago."""
    values = {
        "planCode": PREMIUM,
        "status": "active",
        "currency": "GBP",
        "recurringFee": "999",
        "postcode": "W1A 1AA",
        "country": "GB",
        "activatedAt": z(NOW - 30 * DAY),
        "currentPeriodStartDate": z(NOW),
        "expiryDate": z(month_after(NOW)),
    }
    values.update(overrides)
    return values


def trial(period_start: datetime, trial_ends: datetime, expiry: datetime) -> dict:
    return valid(
        planCode=TRIAL,
        recurringFee="0",
        currentPeriodStartDate=z(period_start),
        trialEndsAt=z(trial_ends),
        expiryDate=z(expiry),
    )


def two_legged() -> OAuth1:
    return OAuth1(settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET)


def post(
    http_session: requests.Session,
    fields: dict,
    *,
    user_id: str | None = USER,
    auth: OAuth1 | None = None,
    accept: str = "application/xml",
) -> requests.Response:
    """A signed, form-encoded POST: the body's parameters enter the signature."""
    body = {k: v for k, v in fields.items() if v is not None}
    if user_id is not None:
        body["userId"] = user_id
    return http_session.post(
        ENDPOINT, data=body, headers={"Accept": accept}, auth=auth or two_legged()
    )


def get(
    http_session: requests.Session,
    *,
    user_id: str | None = USER,
    auth: OAuth1 | None = None,
    accept: str = "application/xml",
    params: dict | None = None,
) -> requests.Response:
    query = {"country": "GB"} if params is None else dict(params)
    if user_id is not None:
        query["userId"] = user_id
    return http_session.get(
        ENDPOINT, params=query, headers={"Accept": accept}, auth=auth or two_legged()
    )


def streaming_of(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    root = ElementTree.fromstring(response.content)
    assert (root.tag, root.get("status"), root.get("version")) == ("response", "ok", "1.2")
    (streaming,) = list(root)
    assert streaming.tag == "streaming"
    return {child.tag: child.text for child in streaming}


def error_of(response: requests.Response) -> tuple[int | None, str | None]:
    envelope = decode(response.content, response.headers.get("Content-Type", ""))
    assert envelope.is_error, response.text
    return envelope.error_code, envelope.error_message


def refused(response: requests.Response, code: int, message: str) -> None:
    assert error_of(response) == (code, message)
    assert response.status_code == (404 if code == 2001 else 400)


def invalid(name: str, why: str) -> str:
    return f"Invalid parameter value: {name}: {why}"


def control(http_session: requests.Session, method: str, path: str, **options):
    return http_session.request(method, f"{SANDBOX_URL}/_sandbox/{path}", **options)


def listed(http_session: requests.Session, **params) -> list[dict]:
    response = control(http_session, "GET", "subscriptions", params=params)
    assert response.status_code == 200, response.text
    return response.json()["subscriptions"]


def user(user_id: str = USER) -> PartnerUser:
    return PartnerUser.objects.get(user_id=user_id)


@pytest.fixture(autouse=True)
def clock():
    state.set_now(NOW)
    return NOW


@pytest.fixture(autouse=True)
def subscriber():
    return PartnerUser.objects.create(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=USER, country="GB"
    )


# -- the answers -------------------------------------------------------------------------


def test_a_premium_subscription_is_stored_and_answered_with_its_level_and_expiry(http_session):
    response = post(http_session, valid())

    assert response.headers["Content-Type"].startswith("application/xml")
    assert streaming_of(response) == {"level": "premium", "expiryDate": "2026-12-10T12:00:00Z"}
    stored = user().subscription
    assert (stored.plan_code, stored.status, stored.currency, stored.recurring_fee) == (
        PREMIUM,
        "active",
        "GBP",
        999,
    )
    assert (stored.postcode, stored.country, stored.shop_id) == ("W1A 1AA", "GB", None)
    assert (stored.activated_at, stored.current_period_start) == (NOW - 30 * DAY, NOW)
    assert (stored.trial_ends_at, stored.expiry_date, stored.updated_at) == (
        None,
        datetime(2026, 12, 10, 12, tzinfo=UTC),
        NOW,
    )


@pytest.mark.parametrize(
    ("fields", "level"),
    [
        (valid(planCode=PREMIUM), "premium"),
        (valid(planCode=STANDARD), "standard"),
        (trial(NOW, NOW + 14 * DAY, NOW + 14 * DAY), "trial"),
    ],
)
def test_each_plan_answers_its_first_word_as_the_level(http_session, fields, level):
    assert streaming_of(post(http_session, fields))["level"] == level
    assert streaming_of(get(http_session))["level"] == level


def test_the_answers_come_as_json_when_asked(http_session):
    posted = post(http_session, valid(), accept="application/json")
    fetched = get(http_session, accept="application/json")

    expected = {
        "status": "ok",
        "version": "1.2",
        "streaming": {"level": "premium", "expiryDate": "2026-12-10T12:00:00Z"},
    }
    assert posted.headers["Content-Type"].startswith("application/json")
    assert json.loads(posted.content) == expected
    assert json.loads(fetched.content) == expected


def test_errors_come_as_json_when_asked(http_session):
    response = post(http_session, valid(planCode=None), accept="application/json")

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "status": "error",
        "version": "1.2",
        "error": {"code": 1001, "errorMessage": "Missing parameter planCode"},
    }


def test_a_known_user_who_never_subscribed_has_level_none_and_no_expiry(http_session):
    assert streaming_of(get(http_session)) == {"level": "none"}
    assert json.loads(get(http_session, accept="application/json").content)["streaming"] == {
        "level": "none"
    }


def test_a_second_post_replaces_the_state(http_session):
    post(http_session, valid())

    answer = streaming_of(post(http_session, valid(planCode=STANDARD, recurringFee="499")))

    assert answer["level"] == "standard"
    assert Subscription.objects.count() == 1
    assert user().subscription.recurring_fee == 499


def test_the_references_own_example_request_is_accepted(http_session):
    """Line 6415, whose ``¤`` is a decoded ``&curren`` (spec section 7 item 1)."""
    lines = (REFERENCE / "7digital-api-1.2-reference.txt").read_text().splitlines()
    example = lines[6414].strip()  # line 6415
    body = example.replace("¤", "&curren").split("&oauth_consumer_key=")[0] + f"&userId={USER}"
    assert body.startswith("planCode=trial-unlimited-streaming&status=active&currency=GBP")
    state.set_now(datetime(2013, 11, 23, 23, 59, 59, tzinfo=UTC))

    response = http_session.post(
        ENDPOINT,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=two_legged(),
    )

    assert streaming_of(response) == {"level": "trial", "expiryDate": "2013-12-23T23:59:59Z"}
    stored = user().subscription
    assert (stored.postcode, stored.recurring_fee, stored.trial_ends_at) == (
        "W1A 1AA",
        999,
        datetime(2013, 12, 23, 23, 59, 59, tzinfo=UTC),
    )


# -- users and credentials -------------------------------------------------------------


def test_an_unknown_user_is_not_found_on_post(http_session):
    refused(post(http_session, valid(), user_id="nobody"), 2001, "User not found")


def test_an_unknown_user_is_not_found_on_get(http_session):
    refused(get(http_session, user_id="nobody"), 2001, "User not found")


def test_the_user_is_checked_before_the_parameters(http_session):
    refused(post(http_session, {}, user_id="nobody"), 2001, "User not found")
    refused(get(http_session, user_id="nobody", params={}), 2001, "User not found")


def test_a_call_without_a_user_is_refused(http_session):
    refused(post(http_session, valid(), user_id=None), 1001, "Required parameter userId is missing")


def test_a_three_legged_token_acts_for_its_user(http_session, settings):
    settings.SANDBOX_ACCESS_TOKENS = {"token-1": ("token-secret", USER)}
    auth = OAuth1(
        settings.SEVENDIGITAL_CONSUMER_KEY,
        settings.SEVENDIGITAL_CONSUMER_SECRET,
        resource_owner_key="token-1",
        resource_owner_secret="token-secret",
    )

    posted = post(http_session, valid(planCode=STANDARD), user_id=None, auth=auth)
    fetched = get(http_session, user_id=None, auth=auth)

    assert streaming_of(posted)["level"] == "standard"
    assert streaming_of(fetched) == {"level": "standard", "expiryDate": "2026-12-10T12:00:00Z"}
    assert user().subscription.plan_code == STANDARD


def test_the_form_body_enters_the_signature(http_session):
    """A body changed after signing fails: the parameters are signed, not just sent."""
    prepared = requests.Request(
        "POST", ENDPOINT, data={**valid(), "userId": USER}, auth=two_legged()
    ).prepare()
    prepared.body = prepared.body.replace(b"recurringFee=999", b"recurringFee=1")

    response = http_session.send(prepared)

    assert response.status_code == 401
    assert not Subscription.objects.exists()


def test_get_needs_a_country(http_session):
    refused(get(http_session, params={}), 1001, "Missing parameter country")


# -- required parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "planCode",
        "status",
        "currency",
        "recurringFee",
        "country",
        "activatedAt",
        "currentPeriodStartDate",
        "expiryDate",
    ],
)
def test_each_required_parameter_is_named_when_missing(http_session, name):
    refused(post(http_session, valid(**{name: None})), 1001, f"Missing parameter {name}")


def test_an_empty_parameter_counts_as_missing(http_session):
    refused(post(http_session, valid(currency="")), 1001, "Missing parameter currency")


def test_postcode_is_optional(http_session):
    post(http_session, valid(postcode=None))

    assert user().subscription.postcode == ""


def test_trial_ends_at_is_required_on_the_trial_plan(http_session):
    fields = valid(planCode=TRIAL, expiryDate=z(NOW + 14 * DAY))

    refused(post(http_session, fields), 1001, "Missing parameter trialEndsAt")


def test_a_shop_id_without_a_country_is_refused(http_session):
    refused(
        post(http_session, valid(shopId="1064", country=None)), 1001, "Missing parameter country"
    )


def test_a_shop_id_with_its_country_is_stored(http_session):
    post(http_session, valid(shopId="1064"))

    assert (user().subscription.shop_id, user().subscription.country) == (1064, "GB")


# -- values ----------------------------------------------------------------------------


PLANS = ", ".join((PREMIUM, STANDARD, TRIAL))


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("planCode", "gold-unlimited-streaming", f"must be one of {PLANS}"),
        ("status", "paused", "must be one of active, cancelled, expired"),
        ("currency", "gbp", "must be an ISO 4217 code of three capital letters, such as GBP"),
        ("currency", "GB", "must be an ISO 4217 code of three capital letters, such as GBP"),
        (
            "recurringFee",
            "9.99",
            "must be a whole number of minor units, 0 or more (999 for 9.99; 0 with a voucher)",
        ),
        (
            "recurringFee",
            "-1",
            "must be a whole number of minor units, 0 or more (999 for 9.99; 0 with a voucher)",
        ),
        ("country", "GBR", "must be an ISO 3166 code of two letters, such as GB"),
        ("shopId", "shop", "must be a whole number"),
        ("postcode", "X" * 21, "must be at most 20 characters"),
    ],
)
def test_a_value_that_breaks_a_rule_is_refused_with_the_rule(http_session, name, value, why):
    refused(post(http_session, valid(**{name: value})), 1002, invalid(name, why))


def test_a_voucher_fee_of_zero_is_accepted(http_session):
    post(http_session, valid(recurringFee="0"))

    assert user().subscription.recurring_fee == 0


DATE_FORMAT = "must be an ISO 8601 UTC date and time to the second, such as 2013-11-23T23:59:59Z"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-10T12:00:00+01:00",  # another offset
        "2026-11-10T12:00:00",  # no zone
        "2026-11-10T12:00:00.500Z",  # finer than a second
        "2026-11-10",
        "1352548800",  # the reference types currentPeriodStartDate "integer" (line 6426)
        "2026-02-30T12:00:00Z",
    ],
)
def test_a_date_not_in_utc_to_the_second_is_refused(http_session, text):
    response = post(http_session, valid(currentPeriodStartDate=text))

    refused(response, 1002, invalid("currentPeriodStartDate", f"{DATE_FORMAT} (got {text})"))


def test_an_explicit_utc_offset_is_accepted(http_session):
    post(http_session, valid(currentPeriodStartDate="2026-11-10T12:00:00+00:00"))

    assert user().subscription.current_period_start == NOW


# -- activatedAt and currentPeriodStartDate --------------------------------------------


def test_activated_at_may_be_now(http_session):
    assert post(http_session, valid(activatedAt=z(NOW))).ok


def test_activated_at_a_second_from_now_is_refused(http_session):
    response = post(
        http_session, valid(activatedAt=z(NOW + SECOND), currentPeriodStartDate=z(NOW + SECOND))
    )

    refused(
        response,
        1002,
        invalid("activatedAt", "must be now or earlier (now is 2026-11-10T12:00:00Z)"),
    )


def test_the_period_may_start_one_day_from_now(http_session):
    start = NOW + DAY

    assert post(
        http_session, valid(currentPeriodStartDate=z(start), expiryDate=z(month_after(start)))
    ).ok


def test_the_period_starting_one_day_and_a_second_from_now_is_refused(http_session):
    start = NOW + DAY + SECOND

    response = post(
        http_session, valid(currentPeriodStartDate=z(start), expiryDate=z(month_after(start)))
    )

    refused(
        response,
        1002,
        invalid(
            "currentPeriodStartDate",
            "must be no more than 1 day from now (at most 2026-11-11T12:00:00Z)",
        ),
    )


def test_the_period_may_start_when_the_subscriber_activated(http_session):
    assert post(http_session, valid(activatedAt=z(NOW))).ok


def test_the_period_starting_before_activation_is_refused(http_session):
    response = post(http_session, valid(activatedAt=z(NOW), currentPeriodStartDate=z(NOW - SECOND)))

    refused(
        response,
        1002,
        invalid(
            "currentPeriodStartDate",
            "must be the same as or later than activatedAt (2026-11-10T12:00:00Z)",
        ),
    )


# -- trialEndsAt -----------------------------------------------------------------------


def test_trial_ends_at_on_a_paid_plan_is_refused(http_session):
    response = post(http_session, valid(planCode=STANDARD, trialEndsAt=z(NOW + 7 * DAY)))

    refused(
        response,
        1002,
        invalid("trialEndsAt", f"must not be supplied unless planCode is {TRIAL}"),
    )


def test_a_trial_may_last_100_days(http_session):
    ends = NOW + 100 * DAY

    assert streaming_of(post(http_session, trial(NOW, ends, ends))) == {
        "level": "trial",
        "expiryDate": "2027-02-18T12:00:00Z",
    }


def test_a_trial_of_100_days_and_a_second_is_refused(http_session):
    ends = NOW + 100 * DAY + SECOND

    refused(
        post(http_session, trial(NOW, ends, ends)),
        1002,
        invalid(
            "trialEndsAt",
            "must be no more than 100 days from currentPeriodStartDate "
            "(at most 2027-02-18T12:00:00Z)",
        ),
    )


def test_a_trial_must_end_after_the_period_starts(http_session):
    refused(
        post(http_session, trial(NOW, NOW, NOW)),
        1002,
        invalid("trialEndsAt", "must be later than currentPeriodStartDate (2026-11-10T12:00:00Z)"),
    )


def test_a_trial_ending_a_second_after_the_period_starts_is_accepted(http_session):
    assert post(http_session, trial(NOW, NOW + SECOND, NOW + SECOND)).ok


# -- expiryDate ------------------------------------------------------------------------


def test_expiry_may_be_exactly_one_month_after_the_period_start(http_session):
    assert streaming_of(post(http_session, valid(expiryDate="2026-12-10T12:00:00Z")))


def test_expiry_a_month_and_a_second_after_the_period_start_is_refused(http_session):
    refused(
        post(http_session, valid(expiryDate="2026-12-10T12:00:01Z")),
        1002,
        invalid(
            "expiryDate",
            "must be no more than 1 month from currentPeriodStartDate "
            "(at most 2026-12-10T12:00:00Z)",
        ),
    )


@pytest.mark.parametrize(
    ("start", "month_end"),
    [
        ("2027-01-31T10:00:00Z", "2027-02-28T10:00:00Z"),
        ("2028-01-31T10:00:00Z", "2028-02-29T10:00:00Z"),  # a leap year
        ("2027-03-31T10:00:00Z", "2027-04-30T10:00:00Z"),
        ("2027-12-15T10:00:00Z", "2028-01-15T10:00:00Z"),
    ],
)
def test_a_month_ends_on_the_same_day_or_the_months_last(http_session, start, month_end):
    begins = datetime.fromisoformat(start)
    state.set_now(begins)
    last = datetime.fromisoformat(month_end)
    fields = valid(currentPeriodStartDate=start)

    accepted = post(http_session, {**fields, "expiryDate": month_end})
    too_late = post(http_session, {**fields, "expiryDate": z(last + SECOND)})

    assert streaming_of(accepted)["expiryDate"] == month_end
    refused(
        too_late,
        1002,
        invalid(
            "expiryDate",
            f"must be no more than 1 month from currentPeriodStartDate (at most {month_end})",
        ),
    )


def test_a_trials_expiry_may_follow_its_end_within_the_month(http_session):
    ends = NOW + 14 * DAY

    assert streaming_of(post(http_session, trial(NOW, ends, month_after(NOW))))["expiryDate"] == (
        "2026-12-10T12:00:00Z"
    )


def test_a_trials_expiry_before_its_end_is_refused(http_session):
    ends = NOW + 14 * DAY

    refused(
        post(http_session, trial(NOW, ends, ends - SECOND)),
        1002,
        invalid(
            "expiryDate", "must be the same as or later than trialEndsAt (2026-11-24T12:00:00Z)"
        ),
    )


def test_a_trial_of_exactly_one_month_may_expire_when_it_ends(http_session):
    ends = month_after(NOW)

    assert streaming_of(post(http_session, trial(NOW, ends, ends)))["expiryDate"] == (
        "2026-12-10T12:00:00Z"
    )


def test_a_trial_longer_than_a_month_expires_exactly_when_it_ends(http_session):
    ends = NOW + 40 * DAY

    assert streaming_of(post(http_session, trial(NOW, ends, ends)))["expiryDate"] == (
        "2026-12-20T12:00:00Z"
    )


@pytest.mark.parametrize("offset", [-SECOND, SECOND, -10 * DAY])
def test_a_long_trials_expiry_other_than_its_end_is_refused(http_session, offset):
    ends = NOW + 40 * DAY

    refused(
        post(http_session, trial(NOW, ends, ends + offset)),
        1002,
        invalid(
            "expiryDate",
            "must equal trialEndsAt (2026-12-20T12:00:00Z) when the trial is longer than 1 month",
        ),
    )


def test_a_trial_a_second_longer_than_a_month_must_expire_when_it_ends(http_session):
    ends = month_after(NOW) + SECOND

    refused(
        post(http_session, trial(NOW, ends, month_after(NOW))),
        1002,
        invalid(
            "expiryDate",
            "must equal trialEndsAt (2026-12-10T12:00:01Z) when the trial is longer than 1 month",
        ),
    )


def test_nothing_is_stored_when_a_rule_is_broken(http_session):
    post(http_session, valid())

    post(http_session, valid(planCode=STANDARD, expiryDate="2027-01-01T00:00:00Z"))

    assert user().subscription.plan_code == PREMIUM


# -- statuses and access on the sandbox's clock --------------------------------------


def test_an_active_subscription_gives_access_until_it_expires(http_session):
    post(http_session, valid())
    expiry = month_after(NOW)

    assert subscriptions_backend.has_access(user(), expiry - SECOND)
    assert not subscriptions_backend.has_access(user(), expiry)


def test_a_cancelled_subscription_keeps_access_until_expiry_then_loses_it(http_session):
    answer = streaming_of(post(http_session, valid(status="cancelled")))

    assert answer == {"level": "premium", "expiryDate": "2026-12-10T12:00:00Z"}
    assert subscriptions_backend.has_access(user())
    assert listed(http_session)[0]["access"] is True

    control(http_session, "POST", "clock", json={"now": "2026-12-10T11:59:59Z"})
    assert subscriptions_backend.has_access(user())
    control(http_session, "POST", "clock", json={"now": "2026-12-10T12:00:00Z"})

    assert not subscriptions_backend.has_access(user())
    assert listed(http_session)[0]["access"] is False
    assert streaming_of(get(http_session))["expiryDate"] == "2026-12-10T12:00:00Z"


def test_an_expired_subscription_loses_access_at_once(http_session):
    post(http_session, valid())

    answer = streaming_of(post(http_session, valid(status="expired")))

    assert answer == {"level": "premium", "expiryDate": "2026-11-10T12:00:00Z"}
    assert streaming_of(get(http_session))["expiryDate"] == "2026-11-10T12:00:00Z"
    assert not subscriptions_backend.has_access(user())
    assert user().subscription.status == "expired"


def test_an_expired_subscription_keeps_an_expiry_already_past(http_session):
    past = NOW - 3 * DAY

    post(
        http_session,
        valid(currentPeriodStartDate=z(past - 20 * DAY), expiryDate=z(past), status="expired"),
    )

    assert user().subscription.expiry_date == past


def test_get_follows_the_clock_past_an_active_expiry(http_session):
    post(http_session, valid())

    state.set_now(month_after(NOW) + SECOND)

    assert streaming_of(get(http_session)) == {
        "level": "premium",
        "expiryDate": "2026-12-10T12:00:00Z",
    }
    assert not subscriptions_backend.has_access(user())


def test_a_user_without_a_subscription_has_no_access():
    assert not subscriptions_backend.has_access(user())


def test_the_rules_follow_the_clock(http_session):
    start = datetime(2027, 6, 1, tzinfo=UTC)
    fields = valid(currentPeriodStartDate=z(start), expiryDate=z(month_after(start)))

    assert post(http_session, fields).status_code == 400
    control(http_session, "POST", "clock", json={"now": "2027-05-31T00:00:00Z"})

    assert post(http_session, fields).ok


# -- the control API -------------------------------------------------------------------


def test_the_control_api_lists_every_field(http_session):
    post(http_session, trial(NOW, NOW + 14 * DAY, NOW + 14 * DAY) | {"shopId": "1064"})

    assert listed(http_session) == [
        {
            "consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY,
            "user_id": USER,
            "planCode": TRIAL,
            "level": "trial",
            "status": "active",
            "currency": "GBP",
            "recurringFee": 0,
            "postcode": "W1A 1AA",
            "country": "GB",
            "shopId": 1064,
            "activatedAt": "2026-10-11T12:00:00Z",
            "currentPeriodStartDate": "2026-11-10T12:00:00Z",
            "trialEndsAt": "2026-11-24T12:00:00Z",
            "expiryDate": "2026-11-24T12:00:00Z",
            "updatedAt": "2026-11-10T12:00:00Z",
            "access": True,
        }
    ]


def test_the_list_narrows_by_user_and_consumer_key(http_session, settings):
    settings.SANDBOX_CONSUMERS = {**settings.SANDBOX_CONSUMERS, "other-key": "other-secret"}
    post(http_session, valid())
    control(http_session, "PUT", "subscriptions/other", json={"consumer_key": "other-key"})
    control(http_session, "PUT", "subscriptions/third", json={})

    assert [s["user_id"] for s in listed(http_session)] == [USER, "other", "third"]
    assert [s["user_id"] for s in listed(http_session, user_id="third")] == ["third"]
    assert [s["user_id"] for s in listed(http_session, consumer_key="other-key")] == ["other"]


def test_a_direct_set_bypasses_the_rules_to_simulate_drift(http_session):
    post(http_session, valid())

    response = control(
        http_session,
        "PUT",
        f"subscriptions/{USER}",
        json={"planCode": STANDARD, "expiryDate": "2028-01-01T00:00:00Z", "recurringFee": -5},
    )

    assert response.status_code == 200, response.text
    stored = response.json()["subscription"]
    assert (stored["planCode"], stored["expiryDate"], stored["recurringFee"]) == (
        STANDARD,
        "2028-01-01T00:00:00Z",
        -5,
    )
    assert stored["status"] == "active"  # untouched fields stay
    assert streaming_of(get(http_session)) == {
        "level": "standard",
        "expiryDate": "2028-01-01T00:00:00Z",
    }


def test_a_direct_set_can_expire_a_subscription_with_a_future_expiry(http_session):
    post(http_session, valid())

    control(http_session, "POST", f"subscriptions/{USER}", json={"status": "expired"})

    assert not subscriptions_backend.has_access(user())
    assert streaming_of(get(http_session))["expiryDate"] == "2026-12-10T12:00:00Z"


def test_a_direct_set_creates_the_user_and_a_subscription_with_defaults(http_session):
    response = control(http_session, "PUT", "subscriptions/new-user", json={"trialEndsAt": None})

    assert response.status_code == 201
    stored = response.json()["subscription"]
    assert (stored["planCode"], stored["status"], stored["activatedAt"], stored["expiryDate"]) == (
        PREMIUM,
        "active",
        "2026-11-10T12:00:00Z",
        "2026-12-10T12:00:00Z",
    )
    assert PartnerUser.objects.filter(user_id="new-user").exists()


def test_one_subscription_is_read_through_the_control_api(http_session):
    post(http_session, valid())

    found = control(http_session, "GET", f"subscriptions/{USER}")
    missing = control(http_session, "GET", "subscriptions/nobody")

    assert found.json()["subscription"]["expiryDate"] == "2026-12-10T12:00:00Z"
    assert (missing.status_code, missing.json()) == (404, {"error": "no subscription for nobody"})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"plan": "gold"}, "unknown subscription fields: plan"),
        ({"planCode": "gold"}, f"planCode must be one of {PLANS}"),
        ({"status": "paused"}, "status must be one of active, cancelled, expired"),
        ({"recurringFee": "999"}, "recurringFee must be a whole number (minor units)"),
        ({"shopId": "1064"}, "shopId must be a whole number or null"),
        ({"country": "GBR"}, "country must be text of at most 2 characters"),
        (
            {"expiryDate": "2026-12-10T12:00:00"},
            "expiryDate must be an ISO 8601 time with its offset, such as 2026-12-05T10:00:00Z",
        ),
        ({"consumer_key": "nobody"}, "consumer_key 'nobody' is not one the sandbox accepts"),
    ],
)
def test_a_bad_direct_set_is_refused_with_a_reason(http_session, body, error):
    response = control(http_session, "PUT", f"subscriptions/{USER}", json=body)

    assert (response.status_code, response.json()) == (400, {"error": error})
    assert not Subscription.objects.exists()


def test_a_direct_set_from_another_origin_or_as_a_form_is_refused(http_session):
    cross = control(
        http_session,
        "PUT",
        f"subscriptions/{USER}",
        json={"status": "expired"},
        headers={"Origin": "https://evil.example"},
    )
    form = control(http_session, "POST", f"subscriptions/{USER}", data={"status": "expired"})

    assert cross.status_code == 403
    assert form.status_code == 415
    assert not Subscription.objects.exists()


def test_the_grant_still_fills_a_month_from_now(http_session):
    response = control(http_session, "POST", "subscriptions", json={"user_id": "granted"})

    assert response.status_code == 201
    (stored,) = listed(http_session, user_id="granted")
    assert (stored["planCode"], stored["currentPeriodStartDate"], stored["expiryDate"]) == (
        PREMIUM,
        "2026-11-10T12:00:00Z",
        "2026-12-10T12:00:00Z",
    )
    assert stored["access"] is True
