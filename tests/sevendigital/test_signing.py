"""OAuth 1.0 signing, checked by oauthlib's server-side endpoints (an independent verifier).

Reference: 7digital-api-1.0-beta-overview-oauth.txt (HMAC-SHA1, nonce, timestamp) and
7digital-api-1.2-reference.txt line 6451 (partner users: 2-legged OAuth with userId).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from sevendigital import PreviewLog, SevenDigital, UserAuth

from .fakes import ACCESS_SECRET, ACCESS_TOKEN, BASE_URL, CONSUMER_KEY, CONSUMER_SECRET, header


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_public_catalogue_calls_carry_the_consumer_key_and_no_signature(client, transport):
    transport.reply_fixture("artist_details.xml")
    client.artists.details(1)
    sent = transport.last
    assert query(sent.url)["oauth_consumer_key"] == [CONSUMER_KEY]
    assert query(sent.url)["artistId"] == ["1"]
    assert query(sent.url)["country"] == ["GB"]
    assert not header(sent, "Authorization")
    assert "oauth_signature" not in sent.url


def test_partner_user_calls_are_two_legged_with_user_id_and_verify(client, transport, verifier):
    transport.reply_fixture("user_locker.xml")
    client.locker.get("partner-user-42")
    sent = transport.last
    assert query(sent.url)["userId"] == ["partner-user-42"]
    assert header(sent, "Authorization").startswith("OAuth ")
    assert 'oauth_signature_method="HMAC-SHA1"' in header(sent, "Authorization")
    assert "oauth_token" not in header(sent, "Authorization")
    assert verifier.verify(sent)


def test_a_tampered_user_id_fails_verification(client, transport, verifier):
    transport.reply_fixture("user_locker.xml")
    client.locker.get("partner-user-42")
    sent = transport.last
    sent.url = sent.url.replace("partner-user-42", "partner-user-43")
    assert not verifier.verify(sent)


def test_a_wrong_consumer_secret_fails_verification(transport, verifier):
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret="not-the-secret",
        base_url=BASE_URL,
        adapter=transport,
    )
    transport.reply_fixture("user_create.xml")
    client.users.create("u-1")
    assert not verifier.verify(transport.last)


def test_form_post_parameters_travel_in_the_body_and_enter_the_signature(
    client, transport, verifier
):
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    client.subscriptions.update(
        "partner-user-42",
        plan_code="premium-unlimited-streaming",
        status="active",
        currency="GBP",
        recurring_fee=999,
        activated_at="2012-07-01T10:33:00Z",
        current_period_start_date="2013-11-23T23:59:59Z",
        expiry_date="2013-12-23T23:59:59Z",
    )
    sent = transport.last
    assert sent.method == "POST"
    assert header(sent, "Content-Type") == "application/x-www-form-urlencoded"
    body = parse_qs(sent.body.decode() if isinstance(sent.body, bytes) else sent.body)
    assert body["planCode"] == ["premium-unlimited-streaming"]
    assert body["userId"] == ["partner-user-42"]
    assert body["country"] == ["GB"]
    assert urlsplit(sent.url).query == "", "POST parameters must not be in the query (1007)"
    assert verifier.verify(sent)

    # The body is covered by the signature: change one value and it no longer verifies.
    sent.body = (
        sent.body.replace(b"999", b"1")
        if isinstance(sent.body, bytes)
        else (sent.body.replace("999", "1"))
    )
    assert not verifier.verify(sent)


def test_three_legged_calls_carry_the_access_token_and_verify(client, transport, verifier):
    transport.reply_fixture("user_locker.xml")
    client.locker.get(UserAuth(token=ACCESS_TOKEN, token_secret=ACCESS_SECRET))
    sent = transport.last
    assert f'oauth_token="{ACCESS_TOKEN}"' in header(sent, "Authorization")
    assert "userId" not in query(sent.url)
    assert verifier.verify(sent, three_legged=True)


def test_three_legged_signature_needs_the_token_secret(client, transport, verifier):
    transport.reply_fixture("user_locker.xml")
    client.locker.get(UserAuth(token=ACCESS_TOKEN, token_secret="wrong"))
    assert not verifier.verify(transport.last, three_legged=True)


def test_json_log_posts_keep_country_in_the_query_and_verify(client, transport, verifier):
    from datetime import UTC, datetime

    transport.reply_fixture("preview_log_post.xml")
    client.logging.previews(
        [
            PreviewLog(
                track_id=123456,
                played_at=datetime(2014, 3, 13, 11, 39, 28, tzinfo=UTC),
                seconds_played=12,
                user_agent="Device version 3, App version 6",
                user_id="135",
                country="US",
            )
        ],
        country="GB",
    )
    sent = transport.last
    assert header(sent, "Content-Type") == "application/json"
    assert query(sent.url)["country"] == ["GB"]
    assert json.loads(sent.body)["logs"][0]["country"] == "US"
    assert verifier.verify(sent)


def test_signed_media_urls_carry_the_signature_in_the_query_and_verify(client, verifier):
    import requests

    url = client.media.signed_url(
        client.media.download_track("u-9", track_id=1, release_id=2, format_id=17)
    )
    params = query(url)
    assert params["oauth_signature_method"] == ["HMAC-SHA1"]
    assert params["userId"] == ["u-9"] and params["formatId"] == ["17"]
    assert url.startswith(f"{BASE_URL}/media/user/downloadtrack?")
    assert verifier.verify(requests.Request("GET", url).prepare())


def test_every_signed_request_uses_a_fresh_nonce(client, transport, verifier):
    transport.reply_fixture("user_locker.xml").reply_fixture("user_locker.xml")
    client.locker.get("u")
    client.locker.get("u")
    first, second = transport.requests
    assert verifier.verify(first)
    assert verifier.verify(second), "a reused nonce would be refused by 7digital"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("api", "http://api.example/1.2/artist/details"),
        ("previews", "http://previews.example/clip/5"),
        ("media", "http://media.example/media/user/download/purchase"),
        ("stream", "http://stream.example/stream/catalogue"),
        ("feeds", "http://feeds.example/1.2/feed/track/full"),
    ],
)
def test_each_host_has_its_own_base_url(host, expected):
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_urls={
            h: f"http://{h}.example" for h in ("api", "previews", "media", "stream", "feeds")
        },
    )
    urls = {
        "api": client.requestor.url("api", "1.2/artist/details"),
        "previews": client.media.signed_url(client.media.clip(5)),
        "media": client.media.signed_url(client.media.download_purchase("u", purchase_id=1)),
        "stream": client.media.signed_url(client.media.stream_catalogue(track_id=1, format_id=2)),
        "feeds": client.feeds.signed_url(client.feeds.feed("track/full", date="20160623")),
    }
    assert urls[host].split("?")[0] == expected


@pytest.mark.parametrize(
    ("shop_id", "default_country", "call_country", "expected"),
    [
        (None, "GB", None, {"country": ["GB"]}),
        (None, "GB", "US", {"country": ["US"]}),
        (None, None, None, {}),
        (1064, "GB", None, {"shopId": ["1064"], "country": ["GB"]}),
        (1064, "GB", "US", {"shopId": ["1064"], "country": ["US"]}),
        (1064, None, "US", {"shopId": ["1064"], "country": ["US"]}),
        (1064, None, None, {"shopId": ["1064"]}),
    ],
)
def test_a_configured_shop_id_is_always_sent_with_the_country_when_known(
    transport, shop_id, default_country, call_country, expected
):
    """An explicit country once dropped the shop id; custom content pools need both
    (reference line 6424)."""
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        shop_id=shop_id,
        country=default_country,
    )
    transport.reply_fixture("artist_details.xml")
    client.artists.details(1, country=call_country)
    sent = query(transport.last.url)
    assert {k: v for k, v in sent.items() if k in ("shopId", "country")} == expected


def test_a_shop_id_travels_in_the_body_of_a_form_post_with_an_explicit_country(transport):
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        shop_id=1064,
    )
    transport.reply_fixture("user_unlimitedstreaming_post.xml")
    client.subscriptions.update(
        "u-1",
        plan_code="premium-unlimited-streaming",
        status="active",
        currency="EUR",
        recurring_fee=999,
        activated_at="2012-07-01T10:33:00Z",
        current_period_start_date="2013-11-23T23:59:59Z",
        expiry_date="2013-12-23T23:59:59Z",
        country="FR",
    )
    body = transport.last.body
    body = parse_qs(body.decode() if isinstance(body, bytes) else body)
    assert body["shopId"] == ["1064"] and body["country"] == ["FR"]
    assert urlsplit(transport.last.url).query == ""


def test_a_per_call_country_overrides_the_default(client, transport):
    transport.reply_fixture("release_details.xml")
    client.releases.details(1046, country="US")
    assert query(transport.last.url)["country"] == ["US"]
