"""Relaying 7digital's media (preview clips, purchased downloads) to the browser.

The upstream response is fetched server-side with a signed URL and its bytes are passed
on as they arrive: nothing is buffered, and the signed URL never reaches the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024


def database_release() -> None:
    """Give back this thread's database connections (to the pool, or closed).

    A relayed body lasts as long as the listener takes to read it (a whole track, a
    download to a phone): once the view and the middleware are done with the database,
    holding a connection for all that time would let a few hundred listeners use up the
    database's connections (100 by default on PostgreSQL) and refuse everyone else.
    The next request on this thread connects again. A connection inside a transaction
    (a test's, or a caller's atomic block) is left alone.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block:
            connection.close()


class UpstreamBody:
    """Iterates the upstream body in chunks and closes the upstream response when closed.

    Django calls ``close()`` when the response ends, even if the browser went away before
    the first chunk was read (a generator's ``finally`` would not run in that case).
    Asked for its first chunk (the view and the middleware have run), it gives back the
    thread's database connections: see :func:`database_release`.
    """

    def __init__(self, upstream: requests.Response, chunk_size: int = CHUNK_SIZE) -> None:
        self.upstream = upstream
        self.chunks = upstream.iter_content(chunk_size)
        self.started = False

    def __iter__(self) -> UpstreamBody:
        return self

    def __next__(self) -> bytes:
        if not self.started:
            self.started = True
            database_release()
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
