"""Relaying 7digital's media (preview clips, purchased downloads) to the browser.

The upstream response is fetched server-side with a signed URL and its bytes are passed
on as they arrive: nothing is buffered, and the signed URL never reaches the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024


class UpstreamBody:
    """Iterates the upstream body in chunks and closes the upstream response when closed.

    Django calls ``close()`` when the response ends, even if the browser went away before
    the first chunk was read (a generator's ``finally`` would not run in that case).
    """

    def __init__(self, upstream: requests.Response, chunk_size: int = CHUNK_SIZE) -> None:
        self.upstream = upstream
        self.chunks = upstream.iter_content(chunk_size)

    def __iter__(self) -> UpstreamBody:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self.chunks)
        except requests.RequestException as exc:
            # The status line is sent: all we can do is end the body early.
            logger.warning("Media stream from 7digital broke off: %s", exc.__class__.__name__)
            raise StopIteration from None

    def close(self) -> None:
        self.upstream.close()


def relay(
    request: HttpRequest, upstream: requests.Response, *, passed_headers: Iterable[str]
) -> HttpResponse:
    """The browser's response: upstream's status, ``passed_headers`` and (unless HEAD)
    its body streamed through; never cached, never buffered by nginx.

    For a browser's HEAD, open ``upstream`` with ``method="HEAD"`` too: its headers are
    the GET's (type, length, filename), and a GET whose body is dropped here would still
    count as a purchased download at 7digital."""
    if request.method == "HEAD":
        upstream.close()
        response = HttpResponse(status=upstream.status_code)
    else:
        response = StreamingHttpResponse(UpstreamBody(upstream), status=upstream.status_code)
    for name in passed_headers:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    if "Content-Encoding" in upstream.headers:
        # iter_content() decodes gzip, so the upstream length would be wrong.
        del response["Content-Length"]
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass chunks on as they come
    return response
