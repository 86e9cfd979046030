"""``/stream/<trackId>``: whole tracks for owners and subscribers, relayed like previews.

The browser asks the shop; the shop decides the source (:mod:`store.player.streams`),
signs a fresh 7digital stream URL for this very request (each seek is a new request,
so a new signature and nonce), and passes the bytes, Range and HEAD through. The signed
URL never reaches the browser. Streams are served inline and never cached. A refusal
is JSON ``{"error": words, "reason": code}`` with the code also in ``X-Stream-Refusal``
(so a HEAD carries it): the player says why instead of retrying, above all for
"another-device" (7digital's 3201), which must never be retried by itself.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.selectors import partner_user_id_of
from integrations.country import visitor_country
from integrations.proxy import relay
from integrations.sevendigital import get_client
from sevendigital import errors
from store.catalogue import selectors as catalogue
from store.player import streams
from store.player.streams import Refusal, Source

logger = logging.getLogger(__name__)

PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges")
RETRY_AFTER_SECONDS = 30
STATUS = {
    Refusal.SIGN_IN: 403,
    Refusal.PREVIEW_ONLY: 403,
    Refusal.NOT_STREAMABLE: 403,
    Refusal.NOT_YET: 403,
    Refusal.LAPSED: 403,
    Refusal.NOT_HERE: 403,
    Refusal.OTHER_DEVICE: 409,
    Refusal.UNAVAILABLE: 503,
}


def _refused(refusal: Refusal) -> HttpResponse:
    response = JsonResponse(
        {"error": streams.WORDS[refusal], "reason": refusal.value}, status=STATUS[refusal]
    )
    response["X-Stream-Refusal"] = refusal.value
    response["Cache-Control"] = "private, no-store"
    if refusal is Refusal.UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _format(request: HttpRequest) -> int:
    """AAC 160 (56), or AAC 64 (55) for ``?quality=data-saver``."""
    saver = request.GET.get("quality") == "data-saver"
    return streams.FORMAT_DATA_SAVER if saver else streams.FORMAT_STANDARD


@require_safe
def stream(request: HttpRequest, track_id: int) -> HttpResponse:
    country = visitor_country(request)
    try:
        track = catalogue.track_get(track_id=track_id, country=country)
    except errors.NotFound:
        return _refused(Refusal.NOT_HERE)
    except errors.SevenDigitalError as exc:
        logger.warning("Track %s unreadable for streaming: %r", track_id, exc)
        return _refused(Refusal.UNAVAILABLE)
    decision = streams.stream_decide(user=request.user, track=track, now=timezone.now())
    if decision.source is None:
        return _refused(decision.refusal)
    partner_id = partner_user_id_of(user=request.user)
    if partner_id is None:  # the 7digital user is still being made
        return _refused(Refusal.UNAVAILABLE)

    device = streams.device_id_read(request)
    new_device = device is None
    device = device or streams.device_id_new()
    client = get_client()
    if decision.source is Source.LOCKER:
        media = client.media.stream_locker(
            partner_id, track_id=track_id, format_id=_format(request), country=country
        )
    else:
        media = client.media.stream_subscription(
            partner_id,
            track_id=track_id,
            format_id=_format(request),
            client_id=device,
            country=country,
        )
    try:
        upstream = client.media.open(
            media,
            range=request.headers.get("Range"),
            method="HEAD" if request.method == "HEAD" else "GET",
        )
    except errors.SevenDigitalError as exc:
        refusal = streams.refusal_of(exc, source=decision.source)
        log = logger.warning if refusal is Refusal.UNAVAILABLE else logger.info
        log("Stream of track %s refused (%s): %r", track_id, refusal, exc)
        response = _refused(refusal)
    else:
        response = relay(request, upstream, passed_headers=PASSED_HEADERS)
        response["Content-Disposition"] = "inline"  # listened to, never offered as a file
        response["X-Stream-Source"] = decision.source.value
    if new_device:
        streams.device_cookie_set(
            response, device, secure=getattr(settings, "SESSION_COOKIE_SECURE", False)
        )
    return response
