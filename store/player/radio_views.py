"""``/radio/<tag>/``: the station's page, and the player's calls (store/player/radio.py
has the rules).

* ``POST /radio/<tag>/tune``: join the station; JSON of the track on air.
* ``POST /radio/<tag>/next`` (``seconds`` heard): the track ended, or a skip; JSON of the
  next track, or 429 with the words and ``Retry-After`` when no skip is left.
* ``GET|HEAD /radio/<tag>/stream``: the track on air, relayed from 7digital's
  ``stream/catalogue`` like whole tracks (signed afresh per request, Range and HEAD
  passed through, inline, never cached). The URL names no track.
* ``POST /radio/<tag>/report`` (``seconds`` heard): at a pause or as the page goes.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.selectors import partner_user_id_of
from integrations.country import visitor_country
from integrations.htmx import render_page
from integrations.proxy import relay
from integrations.sevendigital import get_client, is_transient
from sevendigital import errors
from store.catalogue import selectors as catalogue
from store.player import limits, radio, streams, tally
from store.player.stream_views import PASSED_HEADERS, starts_stream, upstream_open
from store.player.views import client_address, starts_playback

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
WORDS = {
    "nothing": "This station has nothing to play in your country at the moment.",
    "not-tuned": "The station has moved on: press play to tune in again.",
    "unavailable": "Radio is unavailable at the moment.",
    "not-on-radio": "This track cannot play on the radio here: press Skip for the next.",
    "too-many": "Too many tracks started: wait a moment.",
}


class SecondsForm(forms.Form):
    seconds = forms.FloatField(min_value=0, max_value=24 * 3600, required=False)


def _json_refusal(reason: str, status: int, *, words: str | None = None, wait: int = 0):
    response = JsonResponse({"error": words or WORDS[reason], "reason": reason}, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Stream-Refusal"] = reason
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _tag_or_none(tag: str, country: str):
    try:
        return catalogue.tag_get(tag_id=tag, country=country)
    except (catalogue.CatalogueNotFound, errors.NotFound):
        return None


def _on_air_json(tag: str, on_air: radio.OnAir) -> JsonResponse:
    stream_url = reverse("player:radio_stream", args=[tag])
    response = JsonResponse(
        {
            "track": {
                "id": on_air.track_id,
                "title": on_air.title,
                "artist": on_air.artist,
                "seconds": on_air.seconds,
            },
            "at": on_air.at,
            # The sequence makes each track's URL new, so the browser never reuses the
            # previous track's bytes; the server serves the track on air whatever it is.
            "src": f"{stream_url}?n={on_air.sequence}",
            "skipsLeft": on_air.skips_left,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _seconds(request: HttpRequest) -> float | None:
    form = SecondsForm(request.POST)
    if not form.is_valid():
        return None
    return form.cleaned_data["seconds"]


@require_safe
def station_page(request: HttpRequest, tag: str) -> HttpResponse:
    # An unknown tag or 7digital failing: the catalogue's own 404 and 503 pages
    # (store/catalogue/middleware.py).
    found = catalogue.tag_get(tag_id=tag.lower(), country=visitor_country(request))
    context = {
        "tag": found,
        "skips_per_hour": settings.RADIO_SKIPS_PER_HOUR,
        "skips_left": radio.skips_left(request.session, timezone.now()),
    }
    return render_page(request, "player/radio.html", context)


def _moved(request: HttpRequest, tag: str, move) -> HttpResponse:
    tag = tag.lower()
    country = visitor_country(request)
    try:
        if _tag_or_none(tag, country) is None:
            return _json_refusal("nothing", 404)
        on_air = move(tag=tag, country=country)
    except radio.SkipRefused as refused:
        minutes = max(round(refused.wait / 60), 1)
        words = (
            f"No skips left: {settings.RADIO_SKIPS_PER_HOUR} an hour, the radio's licence "
            f"allows. The next in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        return _json_refusal("no-skips", 429, words=words, wait=refused.wait)
    except radio.NothingToPlay as nothing:
        logger.info("Radio %s: %s", tag, nothing)
        return _json_refusal("nothing", 404)
    except (catalogue.CatalogueUnavailable, errors.SevenDigitalError) as exc:
        logger.warning("Radio %s unavailable: %r", tag, exc)
        return _json_refusal("unavailable", 503, wait=RETRY_AFTER_SECONDS)
    return _on_air_json(tag, on_air)


@require_POST
def tune(request: HttpRequest, tag: str) -> HttpResponse:
    return _moved(request, tag, lambda **where: radio.tune(request.session, **where))


@require_POST
def next_track(request: HttpRequest, tag: str) -> HttpResponse:
    seconds = _seconds(request)
    return _moved(
        request,
        tag,
        lambda **where: radio.move_on(request.session, seconds_heard=seconds, **where),
    )


@require_POST
def report(request: HttpRequest, tag: str) -> HttpResponse:
    seconds = _seconds(request)
    if seconds is None:
        return HttpResponseBadRequest("seconds must be a number of seconds played")
    radio.report(request.session, tag=tag.lower(), seconds_heard=seconds)
    return HttpResponse(status=204)


@require_safe
def stream(request: HttpRequest, tag: str) -> HttpResponse:
    tag = tag.lower()
    state = radio.station(request.session, tag)
    if state is None or not state.get("track"):
        return _json_refusal("not-tuned", 409)
    starts = starts_stream(request)
    if starts and not state.get("play"):
        key = str(request.user.pk) if request.user.is_authenticated else request.session.session_key
        wait = limits.rate_hit(
            scope="radio",
            key=key or "anonymous",
            limit=settings.STREAM_STARTS_PER_USER_PER_MINUTE,
            now=timezone.now(),
        )
        if not wait and not request.user.is_authenticated:
            wait = limits.rate_hit(
                scope="radio-address",
                key=client_address(request),
                limit=settings.RADIO_STARTS_PER_ADDRESS_PER_MINUTE,
                now=timezone.now(),
            )
        if wait:
            return _json_refusal("too-many", 429, wait=wait)
    country = visitor_country(request)
    device = streams.device_id_read(request)
    new_device = device is None
    device = device or streams.device_id_new()
    client = get_client()
    media = client.media.stream_catalogue(
        track_id=state["track"], format_id=streams.FORMAT_STANDARD, country=country
    )
    try:
        upstream = upstream_open(client, media, request)
    except errors.SevenDigitalError as exc:
        radio.stream_failed(request.session, tag=tag)
        if is_transient(exc):
            logger.warning("Radio stream of track %s failed: %r", state["track"], exc)
            request.session.save()  # the middleware saves no session with a 5xx
            response = _json_refusal("unavailable", 503, wait=RETRY_AFTER_SECONDS)
        else:  # 7digital will not stream this one on radio here (2001, 2002)
            logger.info("Radio stream of track %s refused: %r", state["track"], exc)
            response = _json_refusal("not-on-radio", 403)
    else:
        response = relay(request, upstream, passed_headers=PASSED_HEADERS)
        response["Content-Disposition"] = "inline"
        if request.method == "GET" and starts_playback(upstream):
            tally.streams.count(source="catalogue")  # for the reconciliation
            user = request.user if request.user.is_authenticated else None
            partner = partner_user_id_of(user=user) if user else None
            radio.stream_served(
                request.session,
                tag=tag,
                listener_id=radio.listener_of(partner, device),
                user=user,
                format_id=streams.FORMAT_STANDARD,
                country=country,
                user_agent=request.headers.get("User-Agent", ""),
            )
    if new_device:
        streams.device_cookie_set(
            response, device, secure=getattr(settings, "SESSION_COOKIE_SECURE", False)
        )
    return response
