"""Preview clips: real 30-second MP3s, signed URLs, Range, and the documented failures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox import audio
from sandbox.models import Release, Track
from sevendigital import errors

from .conftest import SANDBOX_URL, make_client

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("seeded_catalogue"),
]


@pytest.fixture(autouse=True)
def _audio_cache(settings, tmp_path):
    settings.SANDBOX_AUDIO_CACHE = tmp_path / "audio"


def frames_seconds(mp3: bytes) -> float:
    """Duration from the MPEG-1 Layer III frame count (128 kbps, 44.1 kHz, CBR)."""
    frame = 144 * 128_000 // 44_100
    return (len(mp3) / frame) * 1152 / 44_100


def test_a_signed_clip_request_gets_a_30_second_mp3(sandbox_client):
    with sandbox_client.media.open(sandbox_client.media.clip(123456)) as response:
        body = response.content
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert response.headers["Accept-Ranges"] == "bytes"
    assert body[:2] == b"\xff\xfb" or body[:3] == b"ID3"
    assert 29.5 <= frames_seconds(body) <= 30.5


def test_the_same_track_always_sounds_the_same(sandbox_client, settings, tmp_path):
    first = sandbox_client.media.open(sandbox_client.media.clip(123456)).content
    settings.SANDBOX_AUDIO_CACHE = tmp_path / "elsewhere"
    assert sandbox_client.media.open(sandbox_client.media.clip(123456)).content == first
    other = sandbox_client.media.open(sandbox_client.media.clip(148)).content
    assert other != first


def test_clips_are_cached_on_disk(sandbox_client, settings):
    sandbox_client.media.open(sandbox_client.media.clip(123456)).close()
    assert audio.clip_cache_path(settings.SANDBOX_AUDIO_CACHE, 123456, 30).exists()


def test_a_range_request_gets_206_with_the_bytes_asked_for(sandbox_client):
    whole = sandbox_client.media.open(sandbox_client.media.clip(123456)).content
    part = sandbox_client.media.open(sandbox_client.media.clip(123456), range="bytes=1000-1999")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert part.content == whole[1000:2000]


def test_a_range_past_the_end_gets_416(sandbox_client, http_session):
    size = len(sandbox_client.media.open(sandbox_client.media.clip(123456)).content)
    url = sandbox_client.media.signed_url(sandbox_client.media.clip(123456))
    response = http_session.get(url, headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_an_unsigned_clip_request_is_refused_with_401(http_session):
    response = http_session.get(
        f"{SANDBOX_URL}/clip/123456", params={"country": "GB", "oauth_consumer_key": "sandbox-key"}
    )
    assert response.status_code == 401


def test_a_bad_signature_is_refused_with_401(http_session):
    response = http_session.get(
        f"{SANDBOX_URL}/clip/123456",
        params={"country": "GB"},
        auth=OAuth1("sandbox-key", "wrong-secret"),
    )
    assert response.status_code == 401


def test_an_invalid_track_id_is_400(http_session):
    response = http_session.get(
        f"{SANDBOX_URL}/clip/abc",
        params={"country": "GB"},
        auth=OAuth1("sandbox-key", "sandbox-secret"),
    )
    assert response.status_code == 400
    assert response.text == "Invalid trackId"


def test_a_missing_country_is_400(http_session):
    response = http_session.get(
        f"{SANDBOX_URL}/clip/123456", auth=OAuth1("sandbox-key", "sandbox-secret")
    )
    assert response.status_code == 400
    assert "Country or ShopId" in response.text


def test_an_unknown_track_is_404(sandbox_client):
    with pytest.raises(errors.NotFound) as caught:
        sandbox_client.media.open(sandbox_client.media.clip(999_999_999))
    assert caught.value.http_status == 404


def test_a_track_not_licensed_in_the_country_has_no_preview_there(sandbox_client):
    release = (
        Release.objects.filter(territories__contains=",GB,", taken_down=False)
        .exclude(territories__contains=",FR,")
        .first()
    )
    track = Track.objects.filter(release=release).first()
    with pytest.raises(errors.NotFound):
        sandbox_client.media.open(sandbox_client.media.clip(track.id, country="FR"))


def test_a_pre_release_track_has_no_preview_yet(sandbox_client):
    track = Track.objects.filter(
        release__release_date__gt=datetime.now(UTC), release__preview_date__isnull=True
    ).first() or (Track.objects.filter(release__preview_date__gt=datetime.now(UTC)).first())
    assert track is not None
    country = track.release.territories.strip(",")[:2]
    with pytest.raises(errors.NotFound, match="opens on"):
        sandbox_client.media.open(sandbox_client.media.clip(track.id, country=country))


def test_third_party_clients_can_fetch_a_signed_url_over_a_socket(sandbox_server):
    client = make_client(base_url=sandbox_server.url, adapter=None)
    url = client.media.signed_url(client.media.clip(123456))
    response = requests.get(url, headers={"Range": "bytes=0-99"}, timeout=10)
    assert response.status_code == 206
    assert len(response.content) == 100


@pytest.mark.parametrize("track_id", [str(2**63), "9" * 5000])
def test_a_track_id_larger_than_any_id_is_404(http_session, track_id):
    response = http_session.get(
        f"{SANDBOX_URL}/clip/{track_id}",
        params={"country": "GB"},
        auth=OAuth1("sandbox-key", "sandbox-secret"),
    )
    assert response.status_code == 404
    assert response.text == "Track not found: no track has so large an id"


def test_a_range_with_a_5000_digit_end_gets_the_rest_of_the_clip(sandbox_client):
    whole = sandbox_client.media.open(sandbox_client.media.clip(123456, country="GB"))
    length = len(whole.content)

    rest = sandbox_client.media.open(
        sandbox_client.media.clip(123456, country="GB"), range=f"bytes=100-{'9' * 5000}"
    )

    assert rest.status_code == 206
    assert rest.headers["Content-Range"] == f"bytes 100-{length - 1}/{length}"
