"""The player records each preview play, then the seconds heard, for royalty reporting.

A play may be started only of a clip the browser was served (test_forged_plays.py has
the refusals), so each test's visitor fetches the clip first, as the audio element does.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from store.player import services, views
from store.playlogs.models import PlayMode, PreviewPlay
from tests.store.playlogs.factories import PreviewPlayFactory

from .conftest import SEEDED_TRACK, listen

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
OTHER_TRACK = 148  # "All The Small Things", previewable in GB too


@pytest.fixture(autouse=True)
def _sandbox(sandbox_for_store):
    """The proxy fetches clips from the sandbox."""


def start(client, track_id=SEEDED_TRACK, **headers):
    listen(client, track_id)
    return client.post(
        reverse("player:play_start", args=[track_id]), headers={"User-Agent": BROWSER, **headers}
    )


def stop(client, play_id, seconds="12.5"):
    data = {} if seconds is None else {"seconds": seconds}
    return client.post(reverse("player:play_stop", args=[play_id]), data)


# -- start -------------------------------------------------------------------------


def test_starting_a_play_records_track_country_user_agent_and_anonymous_id(client):
    response = start(client)

    assert response.status_code == 201
    play = PreviewPlay.objects.get(pk=response.json()["play"])
    assert play.track_id == SEEDED_TRACK
    assert play.country == "GB"
    assert play.user_agent == BROWSER
    assert play.user is None
    assert play.anonymous_id == client.session[views.ANONYMOUS_ID_SESSION_KEY]
    assert len(play.anonymous_id) == 32
    assert play.play_mode == PlayMode.ONLINE
    assert play.started_at.tzinfo is not None
    assert abs((timezone.now() - play.started_at).total_seconds()) < 5
    assert play.seconds_played is None
    assert play.reported_at is None


def test_one_visitor_keeps_one_anonymous_id_and_another_gets_their_own(client):
    first = PreviewPlay.objects.get(pk=start(client).json()["play"])
    second = PreviewPlay.objects.get(pk=start(client, track_id=OTHER_TRACK).json()["play"])
    stranger = PreviewPlay.objects.get(pk=start(Client()).json()["play"])

    assert first.anonymous_id == second.anonymous_id
    assert stranger.anonymous_id != first.anonymous_id


def test_a_signed_in_visitors_play_is_theirs(client):
    user = get_user_model().objects.create_user(email="listener@example.com")
    client.force_login(user)

    play = PreviewPlay.objects.get(pk=start(client).json()["play"])

    assert play.user == user
    assert play.anonymous_id  # the session's id too, so the play survives an account deletion


def test_the_visitors_country_is_recorded_once_the_middleware_sets_it(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.post(reverse("player:play_start", args=[SEEDED_TRACK]))
    request.session, request.user, request.country = SessionStore(), AnonymousUser(), "de"
    request.session[views.ANONYMOUS_ID_SESSION_KEY] = "a" * 32
    services.preview_clip_receive(listener="a" * 32, track_id=SEEDED_TRACK)
    request._dont_enforce_csrf_checks = True

    response = views.play_start(request, track_id=SEEDED_TRACK)

    assert response.status_code == 201
    assert PreviewPlay.objects.get().country == "DE"


def test_a_long_user_agent_is_kept_to_512_characters(client):
    start(client, **{"User-Agent": "x" * 2000})

    assert PreviewPlay.objects.get().user_agent == "x" * 512


def test_a_play_is_recorded_while_7digital_is_down(client, sandbox_for_store):
    listen(client)  # the clip came through; then 7digital went away
    sandbox_for_store.reset()
    sandbox_for_store.add_fault(kind="status", endpoint="*", status=503)
    sandbox_for_store.add_fault(kind="reset", endpoint="*")

    response = client.post(reverse("player:play_start", args=[SEEDED_TRACK]))

    assert response.status_code == 201
    assert PreviewPlay.objects.count() == 1
    assert sandbox_for_store.entries() == []


def test_a_track_id_too_large_to_store_is_a_404(client):
    # No URL can name it (reverse() refuses), so it is posted to by hand.
    assert client.post(f"/previews/{10**30}/plays").status_code == 404
    assert not PreviewPlay.objects.exists()


# -- stop --------------------------------------------------------------------------


def test_stopping_a_play_records_the_seconds_heard(client, clock):
    play_id = start(client).json()["play"]
    clock.advance(15)

    response = stop(client, play_id, "12.345")

    assert response.status_code == 204
    play = PreviewPlay.objects.get(pk=play_id)
    assert play.seconds_played == Decimal("12.35")
    assert play.reported_at >= play.started_at


@pytest.mark.parametrize(
    ("sent", "stored"), [("0", "0.00"), ("7", "7.00"), ("30", "30.00"), ("31.5", "30.00")]
)
def test_seconds_are_clamped_to_the_clips_length(client, clock, sent, stored):
    play_id = start(client).json()["play"]
    clock.advance(60)

    assert stop(client, play_id, sent).status_code == 204
    assert PreviewPlay.objects.get(pk=play_id).seconds_played == Decimal(stored)


@pytest.mark.parametrize("garbage", ["", "abc", "nan", "inf", "-inf", "-1", "1e400", "12s", None])
def test_garbage_seconds_are_refused_with_400(client, garbage):
    play_id = start(client).json()["play"]

    assert stop(client, play_id, garbage).status_code == 400
    assert PreviewPlay.objects.get(pk=play_id).seconds_played is None


def test_repeated_stops_keep_the_largest_report(client, clock):
    play_id = start(client).json()["play"]
    clock.advance(20)

    for seconds in ("4", "11.5", "11.5", "3"):
        assert stop(client, play_id, seconds).status_code == 204

    assert PreviewPlay.objects.get(pk=play_id).seconds_played == Decimal("11.50")


def test_a_play_already_delivered_to_7digital_is_not_changed(client, clock):
    play_id = start(client).json()["play"]
    clock.advance(30)
    stop(client, play_id, "5")
    PreviewPlay.objects.filter(pk=play_id).update(delivered_at=timezone.now())

    assert stop(client, play_id, "25").status_code == 204
    assert PreviewPlay.objects.get(pk=play_id).seconds_played == Decimal("5.00")


def test_a_visitor_cannot_stop_someone_elses_play(client):
    theirs = PreviewPlayFactory()
    play_id = start(client).json()["play"]

    assert stop(client, theirs.pk).status_code == 404
    assert stop(Client(), play_id).status_code == 404
    assert PreviewPlay.objects.get(pk=play_id).seconds_played is None
    assert PreviewPlay.objects.get(pk=theirs.pk).seconds_played is None


def test_a_signed_in_visitor_can_stop_their_play_from_another_session(client):
    user = get_user_model().objects.create_user(email="listener@example.com")
    play = PreviewPlayFactory(user=user)
    other_device = Client()
    other_device.force_login(user)

    assert stop(client, play.pk).status_code == 404
    assert stop(other_device, play.pk).status_code == 204


def test_a_play_that_does_not_exist_is_a_404(client):
    start(client)

    assert stop(client, uuid.uuid4()).status_code == 404


# -- methods and CSRF ----------------------------------------------------------------


def test_the_play_endpoints_refuse_get(client):
    play_id = start(client).json()["play"]

    assert client.get(reverse("player:play_start", args=[SEEDED_TRACK])).status_code == 405
    assert client.get(reverse("player:play_stop", args=[play_id])).status_code == 405


def test_the_play_endpoints_refuse_a_post_without_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    play = PreviewPlayFactory()

    assert start(browser).status_code == 403
    assert stop(browser, play.pk).status_code == 403
    assert PreviewPlay.objects.count() == 1


def test_the_csrf_token_is_accepted_in_the_header_or_the_form_body(clock):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("catalogue:home"))  # sets the csrftoken cookie, as a page view does
    token = browser.cookies["csrftoken"].value

    response = start(browser, **{"X-CSRFToken": token})  # fetch()
    clock.advance(10)
    assert response.status_code == 201
    stopped = browser.post(  # navigator.sendBeacon()
        reverse("player:play_stop", args=[response.json()["play"]]),
        {"seconds": "9", "csrfmiddlewaretoken": token},
    )
    assert stopped.status_code == 204
    assert PreviewPlay.objects.get().seconds_played == Decimal("9.00")
