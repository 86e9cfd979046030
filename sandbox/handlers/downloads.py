"""Purchased downloads from the media host (reference lines 4887-4947).

``media/user/downloadtrack`` (one track in one format), ``media/user/download/release``
(the user's tracks of a release as a ZIP) and ``media/user/download/purchase`` (the tracks
of one sale as a ZIP, each in the best format bought). Which files a user may have, and
when a download counts, is the lockers backend's (``sandbox/backends/lockers.py``); these
handlers read the parameters and send the file, with HTTP Range support.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from ..backends.lockers import Delivery
from ..backends.lockers import lockers_backend as backend
from ..context import Call
from ..routing import endpoint
from .files import file_response, wanted_range


def _send(call: Call, delivery: Delivery) -> StreamingHttpResponse:
    wanted = wanted_range(call, delivery.path)
    # Counted when the body starts at byte 0 (see sandbox/backends/lockers.py).
    delivers_from_start = wanted.kind == "full" or (wanted.kind == "partial" and wanted.start == 0)
    if call.request.method != "HEAD" and delivers_from_start:
        delivery.record()
    response = file_response(call, delivery.path, delivery.content_type, wanted)
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
