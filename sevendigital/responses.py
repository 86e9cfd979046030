"""Reading an answer: its content, or the :mod:`~sevendigital.errors` it maps to.

An error envelope maps by its 7digital code; a 401 (or a 400 in plain text about
OAuth) is :class:`~sevendigital.errors.AuthenticationFailed` with the reason given;
anything that is not an API response maps by its HTTP status.
"""

from __future__ import annotations

from typing import Any

import requests

from . import errors
from .parsing import NotAnAPIResponse, decode, describe_body
from .transport import redact_url


def handle_response(response: requests.Response, *, empty_ok: bool = False) -> Any:
    """Decode a response or raise the matching :class:`SevenDigitalError`."""
    status = response.status_code
    url = redact_url(response.request.url if response.request else response.url)
    content_type = response.headers.get("Content-Type", "")
    body = response.content or b""
    if status == 401 or (status == 400 and "text/plain" in content_type):
        reason = body.decode("utf-8", "replace").strip()
        if status == 401 or "oauth" in reason.lower():
            raise errors.AuthenticationFailed(
                reason or "7digital refused the request's credentials (HTTP 401)",
                http_status=status,
                url=url,
            )
    try:
        envelope = decode(body, content_type)
    except NotAnAPIResponse as exc:
        if empty_ok and status < 400 and not body.strip():
            return {}
        raise http_error(response, describe_body(body, content_type), exc) from exc
    if envelope.is_error:
        cls = errors.error_class_for_code(envelope.error_code)
        raise cls(
            envelope.error_message or cls.default_message,
            code=envelope.error_code,
            http_status=status,
            url=url,
        )
    if status >= 400:
        raise http_error(response, "a success document with an error status")
    return envelope.content


def bodiless_error(response: requests.Response) -> errors.SevenDigitalError:
    """The error of an answer without a body (a HEAD's), from its status alone: the
    statuses 7digital gives its error codes (403 for 2002 "no licences", 401 for a
    refused signature) stand for them."""
    status = response.status_code
    url = redact_url(response.request.url if response.request else response.url)
    if status == 401:
        return errors.AuthenticationFailed(
            "7digital refused the request's credentials (HTTP 401)", http_status=status, url=url
        )
    if status == 403:
        return errors.NotAvailable(
            "7digital refused the media (HTTP 403 to a HEAD request, which has no body)",
            http_status=status,
            url=url,
        )
    return http_error(response, "no body (a HEAD request)")


def http_error(
    response: requests.Response, what: str, cause: Exception | None = None
) -> errors.SevenDigitalError:
    status = response.status_code
    url = redact_url(response.request.url if response.request else response.url)
    reason = f" ({cause})" if cause else ""
    message = f"7digital answered HTTP {status} with {what}, not an API response{reason}"
    if status >= 500:
        return errors.ServerError(message, http_status=status, url=url)
    if status == 404:
        return errors.NotFound(message, http_status=status, url=url)
    if status == 400:
        return errors.InvalidInput(message, http_status=status, url=url)
    return errors.InvalidResponse(message, http_status=status, url=url)
