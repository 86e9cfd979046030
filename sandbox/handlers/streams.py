"""Full-track streams from the stream host (reference lines 4583-4655):
``stream/locker``, ``stream/subscription`` and ``stream/catalogue``.

Each is signed (2-legged; the user's streams act for a ``userId`` or an access token),
answers with the track's full-length audio (AAC in MP4, ``audio/mp4``) and supports
Range (206, 416) and HEAD. Errors are the API's envelope with the documented codes
(1001, 1002, 2001, 2002, and 3201 for ``clientId`` devices); the view sends
``Cache-Control: no-cache, no-store`` as on every call not to be cached (line 70), and
no ``Content-Disposition``: a stream is played, not saved. Who may stream what, and the
one-device rule, are the streams backend's (``sandbox/backends/streams.py``).
"""

from __future__ import annotations

from django.http import StreamingHttpResponse

from .. import exceptions
from ..backends.streams import CLIENT_ID_MAX, Request, StreamFile
from ..backends.streams import streams_backend as backend
from ..context import Call
from ..routing import endpoint
from .files import file_response, wanted_range


def _request(call: Call, *, client_id: str | None = None) -> Request:
    track_id = call.params.integer("trackId", required=True, minimum=0)
    format_id = call.params.integer("formatId", required=True, minimum=0)
    return Request(
        consumer_key=call.consumer_key,
        user_id=call.user_id,
        track_id=track_id,
        format_id=format_id,
        country=call.country,
        starts=call.request.method != "HEAD",
        client_id=client_id,
    )


def _send(call: Call, stream: StreamFile) -> StreamingHttpResponse:
    return file_response(call, stream.path, stream.content_type, wanted_range(call, stream.path))


@endpoint("GET", "stream/locker", auth="user")
def locker(call: Call) -> StreamingHttpResponse:
    return _send(call, backend.locker(_request(call)))


@endpoint("GET", "stream/subscription", auth="user")
def subscription(call: Call) -> StreamingHttpResponse:
    client_id = call.params.get("clientId")
    if client_id is not None and len(client_id) > CLIENT_ID_MAX:
        raise exceptions.InvalidParameter(
            f"Invalid value for clientId: at most {CLIENT_ID_MAX} characters"
        )
    return _send(call, backend.subscription(_request(call, client_id=client_id)))


@endpoint("GET", "stream/catalogue", auth="signed")
def catalogue(call: Call) -> StreamingHttpResponse:
    return _send(call, backend.catalogue(_request(call)))
