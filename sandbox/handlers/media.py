"""Preview clips: previews.7digital.com/clip/{trackId} (reference line 4948).

A real, deterministic 30-second MP3 per track, cached on disk, with HTTP Range support.
Failures are plain text with the documented statuses: 400 invalid track id or missing
country, 401 authorisation (answered by the OAuth check), 404 no preview.
"""

from __future__ import annotations

import re

from django.http import HttpResponse

from .. import audio, ranges
from ..backends.catalogue import NoPreview
from ..backends.catalogue import catalogue_backend as backend
from ..context import ID_MAX, Call
from ..routing import endpoint

TRACK_ID = re.compile(r"[0-9]+")


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@endpoint("GET", "clip/{trackId}", auth="signed")
def clip(call: Call) -> HttpResponse:
    raw_id = call.captured["trackId"]
    if not TRACK_ID.fullmatch(raw_id):  # ASCII digits: str.isdigit() takes "²"
        return _text("Invalid trackId", 400)
    digits = raw_id.lstrip("0") or "0"
    if len(digits) > len(str(ID_MAX)) or int(digits) > ID_MAX:
        return _text("Track not found: no track has so large an id", 404)
    if "country" not in call.params and "shopId" not in call.params:
        return _text("Required parameter Country or ShopId is missing", 400)
    country = call.country
    try:
        data = backend.preview_clip(track_id=int(digits), country=country)
    except NoPreview as missing:
        if missing.opens is not None:
            return _text(f"Track not found: the preview opens on {missing.opens:%Y-%m-%d}", 404)
        return _text(f"Track not found: no preview of track {raw_id} in {country}", 404)
    wanted = ranges.parse_range(call.request.headers.get("Range"), len(data))
    body = b"" if call.request.method == "HEAD" else wanted.body(data)
    response = HttpResponse(body, status=wanted.status, content_type=audio.CONTENT_TYPE)
    for name, value in wanted.headers().items():
        response[name] = value
    return response
