"""Pages and fragments travel gzip-compressed where the browser accepts it; audio,
downloads and pages holding account secrets never do (integrations/compression.py)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from integrations.compression import CompressPagesMiddleware

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
RELEASE = "/releases/1046/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def sandbox(sandbox_for_store, settings):
    # Pages rendered for each request, compressed by the middleware; the pages stored
    # for visitors come compressed already (tests/store/catalogue/test_page_cache.py).
    settings.CATALOGUE_PAGE_SECONDS = 0
    return sandbox_for_store


def _varies_on_encoding(response) -> bool:
    return "Accept-Encoding" in {name.strip() for name in response.get("Vary", "").split(",")}


def test_a_page_is_sent_compressed_to_a_browser_that_accepts_gzip(client, sandbox):
    plain = client.get(RELEASE)
    packed = client.get(RELEASE, **GZIP)

    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert _varies_on_encoding(packed)
    page = gzip.decompress(packed.content).decode()
    assert "<title>No Surprises" in page and 'id="player"' in page
    assert len(packed.content) < len(plain.content) / 3
    assert "Content-Encoding" not in plain  # a client that did not ask gets it plain


def test_an_htmx_fragment_is_compressed_too(client, sandbox):
    response = client.get(f"{RELEASE}?section=tags", HTTP_HX_REQUEST="true", **GZIP)

    assert response["Content-Encoding"] == "gzip"
    assert 'id="release-tags"' in gzip.decompress(response.content).decode()


def test_each_compressed_page_carries_its_csrf_token_masked_afresh(client, sandbox):
    first = TOKEN.search(gzip.decompress(client.get(RELEASE, **GZIP).content).decode())
    second = TOKEN.search(gzip.decompress(client.get(RELEASE, **GZIP).content).decode())

    assert first and second
    assert first.group(1) != second.group(1)  # BREACH finds nothing fixed to guess at


def test_account_pages_are_never_compressed(client, sandbox):
    response = client.get("/accounts/login/", **GZIP)

    assert response.status_code == 200
    assert "Content-Encoding" not in response


def _through_middleware(response, path="/stream/9525"):
    request = RequestFactory().get(path, **GZIP)
    return CompressPagesMiddleware(lambda request: response)(request)


def test_streamed_audio_is_passed_on_as_it_came():
    audio = StreamingHttpResponse(iter([b"\x00" * 4096]), content_type="audio/mp4", status=206)
    audio["Content-Range"] = "bytes 0-4095/10000"

    response = _through_middleware(audio)

    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == b"\x00" * 4096


def test_a_whole_file_that_is_not_text_is_passed_on_as_it_came():
    archive = HttpResponse(b"PK" + b"\x00" * 4096, content_type="application/zip")

    response = _through_middleware(archive, path="/locker/download")

    assert "Content-Encoding" not in response
    assert response.content == b"PK" + b"\x00" * 4096


def test_a_json_answer_is_compressed():
    answer = HttpResponse(
        b'{"items": [' + b'"x", ' * 400 + b'"x"]}', content_type="application/json"
    )

    response = _through_middleware(answer, path="/player/access")

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b'{"items"')
