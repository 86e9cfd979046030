"""The control API under /_sandbox/: health, reset, seed, faults, journal, limits,
subscriptions, streams, offline devices and received play logs (JSON).

Tests and developers drive the sandbox through it. When SANDBOX_CONTROL_TOKEN is set,
every call must carry it in the X-Sandbox-Token header.

Any web page open in a browser while the sandbox runs could otherwise reset or fault it:
a page may send a cross-site POST without asking first (a "simple" request) only with a
form-encoded, multipart or text/plain body, or with no body at all, and the browser then
names the page in ``Origin`` (and ``Sec-Fetch-Site: cross-site``). So every call is
refused with 403 when ``Origin`` is not the sandbox's own origin (the address the
request was sent to, or SANDBOX_PUBLIC_URL) or ``Sec-Fetch-Site`` says cross-site, and a
POST, PUT, PATCH or DELETE with a body, or with a Content-Type, is refused with 415
unless that Content-Type is application/json. A call without a body and without a
Content-Type (``curl -X POST``, ``requests.post(url)``) passes: a browser sends one
only with an ``Origin``, which the first rule judges. A JSON body makes a cross-site
browser ask first (a CORS preflight), and the sandbox grants no preflight.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .backends.catalogue import catalogue_backend
from .backends.offline import offline_backend
from .backends.playlogs import playlogs_backend
from .backends.streams import streams_backend
from .backends.subscriptions import subscriptions_backend
from .backends.users import users_backend
from .models import OfflineDevice, ReceivedPlayLog, Stream, Subscription
from .serializer import iso
from .state import state

PLAY_LOG_PAGE = 100
PLAY_LOG_PAGE_MAX = 10_000
# The control API grants only these; PUT /_sandbox/subscriptions/<user> sets any status.
GRANT_STATUSES = ("active", "cancelled")


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> str | None:
    """``scheme://host[:port]`` in one spelling (lower case, no default port), or None."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def _own_origins(request: HttpRequest) -> set[str]:
    """The origins a page served by the sandbox itself would send: the address this
    request was sent to, and the public address a proxy in front serves it at."""
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    candidates = [_origin(request.scheme, host)]
    if settings.SANDBOX_PUBLIC_URL:
        public = urlsplit(settings.SANDBOX_PUBLIC_URL)
        candidates.append(_origin(public.scheme, public.netloc))
    return {origin for origin in candidates if origin}


def _cross_site_refusal(request: HttpRequest) -> JsonResponse | None:
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return JsonResponse(
            {"error": "the control API refuses cross-site requests (Sec-Fetch-Site)"},
            status=403,
        )
    sent = request.headers.get("Origin")
    if sent is not None:
        origin = _origin(*sent.split("://", 1)) if "://" in sent else None
        if origin is None or origin not in _own_origins(request):
            return JsonResponse(
                {"error": f"the control API refuses requests from another origin ({sent})"},
                status=403,
            )
    return None


def _media_type(request: HttpRequest) -> str:
    return (request.META.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()


def _non_json_refusal(request: HttpRequest) -> JsonResponse | None:
    """A form or text body, even an empty one, is what a cross-site page can send
    without a preflight; only JSON, or nothing at all, gets through."""
    if request.method not in BODY_METHODS:
        return None
    media_type = _media_type(request)
    if media_type == "application/json" or (not media_type and not request.body):
        return None
    return JsonResponse(
        {
            "error": "the control API takes JSON: send Content-Type: application/json "
            f"(or no body and no Content-Type), not {media_type or 'a body without one'}"
        },
        status=415,
    )


def _guarded(view):
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        token = settings.SANDBOX_CONTROL_TOKEN
        sent = request.headers.get("X-Sandbox-Token", "")
        if token and not hmac.compare_digest(token, sent):
            return JsonResponse({"error": "X-Sandbox-Token missing or wrong"}, status=403)
        refusal = _cross_site_refusal(request) or _non_json_refusal(request)
        if refusal is not None:
            return refusal
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
    return {**catalogue_backend.counts(), "partner_users": users_backend.count()}


@_guarded
@require_http_methods(["GET"])
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "catalogue": counts()})


