"""/previews/<trackId> streams the signed 7digital clip through, Range and errors included."""

from __future__ import annotations

from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from integrations import proxy
from store.player import views
from store.playlogs.models import PreviewResponseTally

from .conftest import SEEDED_TRACK

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = reverse("player:preview", args=[SEEDED_TRACK])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_no_secret_leaks(response, settings):
    raw = str(response.headers).lower()
    raw += (body_of(response) if response.streaming else response.content).decode("latin-1").lower()
    assert "oauth" not in raw
    assert settings.SEVENDIGITAL_CONSUMER_SECRET.lower() not in raw
    assert "sandbox.test" not in raw


def test_the_whole_clip_streams_through_as_mp3(client, clip_bytes):
    response = client.get(URL)

    assert isinstance(response, StreamingHttpResponse)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(clip_bytes))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(response) == clip_bytes


def test_a_range_passes_through_as_206_with_exactly_those_bytes(client, clip_bytes):
    response = client.get(URL, headers={"Range": "bytes=1000-1999"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{len(clip_bytes)}"
    assert response["Content-Length"] == "1000"
    assert body_of(response) == clip_bytes[1000:2000]


def test_an_open_ended_range_serves_the_rest_of_the_clip(client, clip_bytes):
    response = client.get(URL, headers={"Range": "bytes=400000-"})

    assert response.status_code == 206
    assert body_of(response) == clip_bytes[400000:]


def test_the_upstream_request_carries_the_range_and_an_oauth_signature(client, sandbox_for_store):
    body_of(client.get(URL, headers={"Range": "bytes=0-99"}))

    entry = sandbox_for_store.entries(endpoint="clip/*")[-1]
    assert entry["path"] == f"/clip/{SEEDED_TRACK}"
    assert entry["headers"]["Authorization"].startswith("OAuth ")
    assert entry["status"] == 206


def test_a_range_past_the_end_passes_through_as_416(client, clip_bytes):
    response = client.get(URL, headers={"Range": f"bytes={len(clip_bytes)}-"})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(clip_bytes)}"
    assert response["Cache-Control"] == "private, no-store"


def test_head_answers_the_headers_without_the_body(client, clip_bytes):
    response = client.head(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Length"] == str(len(clip_bytes))
    assert response.content == b""


def test_head_asks_7digital_for_the_headers_only(client, sandbox_for_store):
    client.head(URL)

    (entry,) = sandbox_for_store.entries(endpoint="clip/*")
    assert entry["method"] == "HEAD"


def test_the_proxy_answers_only_get_and_head(client, sandbox_for_store):
    assert client.post(URL).status_code == 405
    assert sandbox_for_store.entries(endpoint="clip/*") == []


def test_a_track_without_a_preview_is_a_clean_404(client, sandbox_for_store, settings):
    response = client.get(reverse("player:preview", args=[999_999_999]))

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Preview not available"
    assert_no_secret_leaks(response, settings)


def test_a_track_id_beyond_any_database_is_a_404_without_asking_7digital(client, sandbox_for_store):
    response = client.get(f"/previews/{10**30}")  # no URL can name it: reverse() refuses

    assert response.status_code == 404
    assert sandbox_for_store.entries(endpoint="clip/*") == []


def test_a_non_numeric_track_id_never_reaches_the_view(client):
    assert client.get("/previews/abc").status_code == 404
    assert client.get("/previews/-1").status_code == 404


def test_a_7digital_outage_is_a_503_with_retry_after(client, sandbox_for_store, settings):
    sandbox_for_store.add_fault(kind="status", endpoint="clip/*", status=503)

    response = client.get(URL)

    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "private, no-store"
    assert_no_secret_leaks(response, settings)


def test_a_dropped_connection_to_7digital_is_a_503(client, sandbox_for_store, settings):
    sandbox_for_store.add_fault(kind="reset", endpoint="clip/*")

    response = client.get(URL)

    assert response.status_code == 503
    assert "Retry-After" in response
    assert_no_secret_leaks(response, settings)


def test_a_single_dropped_connection_is_retried_and_served(client, clip_bytes, sandbox_for_store):
    sandbox_for_store.add_fault(kind="reset", endpoint="clip/*", times=1)

    response = client.get(URL)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == clip_bytes
    # the retry was signed afresh: the sandbox saw two signed requests, both verified
    clips = sandbox_for_store.entries(endpoint="clip/*")
    assert [entry["status"] for entry in clips][-1] == 200


def test_refused_credentials_are_a_503_not_a_500(client, sandbox_for_store, settings):
    settings.SEVENDIGITAL_CONSUMER_SECRET = "not-the-secret"

    response = client.get(URL)

    assert response.status_code == 503
    assert_no_secret_leaks(response, settings)


def test_a_streamed_clip_leaks_no_signature_or_secret(client, clip_bytes, settings):
    for headers in ({}, {"Range": "bytes=10-20"}):
        response = client.get(URL, headers=headers)
        assert_no_secret_leaks(response, settings)


def test_the_visitors_country_goes_to_7digital(rf, sandbox_for_store):
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get(URL)
    request.country, request.session = "US", SessionStore()

    response = views.preview(request, track_id=SEEDED_TRACK)
    if response.streaming:
        body_of(response)
        response.close()

    entry = sandbox_for_store.entries(endpoint="clip/*")[-1]
    assert ["country", "US"] in entry["params"]


def test_a_visitor_without_a_chosen_country_previews_in_the_shops_country(
    client, sandbox_for_store
):
    body_of(client.get(URL))

    entry = sandbox_for_store.entries(endpoint="clip/*")[-1]
    assert ["country", "GB"] in entry["params"]


# -- streaming, not buffering ------------------------------------------------------


@pytest.fixture
def lazy_upstream(monkeypatch, sandbox_for_store):
    """Make the upstream body a lazy generator that records each chunk as it is pulled."""
    from sevendigital.resources.media import Media

    pulled: list[int] = []
    closed: list[bool] = []
    original_open = Media.open

    def open_lazily(self, request, **kwargs):
        upstream = original_open(self, request, **kwargs)
        data = upstream.content

        def iter_content(chunk_size=1, decode_unicode=False):
            for start in range(0, len(data), chunk_size):
                pulled.append(start)
                yield data[start : start + chunk_size]

        original_close = upstream.close

        def close():
            closed.append(True)
            original_close()

        upstream.iter_content = iter_content
        upstream.close = close
        return upstream

    monkeypatch.setattr(Media, "open", open_lazily)
    return pulled, closed


def test_the_view_returns_before_reading_the_upstream_body(client, clip_bytes, lazy_upstream):
    pulled, closed = lazy_upstream

    response = client.get(URL)

    assert pulled == []
    assert closed == []
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert len(first) == proxy.CHUNK_SIZE
    assert pulled == [0]
    rest = b"".join(chunks)
    assert first + rest == clip_bytes
    assert len(pulled) == -(-len(clip_bytes) // proxy.CHUNK_SIZE)


def test_the_upstream_response_is_closed_when_the_response_is(client, clip_bytes, lazy_upstream):
    pulled, closed = lazy_upstream

    response = client.get(URL)
    response.close()  # the browser went away before a single chunk

    assert pulled == []
    assert closed == [True]


def test_a_stream_that_breaks_off_ends_the_body_instead_of_raising(
    client, clip_bytes, monkeypatch, sandbox_for_store
):
    import requests

    from sevendigital.resources.media import Media

    original_open = Media.open

    def open_then_break(self, request, **kwargs):
        upstream = original_open(self, request, **kwargs)

        def iter_content(chunk_size=1, decode_unicode=False):
            yield upstream.content[:chunk_size]
            raise requests.ConnectionError("connection reset mid-stream")

        upstream.iter_content = iter_content
        return upstream

    monkeypatch.setattr(Media, "open", open_then_break)

    response = client.get(URL)

    assert response.status_code == 200
    assert body_of(response) == clip_bytes[: proxy.CHUNK_SIZE]


# -- the reconciliation tally --------------------------------------------------------


def tally() -> int:
    return sum(PreviewResponseTally.objects.values_list("responses", flat=True))


def test_responses_that_start_playback_are_counted_per_day_and_country(client, clip_bytes):
    body_of(client.get(URL))
    body_of(client.get(URL, headers={"Range": "bytes=0-"}))

    row = PreviewResponseTally.objects.get()
    assert row.country == "GB"
    assert row.responses == 2


def test_seeks_heads_and_failures_are_not_counted(client, clip_bytes, sandbox_for_store):
    body_of(client.get(URL, headers={"Range": "bytes=5000-"}))
    client.head(URL)
    client.get(URL, headers={"Range": f"bytes={len(clip_bytes)}-"})
    client.get(reverse("player:preview", args=[999_999_999]))
    sandbox_for_store.add_fault(kind="status", endpoint="clip/*", status=503)
    client.get(URL)

    assert tally() == 0


def test_a_tally_that_cannot_be_written_does_not_stop_the_preview_and_is_kept(
    client, clip_bytes, _fresh_tally
):
    from django.db import DatabaseError

    locked = DatabaseError("database is locked")
    with mock.patch("store.playlogs.services.preview_responses_add", side_effect=locked):
        response = client.get(URL)

        assert response.status_code == 200
        assert body_of(response) == clip_bytes
    assert _fresh_tally.pending == 1

    _fresh_tally.flush()  # the database is back

    assert tally() == 1
    assert _fresh_tally.pending == 0
