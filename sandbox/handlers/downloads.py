"""Purchased downloads from the media host (reference lines 4887-4947).

``media/user/downloadtrack`` (one track in one format), ``media/user/download/release``
(the user's tracks of a release as a ZIP) and ``media/user/download/purchase`` (the tracks
of one sale as a ZIP, each in the best format bought). Which files a user may have, and
when a download counts, is the lockers backend's (``sandbox/backends/lockers.py``); these
handlers read the parameters and send the file, with HTTP Range support.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from .. import ranges
from ..backends.lockers import CHUNK_SIZE, Delivery
from ..backends.lockers import lockers_backend as backend
from ..context import Call
from ..routing import endpoint


def _file_chunks(path: pathlib.Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as source:
        source.seek(start)
        while length > 0:
            chunk = source.read(min(CHUNK_SIZE, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _send(call: Call, delivery: Delivery) -> StreamingHttpResponse:
    path = delivery.path
    wanted = ranges.parse_range(call.request.headers.get("Range"), path.stat().st_size)
    # Counted when the body starts at byte 0 (see sandbox/backends/lockers.py).
    delivers_from_start = wanted.kind == "full" or (wanted.kind == "partial" and wanted.start == 0)
    if call.request.method != "HEAD" and delivers_from_start:
        delivery.record()
    body: Iterator[bytes] = iter(())
    if call.request.method != "HEAD" and wanted.kind != "unsatisfiable":
        body = _file_chunks(path, wanted.start, wanted.content_length)
    response = StreamingHttpResponse(body, status=wanted.status, content_type=delivery.content_type)
    for name, value in wanted.headers().items():
        response[name] = value
    response["Content-Disposition"] = content_disposition_header(True, delivery.filename)
    return response


# -- endpoints -------------------------------------------------------------------------------


@endpoint("GET", "media/user/downloadtrack", auth="user")
def download_track(call: Call) -> StreamingHttpResponse:
    track_id = call.params.integer("trackId", required=True)
    release_id = call.params.integer("releaseId", required=True)
    format_id = call.params.integer("formatId", required=True)
    call.country  # noqa: B018 - required, as documented
    delivery = backend.track_download(
        consumer_key=call.consumer_key,
        user_id=call.user_id,
        track_id=track_id,
        release_id=release_id,
        format_id=format_id,
    )
    return _send(call, delivery)


@endpoint("GET", "media/user/download/release", auth="user")
def download_release(call: Call) -> StreamingHttpResponse:
    release_id = call.params.integer("releaseId", required=True)
    format_id = call.params.integer("formatId")
    call.country  # noqa: B018 - required, as documented
    delivery = backend.release_download(
        consumer_key=call.consumer_key,
        user_id=call.user_id,
        release_id=release_id,
        format_id=format_id,
    )
    return _send(call, delivery)


@endpoint("GET", "media/user/download/purchase", auth="user")
def download_purchase(call: Call) -> StreamingHttpResponse:
    purchase_id = call.params.integer("purchaseId", required=True)
    call.country  # noqa: B018 - required, as documented
    delivery = backend.purchase_download(
        consumer_key=call.consumer_key, user_id=call.user_id, purchase_id=purchase_id
    )
    return _send(call, delivery)
