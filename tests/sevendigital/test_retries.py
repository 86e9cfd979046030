"""Retries: idempotent GETs retry with exponential backoff and jitter; POSTs never by default."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from sevendigital import SevenDigital, errors

from .fakes import BASE_URL, CONSUMER_KEY, CONSUMER_SECRET


def test_a_get_that_fails_twice_then_succeeds_returns_the_result(client, transport, sleeps):
    transport.fail(requests.ConnectionError("reset"))
    transport.reply("<html>bad gateway</html>", status=502, content_type="text/html")
    transport.reply_fixture("release_details.xml")
    release = client.releases.details(1046)
    assert release.title == "No Surprises"
    assert len(transport.requests) == 3
    assert len(sleeps) == 2
    assert all(0 < s <= 4.0 for s in sleeps)


def test_backoff_grows_exponentially_with_jitter(transport, sleeps):
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        sleep=sleeps.append,
        max_retries=4,
        backoff=1.0,
        max_backoff=100,
    )
    for _ in range(5):
        transport.fail(requests.ConnectionError("down"))
    with pytest.raises(errors.APIConnectionError):
        client.artists.details(1)
    assert len(sleeps) == 4
    # attempt n waits 2**(n-1) seconds plus up to 1 second of jitter
    for n, slept in enumerate(sleeps):
        assert 2**n <= slept <= 2**n + 1.0


def test_retries_stop_after_the_configured_number(client, transport, sleeps):
    for _ in range(3):
        transport.error(9001, "Unexpected internal server error", status=500)
    with pytest.raises(errors.ServerError):
        client.artists.details(1)
    assert len(transport.requests) == 3  # one try + max_retries=2


def test_client_errors_are_not_retried(client, transport, sleeps):
    transport.error(2001, "Artist not found", status=404)
    with pytest.raises(errors.NotFound):
        client.artists.details(1)
    assert len(transport.requests) == 1
    assert sleeps == []


def test_a_sale_post_is_never_retried_after_a_dropped_connection(client, transport, sleeps):
    """deliveritem is a GET that records a sale: retrying blindly could sell twice."""
    transport.fail(requests.ConnectionError("connection dropped"))
    transport.reply_fixture("user_deliveritem.xml")
    with pytest.raises(errors.APIConnectionError):
        client.purchasing.deliver_item(
            "u-1",
            release_id=415019,
            track_id=4648051,
            transaction_id="order-1-line-1",
            retail_price=Decimal("0.99"),
        )
    assert len(transport.requests) == 1
    assert sleeps == []


def test_a_log_post_is_not_retried_on_a_5xx(client, transport, sleeps):
    transport.reply("<html>503</html>", status=503, content_type="text/html")
    with pytest.raises(errors.ServerError):
        client.logging.catalogue([], country="GB")
    assert len(transport.requests) == 1


def test_a_post_declared_idempotent_is_retried(client, transport, sleeps):
    transport.reply("<html>503</html>", status=503, content_type="text/html")
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    subscription = client.subscriptions.update(
        "u-1",
        plan_code="premium-unlimited-streaming",
        status="active",
        currency="GBP",
        recurring_fee=999,
        activated_at="2012-07-01T10:33:00Z",
        current_period_start_date="2013-11-23T23:59:59Z",
        expiry_date="2013-12-23T23:59:59Z",
    )
    assert subscription.level == "premium"
    assert [r.method for r in transport.requests] == ["POST", "POST"]
    assert len(sleeps) == 1


def test_each_retry_is_signed_afresh(client, transport, verifier):
    transport.fail(requests.ConnectionError("reset"))
    transport.reply_fixture("user_locker.xml")
    client.locker.get("u-1")
    first, second = transport.requests
    assert verifier.verify(first) and verifier.verify(second)