@_guarded
@require_http_methods(["POST"])
def reset(request: HttpRequest) -> JsonResponse:
    """Back to the seeded state: partner users, their subscriptions, streams and offline
    devices, received play logs and in-memory state (journal, faults, rate limits)
    forgotten."""
    playlogs_backend.reset()
    streams_backend.reset()
    offline_backend.reset()
    subscriptions_backend.reset()
    users_backend.reset()
    state.reset()
    return JsonResponse({"status": "reset", "catalogue": counts()})


@_guarded
@require_http_methods(["POST"])
def seed(request: HttpRequest) -> JsonResponse:
    try:
        options = _json_body(request)
        tracks = int(options.get("tracks", settings.SANDBOX_SEED_TRACKS))
        seed_value = int(options.get("seed", 7))
    except (TypeError, ValueError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not 0 < tracks <= 1_000_000:
        return JsonResponse({"error": "tracks must be between 1 and 1,000,000"}, status=400)
    stats = catalogue_backend.reseed(tracks=tracks, seed_value=seed_value)
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
    found = users_backend.users(consumer_key=request.GET.get("consumer_key"))
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
@require_http_methods(["GET"])
def sales(request: HttpRequest) -> JsonResponse:
    """The sales reported with ``user/deliveritem``, oldest first (``?user_id=`` narrows),
    and how many ``transactionId`` values were sold more than once (7digital takes a
    repeat as another sale, so a partner that reports twice is paid for twice)."""
    found, repeated = users_backend.sales(user_id=request.GET.get("user_id"))
    return JsonResponse(
        {
            "count": found.count(),
            "repeated_transactions": repeated,
            "sales": [
                {
                    "id": sale.pk,
                    "consumer_key": sale.user.consumer_key,
                    "user_id": sale.user.user_id,
                    "transaction_id": sale.transaction_id,
                    "release_id": sale.release_id,
                    "track_id": sale.track_id,
                    "package_id": sale.package_id,
                    "retail_price": str(sale.retail_price),
                    "currency": sale.currency,
                    "refunded": sale.refunded_at is not None,
                }
                for sale in found
            ],
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
    if not catalogue_backend.take_down(release_id=release_id, taken_down=taken_down):
        return JsonResponse({"error": f"no release {release_id}"}, status=404)
    return JsonResponse({"release": release_id, "taken_down": taken_down})


@_guarded
@require_http_methods(["GET", "POST"])
def limits(request: HttpRequest) -> JsonResponse:
    """The play-log rate limit per consumer key: ``POST {"log_requests_per_second": 5}``
    (0: unlimited; null: back to SANDBOX_LOG_RATE_LIMIT, as a reset does)."""
    if request.method == "POST":
        try:
            options = _json_body(request)
        except ValueError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        unknown = set(options) - {"log_requests_per_second"}
        if unknown:
            return JsonResponse(
                {"error": f"unknown limits: {', '.join(sorted(unknown))}"}, status=400
            )
        if "log_requests_per_second" in options:
            value = options["log_requests_per_second"]
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                return JsonResponse(
                    {
                        "error": "log_requests_per_second must be a whole number, 0 or more "
                        "(0: unlimited), or null for the setting"
                    },
                    status=400,
                )
            playlogs_backend.set_rate_limit(value)
    return JsonResponse({"log_requests_per_second": playlogs_backend.rate_limit()})


def _default_consumer_key() -> str:
    """The storefront's own key when the sandbox accepts it, else the first it accepts."""
    if settings.SEVENDIGITAL_CONSUMER_KEY in settings.SANDBOX_CONSUMERS:
        return settings.SEVENDIGITAL_CONSUMER_KEY
    return next(iter(settings.SANDBOX_CONSUMERS))


def _grant_json(subscription: Subscription) -> dict:
    """The grant's answer, as play logging's tests know it: when the subscription started
    (its period start) and, unless active, when it ended (its expiry date)."""
    ended = None if subscription.status == Subscription.Status.ACTIVE else subscription.expiry_date
    return {
        "consumer_key": subscription.user.consumer_key,
        "user_id": subscription.user.user_id,
        "status": subscription.status,
        "started_at": subscription.current_period_start.isoformat(),
        "ended_at": ended.isoformat() if ended else None,
    }


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def _subscription_json(subscription: Subscription) -> dict:
    """Every field of a subscription, named as ``user/unlimitedStreaming`` names them,
    with the access it gives at the sandbox's time."""
    return {
        "consumer_key": subscription.user.consumer_key,
        "user_id": subscription.user.user_id,
        "planCode": subscription.plan_code,
        "level": subscription.level,
        "status": subscription.status,
        "currency": subscription.currency,
        "recurringFee": subscription.recurring_fee,
        "postcode": subscription.postcode,
        "country": subscription.country,
        "shopId": subscription.shop_id,
        "activatedAt": _when(subscription.activated_at),
        "currentPeriodStartDate": _when(subscription.current_period_start),
        "trialEndsAt": _when(subscription.trial_ends_at),
        "expiryDate": _when(subscription.expiry_date),
        "updatedAt": _when(subscription.updated_at),
        "access": subscriptions_backend.has_access(subscription.user),
    }


def _consumer_key(given) -> str:
    consumer_key = given or _default_consumer_key()
    if not isinstance(consumer_key, str) or consumer_key not in settings.SANDBOX_CONSUMERS:
        raise ValueError(f"consumer_key {consumer_key!r} is not one the sandbox accepts")
    return consumer_key


def _subscription_options(request: HttpRequest) -> tuple[str, str, str]:
    options = _json_body(request)
    unknown = set(options) - {"user_id", "consumer_key", "status"}
    if unknown:
        raise ValueError(f"unknown subscription options: {', '.join(sorted(unknown))}")
    user_id = options.get("user_id")
    if not isinstance(user_id, str) or not 0 < len(user_id) <= 255:
        raise ValueError("user_id must be text of 1 to 255 characters")
    consumer_key = _consumer_key(options.get("consumer_key"))
    status = options.get("status", Subscription.Status.ACTIVE)
    if status not in GRANT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(GRANT_STATUSES)}")
    return consumer_key, user_id, status


@_guarded
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> JsonResponse:
    """``POST {"user_id": "u1", "consumer_key": "...", "status": "active"|"cancelled"}``
    grants (or changes) a subscription, creating the partner user if needed: a premium
    month from now, or ended now when cancelled. ``GET`` lists every field of every
    subscription, oldest first (``?consumer_key=`` and ``?user_id=`` narrow)."""
    if request.method == "POST":
        try:
            consumer_key, user_id, status = _subscription_options(request)
        except ValueError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        subscription, created = subscriptions_backend.grant(
            consumer_key=consumer_key, user_id=user_id, status=status
        )
        return JsonResponse(
            {"subscription": _grant_json(subscription)}, status=201 if created else 200
        )
    found = subscriptions_backend.subscriptions(
        consumer_key=request.GET.get("consumer_key"), user_id=request.GET.get("user_id")
    )
    return JsonResponse({"subscriptions": [_subscription_json(s) for s in found]})


# The fields ``PUT /_sandbox/subscriptions/<user>`` sets, by their API names.
SUBSCRIPTION_TEXT_FIELDS = {"currency": "currency", "postcode": "postcode", "country": "country"}
SUBSCRIPTION_TIME_FIELDS = {
    "activatedAt": "activated_at",
    "currentPeriodStartDate": "current_period_start",
    "trialEndsAt": "trial_ends_at",
    "expiryDate": "expiry_date",
}


def _subscription_fields(options: dict) -> dict:
    """Model fields from a direct set's JSON; only shapes are checked, never 7digital's
    rules (the point is to store what the API would refuse)."""
    fields: dict = {}
    for name, value in options.items():
        if name == "planCode":
            if value not in Subscription.Plan.values:
                raise ValueError(f"planCode must be one of {', '.join(Subscription.Plan.values)}")
            fields["plan_code"] = value
        elif name == "status":
            if value not in Subscription.Status.values:
                raise ValueError(f"status must be one of {', '.join(Subscription.Status.values)}")
            fields["status"] = value
        elif name == "recurringFee":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("recurringFee must be a whole number (minor units)")
            fields["recurring_fee"] = value
        elif name == "shopId":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError("shopId must be a whole number or null")
            fields["shop_id"] = value
        elif name in SUBSCRIPTION_TEXT_FIELDS:
            limit = Subscription._meta.get_field(SUBSCRIPTION_TEXT_FIELDS[name]).max_length
            if not isinstance(value, str) or len(value) > limit:
                raise ValueError(f"{name} must be text of at most {limit} characters")
            fields[SUBSCRIPTION_TEXT_FIELDS[name]] = value
        elif name in SUBSCRIPTION_TIME_FIELDS:
            if value is None and name == "trialEndsAt":
                fields["trial_ends_at"] = None
                continue
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise ValueError(
                    f"{name} must be an ISO 8601 time with its offset, such as 2026-12-05T10:00:00Z"
                )
            fields[SUBSCRIPTION_TIME_FIELDS[name]] = moment
        else:
            raise ValueError(f"unknown subscription fields: {name}")
    return fields


@_guarded
@require_http_methods(["GET", "PUT", "POST"])
def subscription(request: HttpRequest, user_id: str) -> JsonResponse:
    """One partner user's subscription (``?consumer_key=``, default the storefront's).
    ``PUT`` (or ``POST``) ``{"status": "expired", "expiryDate": "..."}`` sets any fields
    directly, bypassing 7digital's rules, to simulate drift; the user and a subscription
    with the grant's defaults are created if needed. Fields are named as the API names
    them (planCode, status, currency, recurringFee, postcode, country, shopId, activatedAt,
    currentPeriodStartDate, trialEndsAt, expiryDate)."""
    try:
        consumer_key = _consumer_key(request.GET.get("consumer_key"))
        if request.method == "GET":
            found = subscriptions_backend.subscriptions(consumer_key=consumer_key, user_id=user_id)
            existing = found.first()
            if existing is None:
                return JsonResponse({"error": f"no subscription for {user_id}"}, status=404)
            return JsonResponse({"subscription": _subscription_json(existing)})
        options = _json_body(request)
        consumer_key = _consumer_key(options.pop("consumer_key", None) or consumer_key)
        fields = _subscription_fields(options)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not 0 < len(user_id) <= 255:
        return JsonResponse({"error": "user_id must be text of 1 to 255 characters"}, status=400)
    stored, created = subscriptions_backend.set(
        consumer_key=consumer_key, user_id=user_id, fields=fields
    )
    stored.refresh_from_db()
    return JsonResponse(
        {"subscription": _subscription_json(stored)}, status=201 if created else 200
    )


def _stream_json(stream: Stream, status: str) -> dict:
    return {
        "consumer_key": stream.consumer_key,
        "user_id": stream.user_id,
        "client_id": stream.client_id or None,
        "kind": stream.kind,
        "state": status,
        "track_id": stream.track_id,
        "format_id": stream.format_id,
        "country": stream.country,
        "track_seconds": stream.track_seconds,
        "started_at": _when(stream.started_at),
        "last_request_at": _when(stream.last_request_at),
        "requests": stream.requests,
        "superseded_at": _when(stream.superseded_at),
        "blocked_until": _when(stream.blocked_until),
    }


@_guarded
@require_http_methods(["GET"])
def streams(request: HttpRequest) -> JsonResponse:
    """Full-track streams per user and device (``clientId``; null without one), at the
    sandbox's time: ``state`` is ``playing``, ``finishing`` (another device started: this
    one may end its current track), ``blocked`` (refused with 3201 until
    ``blocked_until``) or ``ended``. Only those not ended, unless ``?all=true``;
    ``?consumer_key=`` and ``?user_id=`` narrow."""
    found = streams_backend.streams(
        consumer_key=request.GET.get("consumer_key"),
        user_id=request.GET.get("user_id"),
        everything=request.GET.get("all", "").lower() in ("1", "true", "yes"),
    )
    return JsonResponse(
        {
            "block_seconds": settings.SANDBOX_STREAM_BLOCK_SECONDS,
            "streams": [_stream_json(stream, status) for stream, status in found],
        }
    )


def _device_json(device: OfflineDevice) -> dict:
    return {
        "consumer_key": device.user.consumer_key,
        "user_id": device.user.user_id,
        "clientId": device.client_id,
        "enabled": device.enabled,
        "registeredAt": iso(device.registered_at),
        "updatedAt": iso(device.updated_at),
    }


@_guarded
@require_http_methods(["GET"])
def offline(request: HttpRequest) -> JsonResponse:
    """The devices ever registered for offline play, enabled or not, oldest first
    (``?consumer_key=`` and ``?user_id=`` narrow), and the limit of enabled devices a
    user may have (SANDBOX_OFFLINE_DEVICE_LIMIT)."""
    found = offline_backend.devices(
        consumer_key=request.GET.get("consumer_key"), user_id=request.GET.get("user_id")
    )
    return JsonResponse(
        {
            "device_limit": settings.SANDBOX_OFFLINE_DEVICE_LIMIT,
            "devices": [_device_json(device) for device in found],
        }
    )


def _play_log_json(log: ReceivedPlayLog) -> dict:
    return {
        "id": log.id,
        "kind": log.kind,
        "consumer_key": log.consumer_key,
        "user_id": log.user_id,
        "track_id": log.track_id,
        "release_id": log.release_id,
        "format_id": log.format_id,
        "played_at": log.played_at_text,
        "seconds_played": log.seconds_played,
        "country": log.country,
        "request_country": log.request_country,
        "user_agent": log.user_agent,
        "play_mode": log.play_mode,
        "end_reason": log.end_reason,
        "request_id": str(log.request_id),
        "received_at": log.received_at.isoformat(),
    }


def _whole_number(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        value = -1
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be a whole number from 0 to {maximum}")
    return value


@_guarded
@require_http_methods(["GET", "DELETE"])
def playlogs(request: HttpRequest) -> JsonResponse:
    """The play logs the sandbox accepted, oldest first: ``?kind=preview&since=<id>&limit=n``
    with counts over every matching log (a duplicate repeats a play already logged)."""
    if request.method == "DELETE":
        return JsonResponse({"deleted": playlogs_backend.delete_all()})
    kind = request.GET.get("kind")
    try:
        if kind is not None and kind not in ReceivedPlayLog.Kind.values:
            raise ValueError(f"kind must be one of {', '.join(ReceivedPlayLog.Kind.values)}")
        since = _whole_number(request, "since", 0, 2**63 - 1)
        limit = _whole_number(request, "limit", PLAY_LOG_PAGE, PLAY_LOG_PAGE_MAX)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    count, distinct, logs = playlogs_backend.received(kind=kind, since=since, limit=limit)
    return JsonResponse(
        {
            "count": count,
            "distinct": distinct,
            "duplicates": count - distinct,
            "logs": [_play_log_json(log) for log in logs],
        }
    )


@_guarded
@require_http_methods(["GET"])
def playlogs_summary(request: HttpRequest) -> JsonResponse:
    """Per kind: logs, distinct plays, duplicates and the requests that brought them."""
    return JsonResponse(playlogs_backend.summary())
