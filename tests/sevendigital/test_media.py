"""Media endpoints answer with bytes: they stream through, Range passes, errors map."""

from __future__ import annotations

import pytest

from sevendigital import errors

from .fakes import header


def test_a_clip_streams_its_bytes_and_passes_range_through(client, transport, verifier):
    audio = bytes(range(256)) * 64
    transport.reply(
        audio[100:200],
        status=206,
        content_type="audio/mpeg",
        headers={"Content-Range": f"bytes 100-199/{len(audio)}"},
    )
    response = client.media.open(client.media.clip(1234, country="GB"), range="bytes=100-199")
    try:
        assert response.status_code == 206
        assert b"".join(response.iter_content(64)) == audio[100:200]
        assert response.headers["Content-Range"] == "bytes 100-199/16384"
    finally:
        response.close()
    sent = transport.last
    assert header(sent, "Range") == "bytes=100-199"
    assert sent.url.startswith("http://sevendigital.test/clip/1234?")
    assert verifier.verify(sent)


def test_a_missing_preview_raises_not_found(client, transport):
    transport.reply("Track not found: no preview", status=404, content_type="text/plain")
    with pytest.raises(errors.NotFound) as caught:
        client.media.open(client.media.clip(99))
    assert caught.value.http_status == 404


def test_a_download_the_user_does_not_own_raises_not_available(client, transport):
    transport.error(2002, "No licences found for the download request", status=403)
    request = client.media.download_track("u-1", track_id=1, release_id=2, format_id=17)
    with pytest.raises(errors.NotAvailable, match="No licences found"):
        client.media.open(request)


def test_a_download_keeps_the_content_disposition(client, transport):
    transport.reply(
        b"ID3...",
        content_type="audio/mpeg",
        headers={
            "Content-Disposition": 'attachment; filename="David Hasselhoff - Jump In My Car.mp3";'
        },
    )
    request = client.media.download_track("u-1", track_id=1, release_id=2, format_id=17)
    with client.media.open(request) as response:
        assert "Jump In My Car.mp3" in response.headers["Content-Disposition"]
        assert response.content == b"ID3..."


def test_a_stream_opened_during_an_outage_is_retried_then_served(client, transport, sleeps):
    transport.reply("<html>503</html>", status=503, content_type="text/html")
    transport.reply(b"audio", content_type="audio/mpeg")
    request = client.media.stream_subscription("u-1", track_id=1, format_id=55, client_id="dev")
    with client.media.open(request) as response:
        assert response.content == b"audio"
    assert len(transport.requests) == 2


def test_each_media_retry_is_signed_with_a_fresh_nonce(client, transport, verifier):
    transport.reply("<html>503</html>", status=503, content_type="text/html")
    transport.reply(b"audio", content_type="audio/mpeg")
    with client.media.open(client.media.clip(1234)) as response:
        assert response.content == b"audio"
    first, second = transport.requests
    assert verifier.verify(first)
    assert verifier.verify(second), "a retry reusing the first nonce would be refused"


def test_a_range_past_the_end_is_returned_with_its_content_range(client, transport):
    transport.reply(
        b"", status=416, content_type="text/plain", headers={"Content-Range": "bytes */480653"}
    )
    with client.media.open(client.media.clip(1234), range="bytes=999999-") as response:
        assert response.status_code == 416
        assert response.headers["Content-Range"] == "bytes */480653"
