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

from django import forms
from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
)
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.selectors import partner_user_id_of
from integrations.country import visitor_country
from integrations.proxy import relay
from integrations.sevendigital import get_client, is_transient
from sevendigital import errors
from store.catalogue import selectors as catalogue
from store.player import access as access_rules
from store.player import limits, stream_plays, streams, tally
from store.player.streams import Refusal, Source
from store.player.views import starts_playback
from store.playlogs.models import SubscriptionPlay

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
    Refusal.TOO_MANY: 429,
    Refusal.UNAVAILABLE: 503,
}


def _refused(refusal: Refusal, *, retry_after: int | None = None) -> HttpResponse:
    response = JsonResponse(
        {"error": streams.WORDS[refusal], "reason": refusal.value}, status=STATUS[refusal]
    )
    response["X-Stream-Refusal"] = refusal.value
    response["Cache-Control"] = "private, no-store"
    if refusal is Refusal.UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def starts_stream(request: HttpRequest) -> bool:
    """A GET from the first byte: a stream begins (a seek or a HEAD does not)."""
    if request.method != "GET":
        return False
    wanted = request.headers.get("Range", "").replace(" ", "")
    return not wanted or wanted.startswith("bytes=0-")


def _format(request: HttpRequest) -> int:
    """AAC 160 (56), or AAC 64 (55) for ``quality=data-saver``."""
    saver = request.GET.get("quality", request.POST.get("quality")) == "data-saver"
    return streams.FORMAT_DATA_SAVER if saver else streams.FORMAT_STANDARD


def _decide(request: HttpRequest, track_id: int, country: str):
    """(the track, where it may be streamed from) or a refusal response."""
    try:
        track = catalogue.track_get(track_id=track_id, country=country)
    except errors.NotFound:
        return None, _refused(Refusal.NOT_HERE)
    except errors.SevenDigitalError as exc:
        logger.warning("Track %s unreadable for streaming: %r", track_id, exc)
        return None, _refused(Refusal.UNAVAILABLE)
    decision = streams.stream_decide(user=request.user, track=track, now=timezone.now())
    if decision.source is None:
        return None, _refused(decision.refusal)
    return (track, decision), None


def upstream_open(client, media, request: HttpRequest):
    """7digital's answer to ``media`` for this request: its Range passed on, a HEAD sent
    as a HEAD (no audio fetched for nothing), signed afresh. Raises SevenDigitalError."""
    return client.media.open(
        media,
        range=request.headers.get("Range"),
        method="HEAD" if request.method == "HEAD" else "GET",
    )


def _reason_of_refused_head(client, media, refused: errors.SevenDigitalError):
    """A refused HEAD has no body, so no 7digital code: "playing on another device"
    (3201) and "not owned" (2002) are both a bare 403. Ask again for one byte, which a
    refused device is refused too, with the code; the first error if that fails."""
    try:
        client.media.open(media, range="bytes=0-0").close()
    except errors.SevenDigitalError as coded:
        return coded if coded.code is not None else refused
    return refused


