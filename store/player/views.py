"""The preview proxy and the endpoints the player reports plays to.

``/previews/<trackId>`` fetches the 7digital clip server-side, signed with the consumer
secret, and streams its bytes to the browser as they arrive: the signed URL and the
secret never leave the server, and ``Range`` passes through both ways so seeking works.

A clip served from its start is noted against the visitor's session (a random id kept
in it, made then if need be: the audio element's request carries the session cookie
like any same-origin request, and its response sets it). The player may report a play
only of a clip so noted, at a human pace (:mod:`store.player.limits`); a refusal is a
403 or a 429 with ``Retry-After``, and the player then simply reports nothing.
"""

from __future__ import annotations

import ipaddress
import logging

import requests
from django import forms
from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
)
from django.views.decorators.http import require_POST, require_safe

from integrations.country import visitor_country
from integrations.proxy import relay
from integrations.sevendigital import get_client
from sevendigital import errors
from store.player import services
from store.player.tally import refusals, tally
from store.playlogs.models import PreviewPlay, RefusalReason

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges")
ANONYMOUS_ID_SESSION_KEY = "preview_anonymous_id"


# -- the proxy -------------------------------------------------------------------


def _unavailable(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def starts_playback(upstream: requests.Response) -> bool:
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
        # A HEAD goes upstream as a HEAD: headers only, no clip fetched for nothing.
        upstream = client.media.open(
            client.media.clip(track_id, country=country),
            range=request.headers.get("Range"),
            method="HEAD" if request.method == "HEAD" else "GET",
        )
    except errors.NotFound:
        return _unavailable("Preview not available", 404)
    except errors.SevenDigitalError as exc:
        logger.warning("Preview of track %s unavailable: %r", track_id, exc)
        response = _unavailable("Previews are unavailable at the moment", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    response = relay(request, upstream, passed_headers=PASSED_HEADERS)
    if request.method != "HEAD" and starts_playback(upstream):
        tally.count(country=country)  # written in batches, off the request
        _clip_received(request, track_id)
    return response


def _clip_received(request: HttpRequest, track_id: int) -> None:
    listener = _anonymous_id(request, create=True)
    try:
        services.preview_clip_receive(listener=listener, track_id=track_id)
    except Exception:
        # Whatever the cache raises, the clip still plays; its play will be refused (it
        # was never noted): under-reporting while the cache is away, not silence.
        logger.warning("Could not note the preview of track %s as served", track_id, exc_info=True)


# -- plays -----------------------------------------------------------------------


class StopForm(forms.Form):
    # Finite and not negative; more than a clip's length, or than the time elapsed since
    # the play started, is clamped by the service.
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


def client_address(request: HttpRequest) -> str:
    """The visitor's address, as allauth's rate limits take it: the proxies in front of
    the site (``ALLAUTH_TRUSTED_PROXY_COUNT`` of them) append to ``X-Forwarded-For``, so
    the entry that many from the right is the one the first proxy saw; entries further
    left are the client's to invent. An IPv6 address stands for its /64, which one
    household or phone holds whole."""
    address = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    if trusted > 0 and len(forwarded) >= trusted and forwarded[-trusted]:
        address = forwarded[-trusted]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


REFUSALS = {
    RefusalReason.NO_CLIP: (403, "No preview of this track was played here"),
    RefusalReason.LISTENER_LIMIT: (429, "Too many previews started: try again shortly"),
    RefusalReason.ADDRESS_LIMIT: (429, "Too many previews started: try again shortly"),
}


def _refused(refused: services.PlayRefused) -> HttpResponse:
    status, message = REFUSALS[refused.reason]
    response = JsonResponse({"error": message, "reason": refused.reason.value}, status=status)
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def play_start(request: HttpRequest, track_id: int) -> HttpResponse:
    try:
        play = services.preview_play_start(
            track_id=track_id,
            user=_user(request),
            anonymous_id=_anonymous_id(request, create=False),
            address=client_address(request),
            country=visitor_country(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except services.PlayRefused as refused:
        refusals.count(reason=refused.reason)  # for the staff dashboard, in batches
        return _refused(refused)
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
