"""The sandbox's stream host (reference lines 4583-4655) over HTTP: signed requests for
``stream/locker``, ``stream/subscription`` and ``stream/catalogue``, full-length AAC,
Range and HEAD, every documented error, and one device at a time with ``clientId``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.conf import settings
from requests_oauthlib import OAuth1

from sandbox import audio
from sandbox.models import Purchase, Release, Track
from sandbox.state import state

from .audio_files import decode
from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
OWNER = "owner-1"
SUBSCRIBER = "subscriber-1"
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
SECONDS = 8  # every track of the release is this long here: quick to encode
BLOCK = 60
FORMAT = 56


@pytest.fixture(autouse=True)
def world(seeded_catalogue, settings, sandbox_client):
    settings.SANDBOX_STREAM_BLOCK_SECONDS = BLOCK
    state.set_now(NOW)
    Track.objects.filter(release_id=NO_SURPRISES).update(duration=SECONDS)
    sandbox_client.users.create(OWNER, country="GB")
    sandbox_client.purchasing.deliver_item(
        OWNER, release_id=NO_SURPRISES, transaction_id="t-1", country="GB"
    )


@pytest.fixture
def client(sandbox_client):
    return sandbox_client


@pytest.fixture
def subscriber(http_session):
    granted = http_session.post(
        f"{SANDBOX_URL}/_sandbox/subscriptions", json={"user_id": SUBSCRIBER}
    )
    assert granted.status_code == 201, granted.text
    return SUBSCRIBER


def tracks() -> list[Track]:
    return list(Track.objects.filter(release_id=NO_SURPRISES).order_by("disc_number", "number"))


def aac(track: Track, format_id: int = FORMAT) -> bytes:
    encoding = audio.FORMAT_ENCODINGS[format_id]
    return audio.full_track(track.id, SECONDS, encoding, settings.SANDBOX_AUDIO_CACHE)


def locker_url(client, track_id, *, user=OWNER, format_id=FORMAT, country="GB") -> str:
    return client.media.signed_url(
        client.media.stream_locker(user, track_id=track_id, format_id=format_id, country=country)
    )


def subscription_url(client, track_id, *, client_id=None, format_id=FORMAT, country="GB"):
    return client.media.signed_url(
        client.media.stream_subscription(
            SUBSCRIBER,
            track_id=track_id,
            format_id=format_id,
            client_id=client_id,
            country=country,
        )
    )


def catalogue_url(client, track_id, *, format_id=FORMAT, country="GB") -> str:
    return client.media.signed_url(
        client.media.stream_catalogue(track_id=track_id, format_id=format_id, country=country)
    )


def raw_url(path: str, params: dict, *, method: str = "GET") -> str:
    """A URL signed as any OAuth client would sign it (for ``method``: the method is part
    of the signature), with exactly these parameters."""
    auth = OAuth1(
        settings.SEVENDIGITAL_CONSUMER_KEY,
        client_secret=settings.SEVENDIGITAL_CONSUMER_SECRET,
        signature_type="query",
    )
    return requests.Request(method, f"{SANDBOX_URL}/{path}", params=params, auth=auth).prepare().url


def error_code(response: requests.Response) -> int:
    found = re.search(r'<error code="(\d+)"', response.text)
    assert found, response.text
    return int(found.group(1))


def streams(http_session, **params) -> list[dict]:
    answer = http_session.get(f"{SANDBOX_URL}/_sandbox/streams", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["streams"]


# -- what a stream sends -----------------------------------------------------------------


def test_an_owner_streams_a_bought_track_whole_as_aac_never_cacheable(client, http_session):
    track = tracks()[0]

    response = http_session.get(locker_url(client, track.id))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mp4"
    assert response.content == aac(track)
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Cache-Control"] == "no-cache, no-store"
    assert "Content-Disposition" not in response.headers
    decoded = decode(response.content)
    assert decoded.codec == "aac"
    assert decoded.seconds == pytest.approx(SECONDS, abs=0.1)


@pytest.mark.parametrize("format_id", [55, 56])
def test_both_documented_formats_stream_as_aac(client, http_session, subscriber, format_id):
    response = http_session.get(subscription_url(client, tracks()[0].id, format_id=format_id))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mp4"


@pytest.mark.parametrize(("format_id", "kbps"), [(55, 64), (56, 160)])
def test_each_stream_format_comes_at_the_bit_rate_its_name_gives(
    client, http_session, format_id, kbps
):
    track = tracks()[0]

    response = http_session.get(locker_url(client, track.id, format_id=format_id))

    assert response.status_code == 200
    decoded = decode(response.content)
    assert decoded.codec == "aac"
    # Average bit rate (ffmpeg's AAC encoder is not constant), the MP4 index included.
    bits_per_second = len(response.content) * 8 / decoded.seconds
    assert bits_per_second == pytest.approx(kbps * 1000, rel=0.1)
    assert response.content == aac(track, format_id)


def test_seeks_signed_afresh_get_206_and_join_up_to_the_whole_track(client, http_session):
    track = tracks()[0]
    whole = aac(track)
    first_url, second_url = locker_url(client, track.id), locker_url(client, track.id)
    assert first_url != second_url  # a new nonce and signature for each

    head = http_session.get(first_url, headers={"Range": "bytes=0-999"})
    rest = http_session.get(second_url, headers={"Range": "bytes=1000-"})

    assert head.status_code == rest.status_code == 206
    assert head.headers["Content-Range"] == f"bytes 0-999/{len(whole)}"
    assert rest.headers["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    assert head.content + rest.content == whole


def test_a_range_past_the_end_is_416(client, http_session, subscriber):
    track = tracks()[0]
    size = len(aac(track))

    response = http_session.get(
        subscription_url(client, track.id), headers={"Range": f"bytes={size}-"}
    )

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert response.content == b""


def test_head_gives_the_headers_alone_and_starts_no_stream(client, http_session):
    track = tracks()[0]

    response = http_session.head(
        raw_url(
            "stream/locker",
            {"userId": OWNER, "trackId": track.id, "formatId": FORMAT, "country": "GB"},
            method="HEAD",
        )
    )

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == str(len(aac(track)))
    assert response.headers["Content-Type"] == "audio/mp4"
    assert streams(http_session, all="true") == []


def test_a_replayed_stream_url_is_refused_with_401(client, http_session):
    url = locker_url(client, tracks()[0].id)
    assert http_session.get(url).status_code == 200

    again = http_session.get(url)

    assert again.status_code == 401
    assert "nonce" in again.text.lower()


def test_radio_streams_any_track_open_to_it_without_a_user(client, http_session):
    track = tracks()[1]

    response = http_session.get(catalogue_url(client, track.id))

    assert response.status_code == 200
    assert response.content == aac(track)


def test_an_unsigned_stream_request_is_refused_with_401(http_session):
    response = http_session.get(
        f"{SANDBOX_URL}/stream/catalogue",
        params={"trackId": tracks()[0].id, "formatId": FORMAT, "country": "GB"},
    )

    assert response.status_code == 401


# -- the documented errors ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["locker", "subscription", "catalogue"])
@pytest.mark.parametrize("missing", ["trackId", "formatId", "country"])
def test_a_missing_parameter_is_1001(client, http_session, subscriber, kind, missing):
    params = {"trackId": tracks()[0].id, "formatId": FORMAT, "country": "GB"}
    del params[missing]
    user = {"locker": OWNER, "subscription": SUBSCRIBER}.get(kind)
    if user:
        params["userId"] = user
    url = raw_url(f"stream/{kind}", params)

    response = http_session.get(url)

    assert response.status_code == 400
    assert error_code(response) == 1001
    assert missing in response.text


def test_a_user_stream_without_a_user_is_1001(client, http_session):
    url = raw_url("stream/locker", {"trackId": tracks()[0].id, "formatId": FORMAT, "country": "GB"})

    response = http_session.get(url)

    assert error_code(response) == 1001


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"formatId": 50}, "formatId"),  # the play-log examples' format: not a stream format
        ({"formatId": 17}, "formatId"),  # a download format
        ({"trackId": "abc"}, "trackId"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_an_invalid_value_is_1002(client, http_session, params, named):
    values = {"trackId": tracks()[0].id, "formatId": FORMAT, "country": "GB", **params}
    url = raw_url("stream/catalogue", values)

    response = http_session.get(url)

    assert response.status_code == 400
    assert error_code(response) == 1002
    assert named in response.text


def test_an_over_long_client_id_is_1002(client, http_session, subscriber):
    response = http_session.get(subscription_url(client, tracks()[0].id, client_id="x" * 256))

    assert error_code(response) == 1002


def test_the_format_refusal_names_the_stream_formats(client, http_session):
    response = http_session.get(catalogue_url(client, tracks()[0].id, format_id=50))

    assert "55 (AAC 64)" in response.text and "56 (AAC 160)" in response.text


@pytest.mark.parametrize("kind", ["locker", "subscription", "catalogue"])
def test_a_track_not_in_the_country_is_2001(client, http_session, subscriber, kind):
    Release.objects.filter(id=NO_SURPRISES).update(territories=",GB,US,")
    track = tracks()[0]
    url = {
        "locker": lambda: locker_url(client, track.id, country="DE"),
        "subscription": lambda: subscription_url(client, track.id, country="DE"),
        "catalogue": lambda: catalogue_url(client, track.id, country="DE"),
    }[kind]()

    response = http_session.get(url)

    assert response.status_code == 404
    assert error_code(response) == 2001


def test_an_unknown_track_is_2001(client, http_session):
    response = http_session.get(catalogue_url(client, 999_999_999))

    assert error_code(response) == 2001


def test_a_track_not_in_the_locker_is_2002(client, http_session):
    other = Track.objects.exclude(release_id=NO_SURPRISES).order_by("id").first()

    response = http_session.get(locker_url(client, other.id))

    assert response.status_code == 403
    assert error_code(response) == 2002
    assert "locker" in response.text


def test_a_refunded_purchase_no_longer_streams_from_the_locker(client, http_session):
    track = tracks()[0]
    assert http_session.get(locker_url(client, track.id)).status_code == 200
    Purchase.objects.filter(user__user_id=OWNER).update(refunded_at=NOW)

    response = http_session.get(locker_url(client, track.id))

    assert error_code(response) == 2002


def test_a_pre_order_does_not_stream_from_the_locker_before_its_release(client, http_session):
    Release.objects.filter(id=NO_SURPRISES).update(release_date=NOW + timedelta(days=3))

    response = http_session.get(locker_url(client, tracks()[0].id))

    assert error_code(response) == 2002


def test_a_user_without_a_subscription_is_2002(client, http_session):
    client.users.create(SUBSCRIBER, country="GB")

    response = http_session.get(subscription_url(client, tracks()[0].id))

    assert response.status_code == 403
    assert error_code(response) == 2002
    assert "subscription" in response.text


def test_a_subscription_streams_until_it_expires_on_the_sandbox_clock(
    client, http_session, subscriber
):
    expiry = NOW + timedelta(days=5)
    http_session.put(
        f"{SANDBOX_URL}/_sandbox/subscriptions/{SUBSCRIBER}",
        json={"status": "cancelled", "expiryDate": expiry.isoformat()},
    )
    track = tracks()[0]
    state.set_now(expiry - timedelta(seconds=1))
    assert http_session.get(subscription_url(client, track.id)).status_code == 200

    state.set_now(expiry)
    response = http_session.get(subscription_url(client, track.id))

    assert response.status_code == 403
    assert error_code(response) == 2002


def test_before_its_streaming_date_a_track_is_2002_even_though_it_downloads(
    client, http_session, subscriber
):
    opens = NOW + timedelta(days=10)
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=opens)
    client.purchasing.deliver_item(
        SUBSCRIBER, release_id=NO_SURPRISES, transaction_id="t-2", country="GB"
    )
    track = tracks()[0]
    download = client.media.open(
        client.media.download_track(
            SUBSCRIBER, track_id=track.id, release_id=NO_SURPRISES, format_id=17, country="GB"
        ),
        method="HEAD",
    )
    assert download.status_code == 200

    response = http_session.get(subscription_url(client, track.id))

    assert error_code(response) == 2002
    assert "opens on" in response.text
    state.set_now(opens)
    assert http_session.get(subscription_url(client, track.id)).status_code == 200


def test_a_release_never_open_to_subscription_streaming_is_2002(client, http_session, subscriber):
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=None)

    response = http_session.get(subscription_url(client, tracks()[0].id))

    assert error_code(response) == 2002


def test_radio_refuses_a_release_not_open_to_it_with_2002(client, http_session):
    Release.objects.filter(id=NO_SURPRISES).update(ad_supported_date=None)

    response = http_session.get(catalogue_url(client, tracks()[0].id))

    assert response.status_code == 403
    assert error_code(response) == 2002


def test_an_error_is_never_cacheable(client, http_session):
    response = http_session.get(catalogue_url(client, 999_999_999))

    assert response.headers["Cache-Control"] == "no-cache, no-store"


# -- one device at a time (clientId) -------------------------------------------------------


def head(track, device) -> str:
    params = {"userId": SUBSCRIBER, "trackId": track.id, "formatId": FORMAT, "country": "GB"}
    return raw_url("stream/subscription", {**params, "clientId": device}, method="HEAD")


def play(client, http_session, track, device, *, range=None) -> requests.Response:
    headers = {"Range": range} if range else {}
    return http_session.get(subscription_url(client, track.id, client_id=device), headers=headers)


def at(seconds: float) -> None:
    state.set_now(NOW + timedelta(seconds=seconds))


def test_without_client_id_any_number_of_streams_play_at_once(client, http_session, subscriber):
    first, second, third = tracks()

    for track in (first, second, third, first):
        assert http_session.get(subscription_url(client, track.id)).status_code == 200


def test_a_superseded_device_finishes_its_track_then_is_blocked_for_the_window(
    client, http_session, subscriber
):
    first, second, third = tracks()
    assert play(client, http_session, first, "A").status_code == 200

    at(2)
    assert play(client, http_session, second, "B").status_code == 200

    at(5)  # A is still playing its track, and seeks in it
    seek = play(client, http_session, first, "A", range="bytes=1000-")
    assert seek.status_code == 206

    at(SECONDS + 1)  # A's track is over: its next one is refused
    refused = play(client, http_session, third, "A")
    assert refused.status_code == 403
    assert error_code(refused) == 3201
    assert "multiple locations" in refused.text
    assert play(client, http_session, third, "B").status_code == 200  # B plays on

    at(SECONDS + BLOCK - 1)  # the window runs from the end of A's track
    assert error_code(play(client, http_session, second, "A")) == 3201

    at(SECONDS + BLOCK)  # after the window A plays again, and B is the one superseded
    assert play(client, http_session, second, "A").status_code == 200
    assert play(client, http_session, third, "B", range="bytes=0-99").status_code == 206
    at(3 * SECONDS + BLOCK)
    assert error_code(play(client, http_session, first, "B")) == 3201


def test_a_head_neither_supersedes_nor_is_served_to_a_blocked_device(
    client, http_session, subscriber
):
    first, second, third = tracks()
    play(client, http_session, first, "A")
    assert http_session.head(head(second, "B")).status_code == 200
    at(SECONDS + 1)
    assert play(client, http_session, second, "A").status_code == 200  # not superseded

    play(client, http_session, third, "B")
    at(3 * SECONDS)

    assert http_session.head(head(first, "A")).status_code == 403


def test_a_device_idle_for_longer_than_its_track_and_the_window_is_not_superseded(
    client, http_session, subscriber
):
    first, second, _ = tracks()
    play(client, http_session, first, "A")

    at(SECONDS + BLOCK)
    play(client, http_session, second, "B")

    assert play(client, http_session, second, "A").status_code == 200


def test_streams_without_client_id_never_block_a_device(client, http_session, subscriber):
    first, second, third = tracks()
    play(client, http_session, first, "A")
    assert http_session.get(subscription_url(client, second.id)).status_code == 200

    at(SECONDS + 1)

    assert play(client, http_session, third, "A").status_code == 200


# -- the control API ----------------------------------------------------------------------


def test_the_control_api_lists_streams_per_user_and_device_with_their_state(
    client, http_session, subscriber
):
    first, second, _ = tracks()
    http_session.get(locker_url(client, first.id))
    play(client, http_session, first, "A")
    at(1)
    play(client, http_session, second, "B")
    play(client, http_session, second, "B", range="bytes=10-")

    listed = streams(http_session, user_id=SUBSCRIBER)

    assert [(s["client_id"], s["state"], s["track_id"]) for s in listed] == [
        ("A", "finishing", first.id),
        ("B", "playing", second.id),
    ]
    device_b = listed[1]
    assert device_b["requests"] == 2
    assert device_b["format_id"] == FORMAT
    assert listed[0]["blocked_until"] == (
        (NOW + timedelta(seconds=SECONDS + BLOCK)).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    (owner,) = streams(http_session, user_id=OWNER)
    assert (owner["kind"], owner["client_id"], owner["state"]) == ("locker", None, "playing")

    at(SECONDS + 2)
    assert [s["state"] for s in streams(http_session, user_id=SUBSCRIBER)] == [
        "blocked",
        "playing",
    ]
    at(10 * SECONDS + BLOCK)
    assert streams(http_session) == []
    assert len(streams(http_session, all="true")) == 3


def test_reset_forgets_every_stream(client, http_session, subscriber):
    play(client, http_session, tracks()[0], "A")

    assert http_session.post(f"{SANDBOX_URL}/_sandbox/reset").status_code == 200

    assert streams(http_session, all="true") == []


def test_the_stream_list_needs_the_control_token_when_set(http_session, settings):
    settings.SANDBOX_CONTROL_TOKEN = "let-me-in"

    assert http_session.get(f"{SANDBOX_URL}/_sandbox/streams").status_code == 403