@require_safe
def stream(request: HttpRequest, track_id: int) -> HttpResponse:
    country = visitor_country(request)
    decided, refused = _decide(request, track_id, country)
    if refused is not None:
        return refused
    _track, decision = decided
    partner_id = partner_user_id_of(user=request.user)
    if partner_id is None:  # the 7digital user is still being made
        return _refused(Refusal.UNAVAILABLE)
    if starts_stream(request):
        wait = limits.rate_hit(
            scope="stream-user",
            key=str(request.user.pk),
            limit=settings.STREAM_STARTS_PER_USER_PER_MINUTE,
            now=timezone.now(),
        )
        if wait:
            return _refused(Refusal.TOO_MANY, retry_after=wait)

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
        upstream = upstream_open(client, media, request)
    except errors.SevenDigitalError as exc:
        if request.method == "HEAD" and exc.code is None and not is_transient(exc):
            exc = _reason_of_refused_head(client, media, exc)
        refusal = streams.refusal_of(exc, source=decision.source)
        log = logger.warning if refusal is Refusal.UNAVAILABLE else logger.info
        log("Stream of track %s refused (%s): %r", track_id, refusal, exc)
        response = _refused(refusal)
    else:
        response = relay(request, upstream, passed_headers=PASSED_HEADERS)
        response["Content-Disposition"] = "inline"  # listened to, never offered as a file
        response["X-Stream-Source"] = decision.source.value
        if request.method != "HEAD" and starts_playback(upstream):
            tally.streams.count(source=decision.source.value)  # for the reconciliation
            if decision.source is Source.SUBSCRIPTION:
                # One play of it may now be reported from this device (stream_plays).
                stream_plays.stream_received(device_id=device, track_id=track_id)
    if new_device:
        streams.device_cookie_set(
            response, device, secure=getattr(settings, "SESSION_COOKIE_SECURE", False)
        )
    return response


@require_safe
def access(request: HttpRequest) -> HttpResponse:
    """This customer's badge for each play button a page lists (:mod:`store.player.access`):
    ``?t=TRACK:RELEASE:STREAMING`` repeated, answered ``{"tracks": {id: badge}, "words":
    {badge: [text, meaning]}}``, private and never stored."""
    if not request.user.is_authenticated:
        response = JsonResponse({"error": "Sign in to see what you may play."}, status=403)
    else:
        try:
            items = access_rules.items_parse(request.GET.getlist("t"))
        except ValueError as exc:
            response = JsonResponse({"error": f"Not a list of play buttons: {exc}."}, status=400)
        else:
            badges = access_rules.badges_of(user=request.user, items=items, now=timezone.now())
            response = JsonResponse(
                {
                    "tracks": {str(track): badge.value for track, badge in badges.items()},
                    "words": {badge.value: words for badge, words in access_rules.WORDS.items()},
                }
            )
    response["Cache-Control"] = "private, no-store"
    return response


# -- plays -------------------------------------------------------------------------


class ReportForm(forms.Form):
    seconds = forms.FloatField(min_value=0, max_value=24 * 3600)


@require_POST
def stream_play_start(request: HttpRequest, track_id: int) -> HttpResponse:
    """The player started a whole track it was streamed: a subscription stream becomes
    a play for 7digital (201 with its id); a locker stream is never logged (204)."""
    country = visitor_country(request)
    decided, refused = _decide(request, track_id, country)
    if refused is not None:
        return refused
    track, decision = decided
    if decision.source is Source.LOCKER:
        return HttpResponse(status=204)
    partner_id = partner_user_id_of(user=request.user)
    if partner_id is None:
        return _refused(Refusal.UNAVAILABLE)
    try:
        play = stream_plays.stream_play_start(
            user=request.user,
            device_id=streams.device_id_read(request),
            partner_user_id=partner_id,
            track_id=track_id,
            release_id=track.release.id if track.release else 0,
            track_seconds=track.duration,
            format_id=_format(request),
            country=country,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except stream_plays.StreamPlayRefused:
        response = JsonResponse(
            {"error": "No stream of this track was played here.", "reason": "no-stream"},
            status=403,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return JsonResponse({"play": play.pk}, status=201)


@require_POST
def stream_play_report(request: HttpRequest, play_id: int) -> HttpResponse:
    """The seconds heard so far of one of this customer's plays."""
    if not request.user.is_authenticated:
        return HttpResponseNotFound("No such play")
    form = ReportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("seconds must be a number of seconds played")
    try:
        stream_plays.stream_play_report(
            play_id=play_id, user=request.user, seconds=form.cleaned_data["seconds"]
        )
    except SubscriptionPlay.DoesNotExist:
        return HttpResponseNotFound("No such play")
    return HttpResponse(status=204)
