"""The project's own client and the sandbox agree on user/unlimitedStreaming (reference
lines 6411-6449): each checks the date rules in its own code, so a state one accepts the
other must accept, and a state the client refuses never reaches the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from sandbox.models import PartnerUser
from sandbox.state import state
from sevendigital import SevenDigital, errors
from sevendigital.resources.subscription_rules import add_month

from .conftest import make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# The last day of January: one calendar month later is the last day of February.
NOW = datetime(2027, 1, 31, 10, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
USER = "subscriber-2"


@pytest.fixture(autouse=True)
def clock():
    state.set_now(NOW)


@pytest.fixture
def subscriber():
    return PartnerUser.objects.create(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=USER, country="GB"
    )


@pytest.fixture(params=["xml", "json"])
def client(request) -> SevenDigital:
    return make_client(response_format=request.param)


def premium(client: SevenDigital, **changes):
    values = {
        "plan_code": "premium-unlimited-streaming",
        "status": "active",
        "currency": "GBP",
        "recurring_fee": 999,
        "country": "GB",
        "activated_at": NOW - timedelta(days=90),
        "current_period_start_date": NOW,
        "expiry_date": add_month(NOW),
        "now": NOW,
    }
    values.update(changes)
    return client.subscriptions.update(USER, **values)


def test_a_month_of_premium_sent_by_the_client_is_what_the_sandbox_answers(client, subscriber):
    sent = premium(client)

    assert sent.level == "premium"
    assert sent.expiry_date == datetime(2027, 2, 28, 10, 0, 0, tzinfo=UTC)
    read = client.subscriptions.get(USER)
    assert (read.level, read.expiry_date) == ("premium", sent.expiry_date)
    assert read.has_access(NOW)


def test_both_sides_take_the_calendar_month_to_the_second(client, subscriber):
    assert premium(client, expiry_date=NOW + timedelta(days=28)).expiry_date == add_month(NOW)

    with pytest.raises(ValueError, match="no more than 1 month"):
        premium(client, expiry_date=add_month(NOW) + SECOND)


def test_a_trial_longer_than_a_month_ends_on_its_trial_end_at_both(client, subscriber):
    trial_end = NOW + timedelta(days=100)

    sent = premium(
        client,
        plan_code="trial-unlimited-streaming",
        recurring_fee=0,
        trial_ends_at=trial_end,
        expiry_date=trial_end,
    )

    assert (sent.level, sent.expiry_date) == ("trial", trial_end)


def test_a_cancelled_subscription_streams_until_expiry_on_the_sandbox_clock(client, subscriber):
    premium(client, status="cancelled")

    state.set_now(add_month(NOW) - SECOND)
    assert client.subscriptions.get(USER).has_access(state.now())
    state.set_now(add_month(NOW))
    assert not client.subscriptions.get(USER).has_access(state.now())


def test_an_unknown_user_is_refused_by_the_sandbox_with_2001(client):
    with pytest.raises(errors.SevenDigitalError) as refused:
        premium(client)

    assert refused.value.code == 2001
