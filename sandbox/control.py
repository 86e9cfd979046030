"""The control API under /_sandbox/: health, reset, seed, faults, journal (JSON).

Tests and developers drive the sandbox through it. When SANDBOX_CONTROL_TOKEN is set,
every call must carry it in the X-Sandbox-Token header.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Artist, PartnerUser, Release, Track
from .state import state


def _guarded(view):
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        token = settings.SANDBOX_CONTROL_TOKEN
        sent = request.headers.get("X-Sandbox-Token", "")
        if token and not hmac.compare_digest(token, sent):
            return JsonResponse({"error": "X-Sandbox-Token missing or wrong"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _json_body(request: HttpRequest) -> dict:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def counts() -> dict[str, int]:
    return {
        "artists": Artist.objects.count(),
        "releases": Release.objects.count(),
        "tracks": Track.objects.count(),
        "partner_users": PartnerUser.objects.count(),
    }


@_guarded
@require_http_methods(["GET"])
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "catalogue": counts()})


@_guarded
@require_http_methods(["POST"])
def reset(request: HttpRequest) -> JsonResponse:
    """Back to the seeded state: partner users and in-memory state forgotten."""
    PartnerUser.objects.all().delete()
    state.reset()
    return JsonResponse({"status": "reset", "catalogue": counts()})


@_guarded
@require_http_methods(["POST"])
def seed(request: HttpRequest) -> JsonResponse:
    from .seed import seed as run_seed

    try:
        options = _json_body(request)
        tracks = int(options.get("tracks", settings.SANDBOX_SEED_TRACKS))
        seed_value = int(options.get("seed", 7))
    except (TypeError, ValueError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not 0 < tracks <= 1_000_000:
        return JsonResponse({"error": "tracks must be between 1 and 1,000,000"}, status=400)
    stats = run_seed(tracks=tracks, seed=seed_value)
    state.reset()
    return JsonResponse({"status": "seeded", "stats": stats.as_dict()})


@_guarded
@require_http_methods(["GET", "POST", "DELETE"])
def faults(request: HttpRequest) -> JsonResponse:
    if request.method == "DELETE":
        state.clear_faults()
        return JsonResponse({"faults": []})
    if request.method == "POST":
        try:
            options = _json_body(request)
            allowed = {
                "kind",
                "endpoint",
                "method",
                "status",
                "code",
                "message",
                "latency_ms",
                "times",
                "probability",
                "seed",
            }
            unknown = set(options) - allowed
            if unknown:
                raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
            fault = state.add_fault(**options)
        except (TypeError, ValueError) as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({"fault": fault.to_dict()}, status=201)
    with state.lock:
        active = [f.to_dict() for f in state.faults]
    return JsonResponse({"faults": active})


@_guarded
@require_http_methods(["GET", "DELETE"])
def journal(request: HttpRequest) -> JsonResponse:
    if request.method == "DELETE":
        with state.lock:
            state.journal.clear()
        return JsonResponse({"entries": []})
    try:
        since = int(request.GET.get("since", 0))
    except ValueError:
        return JsonResponse({"error": "since must be a number"}, status=400)
    entries = state.entries(
        endpoint=request.GET.get("endpoint"), method=request.GET.get("method"), since=since
    )
    return JsonResponse({"entries": entries})


@_guarded
@require_http_methods(["GET"])
def users(request: HttpRequest) -> JsonResponse:
    """The partner users created so far, oldest first (``?consumer_key=`` narrows)."""
    found = PartnerUser.objects.order_by("created_at", "pk")
    if consumer_key := request.GET.get("consumer_key"):
        found = found.filter(consumer_key=consumer_key)
    return JsonResponse(
        {
            "users": [
                {
                    "consumer_key": user.consumer_key,
                    "user_id": user.user_id,
                    "country": user.country,
                    "created_at": user.created_at.isoformat(),
                }
                for user in found
            ]
        }
    )


@_guarded
@require_http_methods(["GET", "POST", "DELETE"])
def clock(request: HttpRequest) -> JsonResponse:
    """The sandbox's time: ``POST {"now": "2026-12-05T10:00:00Z"}`` stops it there (for
    refund periods and purchase dates); ``DELETE`` lets it run again."""
    if request.method == "POST":
        try:
            moment = datetime.fromisoformat(str(_json_body(request).get("now", "")))
            state.set_now(moment)
        except (ValueError, TypeError):
            return JsonResponse(
                {
                    "error": "now must be an ISO 8601 time with its offset, such as "
                    "2026-12-05T10:00:00Z"
                },
                status=400,
            )
    elif request.method == "DELETE":
        state.set_now(None)
    return JsonResponse({"now": state.now().isoformat(), "frozen": state.frozen_now is not None})


@_guarded
@require_http_methods(["POST"])
def release_takedown(request: HttpRequest, release_id: int) -> JsonResponse:
    """``POST {"taken_down": true}``: the release leaves the catalogue; lockers that hold it
    show it unavailable, without downloads. ``false`` brings it back."""
    try:
        taken_down = _json_body(request).get("taken_down", True)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not isinstance(taken_down, bool):
        return JsonResponse({"error": "taken_down must be true or false"}, status=400)
    if not Release.objects.filter(id=release_id).update(taken_down=taken_down):
        return JsonResponse({"error": f"no release {release_id}"}, status=404)
    return JsonResponse({"release": release_id, "taken_down": taken_down})
