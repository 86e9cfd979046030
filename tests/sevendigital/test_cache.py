"""Caching follows the API's Cache-Control; rate-limit headers are recorded.

Reference lines 63-78: "Cache-Control: private, max-age=432000" for cacheable methods,
"no-cache, no-store" for the rest; X-RateLimit-Limit / Current / Reset.
"""

from __future__ import annotations

import pytest

from sevendigital import MemoryCache, SevenDigital
from sevendigital.caching import cache_max_age

from .fakes import BASE_URL, CONSUMER_KEY, CONSUMER_SECRET


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached_client(transport, clock):
    return SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        cache=MemoryCache(clock=clock),
    )


def test_a_max_age_response_is_served_from_the_cache_until_it_expires(
    cached_client, transport, clock
):
    headers = {"Cache-Control": "private, max-age=60"}
    transport.reply_fixture("release_details.xml", headers=headers)
    transport.reply_fixture("release_details.xml", headers=headers)
    first = cached_client.releases.details(1046)
    clock.now += 59
    second = cached_client.releases.details(1046)
    assert first == second
    assert len(transport.requests) == 1
    clock.now += 2
    cached_client.releases.details(1046)
    assert len(transport.requests) == 2


def test_no_store_responses_are_never_cached(cached_client, transport):
    for _ in range(2):
        transport.reply_fixture(
            "release_details.xml", headers={"Cache-Control": "no-cache, no-store"}
        )
    cached_client.releases.details(1046)
    cached_client.releases.details(1046)
    assert len(transport.requests) == 2


def test_responses_without_cache_control_are_not_cached(cached_client, transport):
    transport.reply_fixture("release_details.xml").reply_fixture("release_details.xml")
    cached_client.releases.details(1046)
    cached_client.releases.details(1046)
    assert len(transport.requests) == 2


def test_the_cache_key_includes_country_and_parameters(cached_client, transport):
    headers = {"Cache-Control": "max-age=300"}
    for _ in range(3):
        transport.reply_fixture("release_details.xml", headers=headers)
    cached_client.releases.details(1046)
    cached_client.releases.details(1046, country="US")
    cached_client.releases.details(1047)
    assert len(transport.requests) == 3


def test_user_data_is_never_shared_between_users_through_the_cache(cached_client, transport):
    headers = {"Cache-Control": "private, max-age=300"}
    transport.reply_fixture("user_locker.xml", headers=headers)
    transport.reply_fixture("user_locker.json", headers=headers)
    one = cached_client.locker.get("alice")
    two = cached_client.locker.get("bob")
    assert len(transport.requests) == 2
    assert one.releases[0].release.title != two.releases[0].release.title


def test_errors_are_not_cached(cached_client, transport):
    transport.error(2001, "Release not found", status=404)
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=300"})
    with pytest.raises(Exception, match="Release not found"):
        cached_client.releases.details(1046)
    assert cached_client.releases.details(1046).id == 1046


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("private, max-age=432000", 432000),
        ("max-age=60", 60),
        ('public, max-age="30"', 30),
        ("no-cache, no-store", None),
        ("max-age=60, no-store", None),
        ("no-cache", None),
        ("max-age=0", None),
        ("private", None),
        ("max-age=soon", None),
        (None, None),
    ],
)
def test_cache_control_is_read_as_the_reference_describes(header, seconds):
    assert cache_max_age(header) == seconds


def test_rate_limit_headers_of_the_last_response_are_recorded(client, transport):
    assert client.rate_limit is None
    transport.reply_fixture(
        "artist_details.xml",
        headers={
            "X-RateLimit-Limit": "4000",
            "X-RateLimit-Current": "100",
            "X-RateLimit-Reset": "123465",
        },
    )
    client.artists.details(1)
    assert client.rate_limit.limit == 4000
    assert client.rate_limit.current == 100
    assert client.rate_limit.reset == 123465
    assert client.rate_limit.remaining == 3900


def test_the_django_cache_plugs_in_as_the_client_cache(transport, settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sevendigital-test",
        }
    }
    client = SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        cache=caches["default"],
    )
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=60"})
    assert client.releases.details(1046).title == "No Surprises"
    assert client.releases.details(1046).title == "No Surprises"
    assert len(transport.requests) == 1


def test_the_client_counts_the_requests_it_sends_not_its_cache_answers(cached_client, transport):
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=60"})
    assert cached_client.requests_sent == 0
    cached_client.releases.details(1046)
    cached_client.releases.details(1046)
    assert cached_client.requests_sent == 1


def test_freshness_is_the_shortest_max_age_of_the_answers_read(cached_client, transport):
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=300"})
    transport.reply_fixture("release_tracks.xml", headers={"Cache-Control": "max-age=60"})

    with cached_client.freshness() as fresh:
        cached_client.releases.details(1046)
        cached_client.releases.tracks(1046)

    assert fresh.seconds == 60


def test_an_answer_that_may_not_be_cached_makes_nothing_reusable(cached_client, transport):
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=300"})
    transport.reply_fixture("release_tracks.xml", headers={"Cache-Control": "no-cache, no-store"})

    with cached_client.freshness() as fresh:
        cached_client.releases.details(1046)
        cached_client.releases.tracks(1046)

    assert fresh.seconds == 0


def test_freshness_is_unknown_for_answers_from_the_clients_cache(cached_client, transport):
    transport.reply_fixture("release_details.xml", headers={"Cache-Control": "max-age=300"})
    cached_client.releases.details(1046)

    with cached_client.freshness() as fresh:
        cached_client.releases.details(1046)
    with cached_client.freshness() as nothing_read:
        pass

    assert fresh.seconds is None, "how long the cached copy has left is not known"
    assert nothing_read.seconds is None
