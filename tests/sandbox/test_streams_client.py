"""The project's own client streams from the sandbox (reference lines 4583-4655): its
stream builders and ``Media.open`` sign every request afresh (each seek a new nonce),
pass Range and HEAD through, and map refusals to its errors, 3201 never retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from sandbox import audio
from sandbox.backends.subscriptions import subscriptions_backend
from sandbox.models import Release, Track
from sandbox.state import state
from sevendigital import errors

from .conftest import make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
USER = "listener-1"
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
SECONDS = 8


@pytest.fixture
def client(seeded_catalogue, settings):
    settings.SANDBOX_STREAM_BLOCK_SECONDS = 60
    state.set_now(NOW)
    Track.objects.filter(release_id=NO_SURPRISES).update(duration=SECONDS)
    # Retries allowed: a refusal must still be asked only once.
    client = make_client(max_retries=2)
    client.users.create(USER, country="GB")
    return client


def tracks() -> list[Track]:
    return list(Track.objects.filter(release_id=NO_SURPRISES).order_by("disc_number", "number"))


def aac(track: Track, format_id: int = 56) -> bytes:
    encoding = audio.FORMAT_ENCODINGS[format_id]
    return audio.full_track(track.id, SECONDS, encoding, settings.SANDBOX_AUDIO_CACHE)


def read(client, request, **options) -> tuple[int, dict, bytes]:
    response = client.media.open(request, **options)
    try:
        return response.status_code, response.headers, response.content
    finally:
        response.close()


def subscribe(client) -> None:
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=NOW - timedelta(days=1))
    subscriptions_backend.grant(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=USER, status="active"
    )


def test_an_owner_plays_a_bought_track_and_seeks_in_it(client):
    client.purchasing.deliver_item(
        USER, release_id=NO_SURPRISES, transaction_id="t-1", country="GB"
    )
    track = tracks()[0]
    request = client.media.stream_locker(USER, track_id=track.id, format_id=56, country="GB")

    status, headers, whole = read(client, request)
    seek_status, seek_headers, tail = read(client, request, range="bytes=500-")
    head_status, head_headers, nothing = read(client, request, method="HEAD")

    assert (status, headers["Content-Type"], whole) == (200, "audio/mp4", aac(track))
    assert (seek_status, tail) == (206, whole[500:])
    assert seek_headers["Content-Range"] == f"bytes 500-{len(whole) - 1}/{len(whole)}"
    assert (head_status, nothing) == (200, b"")
    assert head_headers["Content-Length"] == str(len(whole))


def test_a_track_not_bought_is_refused_as_not_available(client):
    request = client.media.stream_locker(USER, track_id=tracks()[0].id, format_id=56)

    with pytest.raises(errors.NotAvailable) as refused:
        client.media.open(request)

    assert refused.value.code == 2002


def test_radio_plays_without_a_user(client):
    track = tracks()[2]

    status, _, body = read(
        client, client.media.stream_catalogue(track_id=track.id, format_id=55, country="GB")
    )

    assert (status, body) == (200, aac(track, 55))


def test_a_format_the_stream_host_lacks_is_an_invalid_parameter(client):
    request = client.media.stream_catalogue(track_id=tracks()[0].id, format_id=50)

    with pytest.raises(errors.InvalidParameter) as refused:
        client.media.open(request)

    assert refused.value.code == 1002


def test_a_second_device_gets_the_stream_and_the_first_a_concurrent_stream_error_once(client):
    subscribe(client)
    first, second, third = tracks()

    def device(name, track):
        return client.media.stream_subscription(
            USER, track_id=track.id, format_id=56, client_id=name, country="GB"
        )

    assert read(client, device("phone", first))[0] == 200
    assert read(client, device("laptop", second))[0] == 200
    assert read(client, device("phone", first), range="bytes=0-99")[0] == 206  # finishing
    state.set_now(NOW + timedelta(seconds=SECONDS))
    asked = len(state.entries(endpoint="stream/subscription"))

    with pytest.raises(errors.ConcurrentStream) as refused:
        client.media.open(device("phone", third))

    assert refused.value.code == 3201
    assert refused.value.http_status == 403
    assert len(state.entries(endpoint="stream/subscription")) == asked + 1  # not retried


def test_a_lapsed_subscription_is_refused_as_not_available(client):
    subscribe(client)
    state.set_now(NOW + timedelta(days=40))
    request = client.media.stream_subscription(USER, track_id=tracks()[0].id, format_id=56)

    with pytest.raises(errors.NotAvailable) as refused:
        client.media.open(request)

    assert refused.value.code == 2002
