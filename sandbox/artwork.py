"""Stand-in artwork, so that covers and pictures show with no way to 7digital's CDN.

The catalogue's image URLs name ``SANDBOX_ARTWORK_URL`` (7digital's CDN by default, as
the real API's do). ``make run`` points it at the sandbox itself, which answers the
CDN's paths (``/static/img/<kind>/00/000/010/0000001046_<size>.jpg``) with an SVG
drawn from the item: the same picture at every size, a different one per item.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

KINDS = ("sleeveart", "artistimages")
# A week, as a CDN would: the picture of an item never changes.
CACHE_SECONDS = 7 * 24 * 3600


def placeholder_svg(kind: str, item_id: int) -> str:
    """A square in two colours and a disc, all derived from the item."""
    digest = hashlib.sha256(f"{kind}:{item_id}".encode()).digest()
    light = "#{:02x}{:02x}{:02x}".format(*(64 + byte // 2 for byte in digest[:3]))
    dark = "#{:02x}{:02x}{:02x}".format(*(byte // 3 for byte in digest[3:6]))
    x, y, r = 40 + digest[6] % 220, 40 + digest[7] % 220, 40 + digest[8] % 80
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" '
        'viewBox="0 0 300 300">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{light}"/><stop offset="1" stop-color="{dark}"/>'
        '</linearGradient></defs><rect width="300" height="300" fill="url(#g)"/>'
        f'<circle cx="{x}" cy="{y}" r="{r}" fill="#fff" fill-opacity=".2"/></svg>'
    )


@require_safe
def image(request: HttpRequest, kind: str, item_id: str, size: str) -> HttpResponse:
    """``/static/img/<kind>/../<id>_<size>.jpg``: 404 for a kind the CDN does not have."""
    if kind not in KINDS:
        return HttpResponse("No such artwork", status=404, content_type="text/plain")
    response = HttpResponse(placeholder_svg(kind, int(item_id)), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
