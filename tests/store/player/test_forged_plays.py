"""Plays are reported to 7digital, who pay royalties on them: a browser may report only
plays of clips it was served, for no more seconds than could have passed, at a human
pace (issue 16: 50 forged plays in 5 seconds, of any track id, without any audio)."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from store.player import views
from store.playlogs.models import PreviewPlay, PreviewRefusalTally

from .conftest import SEEDED_TRACK, listen

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

OTHER_TRACK = 148
HUGE_ID = 9223372036854775807  # the largest 64-bit id: a URL may name it


@pytest.fixture(autouse=True)
def _sandbox(sandbox_for_store):
    """The proxy fetches clips from the sandbox."""


def start(client, track_id=SEEDED_TRACK, **extra):
    return client.post(reverse("player:play_start", args=[track_id]), **extra)


def stop(client, play_id, seconds="30", **extra):
    return client.post(reverse("player:play_stop", args=[play_id]), {"seconds": seconds}, **extra)


def seconds_of(play_id) -> Decimal:
    return PreviewPlay.objects.get(pk=play_id).seconds_played


# -- the attack ------------------------------------------------------------------------


def test_fifty_starts_and_stops_without_fetching_audio_record_no_play():
    attacker = Client()
    answers = set()
    for n in range(50):
        started = start(attacker, track_id=[SEEDED_TRACK, OTHER_TRACK, HUGE_ID][n % 3])
        answers.add(started.status_code)
        stopped = stop(attacker, started.json().get("play", uuid.uuid4()))
        answers.add(stopped.status_code)

    assert answers == {403, 404}
    assert not PreviewPlay.objects.exists()


def test_a_clip_of_another_track_or_fetched_by_another_browser_allows_no_play():
    listener, stranger = Client(), Client()
    assert listen(listener) == 200

    assert start(listener, track_id=OTHER_TRACK).status_code == 403
    assert start(stranger).status_code == 403
    assert not PreviewPlay.objects.exists()


def test_the_largest_track_id_is_refused_since_no_clip_of_it_was_ever_served():
    browser = Client()

    assert listen(browser, HUGE_ID) == 404
    response = start(browser, track_id=HUGE_ID)

    assert response.status_code == 403
    assert response.json()["reason"] == "no-clip"
    assert not PreviewPlay.objects.exists()


def test_headers_or_a_seek_into_the_clip_allow_no_play(client):
    url = reverse("player:preview", args=[SEEDED_TRACK])
    assert client.head(url).status_code == 200
    listen(client, Range="bytes=5000-")

    assert start(client).status_code == 403


# -- a real listener -----------------------------------------------------------------


def test_a_play_of_a_clip_the_browser_fetched_is_recorded():
    browser = Client()  # no session yet: serving the clip makes one

    assert listen(browser) == 200
    assert "sessionid" in browser.cookies
    response = start(browser)

    assert response.status_code == 201
    play = PreviewPlay.objects.get(pk=response.json()["play"])
    assert play.track_id == SEEDED_TRACK
    assert play.anonymous_id == browser.session[views.ANONYMOUS_ID_SESSION_KEY]


def test_each_clip_served_allows_one_play(client):
    listen(client)
    assert start(client).status_code == 201
    assert start(client).status_code == 403

    listen(client)  # pressing play again after the end fetches the clip again
    assert start(client).status_code == 201
    assert PreviewPlay.objects.count() == 2


def test_a_clip_served_too_long_ago_allows_no_play(client, settings):
    settings.PREVIEW_CLIP_GRANT_SECONDS = 0.3
    listen(client)
    time.sleep(0.5)

    assert start(client).status_code == 403


# -- seconds -------------------------------------------------------------------------


def test_seconds_reported_are_capped_by_the_time_since_the_play_started(client, clock):
    listen(client)
    play_id = start(client).json()["play"]

    assert stop(client, play_id, "30").status_code == 204
    assert seconds_of(play_id) == Decimal("3.00")  # nothing elapsed: the slack alone

    clock.advance(10)
    stop(client, play_id, "30")
    assert seconds_of(play_id) == Decimal("13.00")

    clock.advance(60)
    stop(client, play_id, "45")
    assert seconds_of(play_id) == Decimal("30.00")  # and never more than the clip lasts


def test_the_slack_is_a_setting(client, clock, settings):
    settings.PREVIEW_STOP_SLACK_SECONDS = 0
    listen(client)
    play_id = start(client).json()["play"]
    clock.advance(4.5)

    stop(client, play_id, "12")

    assert seconds_of(play_id) == Decimal("4.50")


# -- limits --------------------------------------------------------------------------


def test_a_visitor_starting_plays_too_fast_is_answered_429_until_the_minute_is_over(
    client, clock, settings
):
    settings.PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE = 3
    clock.at = clock.at.replace(second=10, microsecond=0)
    for _ in range(4):
        listen(client)

    assert [start(client).status_code for _ in range(3)] == [201, 201, 201]
    refused = start(client)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused.json()["reason"] == "listener-limit"
    assert PreviewPlay.objects.count() == 3
    clock.advance(50)
    assert start(client).status_code == 201, "the fourth clip was not spent by the refusal"


def test_one_address_starting_plays_too_fast_is_answered_429_and_others_are_not(clock, settings):
    settings.PREVIEW_PLAYS_PER_ADDRESS_PER_MINUTE = 2
    office = [Client(REMOTE_ADDR="198.51.100.7") for _ in range(3)]
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    for browser in [*office, elsewhere]:
        listen(browser)

    answers = [start(browser).status_code for browser in office]
    refused = start(office[0])

    assert answers == [201, 201, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["reason"] == "address-limit"
    assert start(elsewhere).status_code == 201


def test_behind_the_proxies_the_address_is_the_one_they_saw(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    forged = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    direct = rf.post("/", REMOTE_ADDR="198.51.100.8")

    assert views.client_address(forged) == "198.51.100.7"
    assert views.client_address(direct) == "198.51.100.8"


def test_an_ipv6_address_is_limited_with_its_whole_64(rf):
    phone = rf.post("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    same_phone = rf.post("/", REMOTE_ADDR="2001:db8:1:2:bbbb::2")

    assert views.client_address(phone) == views.client_address(same_phone) == "2001:db8:1:2::/64"


# -- CSRF, failures, and what staff see ----------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_and_spends_no_clip():
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("catalogue:home"))
    listen(browser)

    assert start(browser).status_code == 403
    assert not PreviewPlay.objects.exists()
    token = browser.cookies["csrftoken"].value
    assert start(browser, headers={"X-CSRFToken": token}).status_code == 201


def test_a_cache_that_fails_while_serving_a_clip_still_plays_it_but_allows_no_play(client):
    from store.player import limits

    with mock.patch.object(limits, "clip_received", side_effect=ConnectionError("cache down")):
        assert listen(client) == 200

    assert start(client).status_code == 403


def test_refusals_are_counted_per_reason_for_the_dashboard(
    client, settings, clock, _fresh_refusals
):
    settings.PREVIEW_PLAYS_PER_LISTENER_PER_MINUTE = 2
    listen(client, OTHER_TRACK)  # a listener, with no clip of SEEDED_TRACK
    start(client)
    start(client)
    start(client)  # the third in the minute

    _fresh_refusals.flush()

    assert dict(PreviewRefusalTally.objects.values_list("reason", "refusals")) == {
        "no-clip": 2,
        "listener-limit": 1,
    }
