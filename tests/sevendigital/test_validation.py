"""Input the client refuses before anything is sent, with a clear reason."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sevendigital import CatalogueLog, PreviewLog, SevenDigital

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("price", "error"),
    [(Decimal("-1.00"), ValueError), (Decimal("0.999"), ValueError), (0.99, TypeError)],
)
def test_retail_price_must_be_a_non_negative_decimal_with_two_places(
    client, transport, price, error
):
    with pytest.raises(error):
        client.purchasing.deliver_item("u", release_id=1, transaction_id="t", retail_price=price)
    assert transport.requests == []


def test_a_free_item_is_reported_with_retail_price_zero(client, transport):
    transport.reply_fixture("user_deliveritem.xml")
    purchase = client.purchasing.deliver_item(
        "u", release_id=1, transaction_id="t", retail_price=Decimal("0")
    )
    assert "retailPrice=0.00" in transport.last.url
    assert purchase.id == 50454737


def test_batch_requests_are_limited_to_500_ids(client, transport):
    with pytest.raises(ValueError, match="at most 500"):
        client.releases.details_batch(range(501))
    with pytest.raises(ValueError, match="at least one"):
        client.tracks.details_batch([])
    assert transport.requests == []


def test_locker_sort_must_be_a_documented_column_and_order(client):
    with pytest.raises(ValueError, match="sort must be one of"):
        client.locker.get("u", sort="price desc")


def test_catalogue_logs_are_limited_to_100_per_request(client):
    plays = [CatalogueLog(1, 2, 50, NOW, 10, "ua", "u") for _ in range(101)]
    with pytest.raises(ValueError, match="at most 100"):
        client.logging.catalogue(plays, country="GB")


def test_end_reason_and_play_mode_must_be_documented_values(client):
    with pytest.raises(ValueError, match="endReason"):
        client.logging.catalogue(
            [CatalogueLog(1, 2, 50, NOW, 10, "ua", "u", "paused")], country="GB"
        )
    with pytest.raises(ValueError, match="playMode"):
        client.logging.previews([PreviewLog(1, NOW, 10, "ua", "u", "GB", "streaming")])


def test_user_agents_are_truncated_to_256_characters():
    play = PreviewLog(1, NOW, 10, "x" * 300, "u", "GB")
    assert len(play.to_json()["userAgent"]) == 256


def test_naive_play_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        PreviewLog(1, datetime(2026, 1, 1), 10, "ua", "u", "GB").to_json()


def test_preview_log_bodies_over_100_kib_are_refused(client, transport):
    plays = [PreviewLog(1, NOW, 10, "u" * 256, "user", "GB") for _ in range(500)]
    with pytest.raises(ValueError, match="100 KiB"):
        client.logging.previews(plays)
    assert transport.requests == []


def test_partner_user_ids_are_1_to_255_characters(client):
    with pytest.raises(ValueError):
        client.users.create("")
    with pytest.raises(ValueError):
        client.users.create("x" * 256)


def test_unknown_feeds_and_bad_dates_are_refused(client):
    with pytest.raises(ValueError, match="unknown feed"):
        client.feeds.feed("label/full", date="20160623")
    with pytest.raises(ValueError, match="yyyymmdd"):
        client.feeds.feed("track/full", date="2016-06-23")


def test_the_client_needs_a_key_and_every_host():
    with pytest.raises(ValueError, match="consumer key"):
        SevenDigital(consumer_key="", consumer_secret="s")
    with pytest.raises(ValueError, match="response_format"):
        SevenDigital(consumer_key="k", consumer_secret="s", response_format="yaml")
