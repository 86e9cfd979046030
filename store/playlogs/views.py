"""The preview proxy and the endpoints the player reports plays to.

``/previews/<trackId>`` fetches the 7digital clip server-side, signed with the consumer
secret, and streams its bytes to the browser as they arrive: the signed URL and the
secret never leave the server, and ``Range`` passes through both ways so seeking works.
"""

from __future__ import annotations

import logging

import requests
from django import forms
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
)
from django.views.decorators.http import require_POST, require_safe

from sevendigital import errors
from store.catalogue.country import visitor_country
from store.integrations.proxy import relay
from store.integrations.sevendigital import get_client
from store.playlogs import services
from store.playlogs.models import PreviewPlay
from store.playlogs.tally import tally

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges")
ANONYMOUS_ID_SESSION_KEY = "preview_anonymous_id"


# -- the proxy -------------------------------------------------------------------


def _unavailable(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def _starts_playback(upstream: requests.Response) -> bool:
    if upstream.status_code == 200:
        return True
    return upstream.status_code == 206 and upstream.headers.get("Content-Range", "").startswith(
        "bytes 0-"
    )


@require_safe
def preview(request: HttpRequest, track_id: int) -> HttpResponse:
    client = get_client()
    country = visitor_country(request)
    try:
        upstream = client.media.open(
            client.media.clip(track_id, country=country), range=request.headers.get("Range")
        )
    except errors.NotFound:
        return _unavailable("Preview not available", 404)
    except errors.SevenDigitalError as exc:
        logger.warning("Preview of track %s unavailable: %r", track_id, exc)
        response = _unavailable("Previews are unavailable at the moment", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    response = relay(request, upstream, passed_headers=PASSED_HEADERS)
    if request.method != "HEAD" and _starts_playback(upstream):
        tally.count(country=country)  # written in batches, off the request
    return response


# -- plays -----------------------------------------------------------------------


class StopForm(forms.Form):
    # Finite and not negative; more than a clip's length is clamped by the service.
    seconds = forms.FloatField(min_value=0)


def _anonymous_id(request: HttpRequest, *, create: bool) -> str | None:
    anonymous_id = request.session.get(ANONYMOUS_ID_SESSION_KEY)
    if anonymous_id is None and create:
        anonymous_id = request.session[ANONYMOUS_ID_SESSION_KEY] = (
            services.preview_anonymous_id_new()
        )
    return anonymous_id


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


@require_POST
def play_start(request: HttpRequest, track_id: int) -> HttpResponse:
    play = services.preview_play_start(
        track_id=track_id,
        user=_user(request),
        anonymous_id=_anonymous_id(request, create=True),
        country=visitor_country(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return JsonResponse({"play": str(play.pk)}, status=201)


@require_POST
def play_stop(request: HttpRequest, play_id) -> HttpResponse:
    form = StopForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("seconds must be a number of seconds played")
    try:
        services.preview_play_stop(
            play_id=play_id,
            user=_user(request),
            anonymous_id=_anonymous_id(request, create=False),
            seconds=form.cleaned_data["seconds"],
        )
    except PreviewPlay.DoesNotExist:
        return HttpResponseNotFound("No such play")
    return HttpResponse(status=204)
