"""The one view behind every 7digital path: journal, faults, OAuth, dispatch, headers."""

from __future__ import annotations

import gzip
import time
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import exceptions, handlers  # noqa: F401 - importing handlers registers the routes
from .context import Call, Params
from .oauth import IncomingRequest, verify
from .routing import normalise, resolve
from .serializer import error_content, render, wants_json
from .state import state

JOURNAL_HEADERS = ("Accept", "Authorization", "Content-Type", "User-Agent", "Range")
JOURNAL_BODY_BYTES = 10_000  # the journal keeps this much of a body, and its full length
RESET_HEADER = "X-Sandbox-Reset"


def _pairs(request: HttpRequest) -> list[tuple[str, str]]:
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if "application/x-www-form-urlencoded" in request.content_type:
        pairs += parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return pairs


def received_url(request: HttpRequest) -> str:
    """The URL as the client addressed it. (build_absolute_uri would validate the Host
    against ALLOWED_HOSTS: an emulated 7digital host answers any name.)"""
    host = request.META.get("HTTP_HOST") or (
        f"{request.META.get('SERVER_NAME', 'localhost')}:{request.META.get('SERVER_PORT', '80')}"
    )
    query = request.META.get("QUERY_STRING", "")
    return f"{request.scheme}://{host}{request.path}" + (f"?{query}" if query else "")


def _body_text(request: HttpRequest) -> str:
    return request.body[:JOURNAL_BODY_BYTES].decode("utf-8", "replace")


def _xml_or_json(
    content: dict[str, Any] | None, wants: bool, *, status: int = 200, ok: bool = True
) -> HttpResponse:
    body = render(content, json_wanted=wants, status="ok" if ok else "error")
    kind = "application/json" if wants else "application/xml"
    return HttpResponse(body, status=status, content_type=f"{kind}; charset=utf-8")


def _apply_fault(fault, response: HttpResponse) -> HttpResponse:
    if fault.kind == "malformed":
        response = HttpResponse(
            b'<response status="ok" version="1.2"><oops', content_type=response["Content-Type"]
        )
    elif fault.kind == "truncated" and not isinstance(response, StreamingHttpResponse):
        response.content = response.content[: max(1, len(response.content) // 2)]
    elif fault.kind in ("reset", "processed_reset"):
        response[RESET_HEADER] = "1"
    return response


class _DroppedUnprocessed(Exception):
    """A reset fault: the connection goes before the handler runs."""


class _InjectedStatus(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@csrf_exempt
def api(request: HttpRequest, path: str = "") -> HttpResponse:
    started = time.monotonic()
    json_wanted = wants_json(request.headers.get("Accept"))
    try:  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused below, in 7digital's shape
        received = len(request.body)
        too_big = False
    except RequestDataTooBig:
        received, too_big = int(request.META.get("CONTENT_LENGTH") or 0), True
    endpoint = normalise(path)
    entry: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "endpoint": endpoint,
        "params": [
            list(p) for p in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        ],
        "headers": {h: request.headers[h] for h in JOURNAL_HEADERS if h in request.headers},
        "body": "" if too_big else _body_text(request),
        "body_bytes": received,
        "consumer": None,
        "user": None,
    }
    fault = None
    rate: tuple[int, int] | None = None
    try:
        if too_big:
            raise exceptions.BodyTooLarge(
                f"Request body too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
            )
        route, captured = resolve(request.method, path)
        fault = state.take_fault(request.method, endpoint)
        if fault and fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault and fault.kind == "status":
            raise _InjectedStatus(fault.status)
        if fault and fault.kind == "reset":
            raise _DroppedUnprocessed()
        params = Params(_pairs(request))
        credentials = verify(
            IncomingRequest(
                method=request.method,
                url=received_url(request),
                body=request.body.decode("utf-8", "replace") if request.body else None,
                content_type=request.content_type or "",
                authorization=request.headers.get("Authorization"),
            ),
            consumers=settings.SANDBOX_CONSUMERS,
            tokens=settings.SANDBOX_ACCESS_TOKENS,
            require_signature=route.auth != "key",
            timestamp_window=settings.SANDBOX_OAUTH_TIMESTAMP_WINDOW,
            use_nonce=state.use_nonce,
            public_base=settings.SANDBOX_PUBLIC_URL,
        )
        consumer_key = entry["consumer"] = credentials.consumer_key
        rate = state.count_request(consumer_key)
        if rate[0] > settings.SANDBOX_RATE_LIMIT:
            raise exceptions.RateLimited()
        user_id = params.get("userId") or credentials.token_user_id
        if route.auth == "user" and not user_id:
            raise exceptions.MissingParameter("Required parameter userId is missing")
        entry["user"] = user_id
        if fault and fault.kind == "error":
            raise exceptions.for_code(fault.code or 9001, fault.message)
        call = Call(
            request=request,
            params=params,
            consumer_key=consumer_key,
            captured=captured,
            user_id=user_id,
            json=json_wanted,
            signed=credentials.signed,
        )
        result = route.handler(call)
        if isinstance(result, HttpResponse | StreamingHttpResponse):
            response = result
        else:
            response = _xml_or_json(result, json_wanted)
        response["Cache-Control"] = (
            f"private, max-age={route.max_age}" if route.max_age else "no-cache, no-store"
        )
    except _DroppedUnprocessed:
        response = HttpResponse(status=502)
    except _InjectedStatus as injected:
        response = HttpResponse(
            f"<html><body><h1>{injected.status} Injected fault</h1></body></html>",
            status=injected.status,
            content_type="text/html",
        )
    except exceptions.OAuthFailure as failure:
        response = HttpResponse(
            failure.reason, status=failure.status, content_type="text/plain; charset=utf-8"
        )
    except exceptions.SandboxError as error:
        response = _xml_or_json(
            error_content(error.code, error.message),
            json_wanted,
            status=error.http_status,
            ok=False,
        )
        response["Cache-Control"] = "no-cache, no-store"
        for name, value in error.headers:
            response[name] = value
    if fault:
        response = _apply_fault(fault, response)
    response = _finish(request, response, rate)
    entry["status"] = response.status_code
    entry["ms"] = round((time.monotonic() - started) * 1000, 1)
    state.record(entry)
    return response


def _finish(request: HttpRequest, response: HttpResponse, rate: tuple[int, int] | None):
    if rate is not None:
        response["X-RateLimit-Limit"] = str(settings.SANDBOX_RATE_LIMIT)
        response["X-RateLimit-Current"] = str(rate[0])
        response["X-RateLimit-Reset"] = str(rate[1])
    if (
        "gzip" in request.headers.get("Accept-Encoding", "").lower()
        and not isinstance(response, StreamingHttpResponse)
        and response.status_code == 200
        and len(response.content) > 200
        and not response.has_header("Content-Encoding")
        and not response.get("Content-Type", "").startswith("audio/")
    ):
        response.content = gzip.compress(response.content, mtime=0)
        response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding"
    return response
