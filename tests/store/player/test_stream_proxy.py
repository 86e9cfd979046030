"""``/stream/<trackId>``: whole tracks for owners (their locker) and subscribers (their
subscription, with this browser's device id), everyone else refused in words the player
shows; the signed URL never reaches the browser, and nothing is cached or offered as a
file."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from sandbox.models import Release as SandboxRelease
from sevendigital import errors
from store.player import streams
from tests.store.conftest import NO_SURPRISES, buy

from .streaming import another_streamable_track, subscribe

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("fresh_catalogue"),
]

TRACK = 9525  # "No Surprises", on release 1046, streamable in GB
URL = f"/stream/{TRACK}"


def _reason(response) -> str:
    assert response["X-Stream-Refusal"] == response.json()["reason"]
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["reason"]


def _param(entry: dict, name: str) -> str | None:
    """A query parameter of a request the sandbox received."""
    return dict(entry["params"]).get(name)


def _phone_takes_the_stream(client, listener):
    """This browser starts the track; then the listener's phone (a device of its own)
    starts another. Returns the phone and that other track."""
    from django.test import Client

    subscribe(listener)
    other = another_streamable_track(than=TRACK)
    phone = Client()
    phone.force_login(listener)
    first = client.get(URL, HTTP_RANGE="bytes=0-1")
    assert first.status_code == 206
    b"".join(first.streaming_content)
    taken = phone.get(f"/stream/{other.pk}", HTTP_RANGE="bytes=0-1")
    assert taken.status_code == 206
    b"".join(taken.streaming_content)
    return phone, other


def test_a_visitor_is_asked_to_sign_in(client, sandbox):
    response = client.get(URL)

    assert response.status_code == 403
    assert _reason(response) == "sign-in"
    assert response.json()["error"] == "Sign in to play whole tracks."


def test_a_customer_without_the_track_or_a_subscription_hears_the_preview_only(client, listener):
    response = client.get(URL)

    assert response.status_code == 403
    assert _reason(response) == "preview-only"
    assert "subscribe" in response.json()["error"]


def test_a_subscription_that_ended_is_said_in_words(client, listener):
    subscribe(listener, ended=True)

    response = client.get(URL)

    assert _reason(response) == "subscription-ended"
    assert response.json()["error"] == "Your subscription has ended."


def test_a_subscriber_hears_the_whole_track_inline_never_cached(client, listener, sandbox):
    subscribe(listener)

    response = client.get(URL, HTTP_RANGE="bytes=0-1023")

    assert response.status_code == 206, response.content[:300]
    body = b"".join(response.streaming_content)
    assert len(body) == 1024
    assert response["Content-Type"] == "audio/mp4"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Stream-Source"] == "subscription"
    (call,) = [e for e in sandbox.entries() if e["endpoint"] == "stream/subscription"]
    assert "oauth_signature" not in response.get("Location", "")
    assert all("oauth" not in name.lower() for name in response.headers)
    assert _param(call, "formatId") == "56"


def test_each_browser_gets_one_signed_device_id_sent_as_client_id(client, listener, sandbox):
    subscribe(listener)

    first = client.get(URL, HTTP_RANGE="bytes=0-1")
    b"".join(first.streaming_content)
    cookie = first.cookies[streams.DEVICE_COOKIE]
    second = client.get(URL, HTTP_RANGE="bytes=2-3")
    b"".join(second.streaming_content)

    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert streams.DEVICE_COOKIE not in second.cookies  # kept, not made again
    sent = [
        _param(e, "clientId") for e in sandbox.entries() if e["endpoint"] == "stream/subscription"
    ]
    assert len(sent) == 2 and sent[0] == sent[1]
    assert cookie.value.startswith(sent[0] + ":")  # signed: the id, then its signature


def test_a_forged_device_cookie_is_replaced(client, listener, sandbox):
    subscribe(listener)
    client.cookies[streams.DEVICE_COOKIE] = "0b5e3c3a-0000-4000-8000-000000000000:forged"

    response = client.get(URL, HTTP_RANGE="bytes=0-1")
    b"".join(response.streaming_content)

    assert response.cookies[streams.DEVICE_COOKIE].value.split(":")[0] != (
        "0b5e3c3a-0000-4000-8000-000000000000"
    )


def test_data_saver_asks_for_aac_64(client, listener, sandbox):
    subscribe(listener)

    response = client.get(URL, {"quality": "data-saver"}, HTTP_RANGE="bytes=0-1")
    b"".join(response.streaming_content)

    (call,) = [e for e in sandbox.entries() if e["endpoint"] == "stream/subscription"]
    assert _param(call, "formatId") == "55"


def test_an_owner_streams_from_the_locker(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)

    response = client.get(URL, HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206, response.content[:300]
    assert len(b"".join(response.streaming_content)) == 10
    assert response["X-Stream-Source"] == "locker"
    assert [e["endpoint"] for e in sandbox.entries() if e["endpoint"].startswith("stream/")] == [
        "stream/locker"
    ]


def test_a_head_costs_no_audio(client, listener, sandbox):
    subscribe(listener)

    response = client.head(URL)

    assert response.status_code == 200
    assert int(response["Content-Length"]) > 100_000
    assert response.content == b""


def test_a_release_not_yet_streamable_is_said_so(client, listener, sandbox):
    subscribe(listener)
    SandboxRelease.objects.filter(pk=NO_SURPRISES).update(
        streaming_date=timezone.now() + timedelta(days=30)
    )

    response = client.get(URL)

    assert _reason(response) == "not-yet-streamable"


def test_a_release_without_subscription_streaming_is_not_streamable(client, listener, sandbox):
    subscribe(listener)
    SandboxRelease.objects.filter(pk=NO_SURPRISES).update(streaming_date=None)

    response = client.get(URL)

    assert _reason(response) == "not-streamable"


def test_another_device_playing_is_a_409_in_words_never_retried(client, listener, sandbox):
    subscribe(listener)
    refused = errors.ConcurrentStream("Simultaneous stream requests", code=3201)

    with mock.patch("sevendigital.resources.media.Media.open", side_effect=refused) as opened:
        response = client.get(URL)

    assert response.status_code == 409
    assert _reason(response) == "another-device"
    assert response.json()["error"] == "Your subscription is playing on another device."
    assert opened.call_count == 1


def test_7digital_away_is_a_503_with_retry_after(client, listener, sandbox):
    subscribe(listener)
    sandbox.add_fault(kind="status", status=503, endpoint="stream/*")

    response = client.get(URL)

    assert response.status_code == 503
    assert _reason(response) == "unavailable"
    assert response["Retry-After"] == "30"


def test_a_second_browser_takes_the_stream_and_the_first_is_told_so(client, listener, sandbox):
    _phone, other = _phone_takes_the_stream(client, listener)

    seek = client.get(URL, HTTP_RANGE="bytes=2-3")  # the first may finish its track
    b"".join(seek.streaming_content)
    next_track = client.get(f"/stream/{other.pk}")

    assert seek.status_code == 206
    assert next_track.status_code == 409
    assert _reason(next_track) == "another-device"


def test_the_players_head_names_another_device_too(client, listener, sandbox):
    _phone, other = _phone_takes_the_stream(client, listener)

    head = client.head(f"/stream/{other.pk}")

    assert head.status_code == 409
    assert head["X-Stream-Refusal"] == "another-device"


def test_a_customer_starting_streams_too_fast_is_slowed_but_seeks_go_on(
    client, listener, sandbox, settings, clock
):
    settings.STREAM_STARTS_PER_USER_PER_MINUTE = 2
    subscribe(listener)

    starts = [client.get(URL, HTTP_RANGE="bytes=0-1") for _ in range(3)]
    for response in starts:
        if response.status_code == 206:
            b"".join(response.streaming_content)
    seek = client.get(URL, HTTP_RANGE="bytes=100-101")

    assert [r.status_code for r in starts] == [206, 206, 429]
    assert _reason(starts[2]) == "too-many"
    assert 1 <= int(starts[2]["Retry-After"]) <= 60
    assert seek.status_code == 206  # a seek is not a start
    b"".join(seek.streaming_content)


def test_a_subscription_that_lapses_mid_track_lets_it_finish_and_refuses_the_next(
    client, listener, sandbox
):
    from django.conf import settings

    from sandbox.backends.subscriptions import subscriptions_backend
    from store.subscriptions.models import Subscription

    subscription = subscribe(listener)
    playing = client.get(URL)
    assert playing.status_code == 200
    chunks = iter(playing.streaming_content)
    first = next(chunks)  # the track is under way

    Subscription.objects.filter(pk=subscription.pk).update(
        status=Subscription.Status.ENDED, ended_at=timezone.now()
    )
    subscriptions_backend.grant(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
        user_id=listener.partner_user.partner_user_id,
        status="expired",
    )
    rest = b"".join(chunks)

    assert len(first) + len(rest) == int(playing["Content-Length"])  # heard to its end
    other = another_streamable_track(than=TRACK)
    refused = client.head(f"/stream/{other.pk}")
    assert refused.status_code == 403
    assert refused["X-Stream-Refusal"] == "subscription-ended"


def _stream_responses() -> dict[str, int]:
    from store.playlogs.models import StreamResponseTally

    return dict(StreamResponseTally.objects.values_list("source", "responses"))


def test_a_stream_from_its_start_is_counted_for_the_reconciliation_and_a_seek_or_head_is_not(
    client, listener, sandbox, stream_tally
):
    subscribe(listener)

    for request in (
        lambda: client.get(URL, HTTP_RANGE="bytes=0-"),
        lambda: client.get(URL, HTTP_RANGE="bytes=100000-"),  # a seek: the same play
        lambda: client.head(URL),
    ):
        response = request()
        assert response.status_code in (200, 206)
        if response.streaming:
            b"".join(response.streaming_content)
    stream_tally.flush()

    assert _stream_responses() == {"subscription": 1}


def test_an_owners_stream_is_counted_as_the_lockers(
    client, listener, sandbox, stream_tally, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)

    b"".join(client.get(URL).streaming_content)
    stream_tally.flush()

    assert _stream_responses() == {"locker": 1}
