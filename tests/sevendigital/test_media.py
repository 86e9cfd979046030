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


def test_a_head_goes_upstream_as_a_signed_head_with_the_downloads_headers(
    client, transport, verifier
):
    transport.reply(
        b"",
        content_type="audio/mpeg",
        headers={
            "Content-Length": "7256280",
            "Content-Disposition": 'attachment; filename="David Hasselhoff - Jump In My Car.mp3";',
        },
    )
    request = client.media.download_track("u-1", track_id=1, release_id=2, format_id=17)

    with client.media.open(request, method="HEAD") as response:
        assert response.headers["Content-Length"] == "7256280"
        assert "Jump In My Car.mp3" in response.headers["Content-Disposition"]

    sent = transport.last
    assert sent.method == "HEAD", "a GET of a download counts against its limit"
    assert "trackId=1" in sent.url and "userId=u-1" in sent.url
    assert verifier.verify(sent)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, errors.NotAvailable),
        (404, errors.NotFound),
        (400, errors.InvalidInput),
        (401, errors.AuthenticationFailed),
    ],
)
def test_a_refused_head_maps_its_status_without_a_body_to_read(client, transport, status, error):
    transport.reply(b"", status=status, content_type="application/xml")
    request = client.media.download_track("u-1", track_id=1, release_id=2, format_id=17)

    with pytest.raises(error) as caught:
        client.media.open(request, method="HEAD")

    assert caught.value.http_status == status
    assert caught.value.code is None


def test_a_head_during_an_outage_is_retried_as_a_head(client, transport, sleeps):
    transport.reply(b"", status=503, content_type="text/html")
    transport.reply(b"", content_type="audio/mpeg", headers={"Content-Length": "5"})

    with client.media.open(client.media.clip(1234), method="HEAD") as response:
        assert response.headers["Content-Length"] == "5"

    assert [sent.method for sent in transport.requests] == ["HEAD", "HEAD"]


def test_media_is_opened_with_get_or_head_only(client):
    with pytest.raises(ValueError, match="GET or HEAD"):
        client.media.open(client.media.clip(1234), method="POST")
