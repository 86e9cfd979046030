"""7digital's errors as the sandbox raises them: one class per documented code.

Codes and messages follow the reference (7digital-api-1.2-reference.txt lines 29-61 and
each endpoint's "Method specific error codes"); the HTTP statuses are what a client
would expect for each family.
"""

from __future__ import annotations


class SandboxError(Exception):
    code: int = 9001
    http_status: int = 500
    default_message = "Unexpected internal server error"
    headers: tuple[tuple[str, str], ...] = ()  # extra HTTP headers of the error response

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class MissingParameter(SandboxError):
    code, http_status, default_message = 1001, 400, "Required parameter missing"


class InvalidParameter(SandboxError):
    code, http_status, default_message = 1002, 400, "Invalid parameter value"


class OutOfRange(SandboxError):
    code, http_status, default_message = 1003, 400, "Parameter value out of allowable range"


class BodyTooLarge(SandboxError):
    """A POST body over the endpoint's size limit (preview/log: 100 KiB, line 4846)."""

    code, http_status, default_message = 1003, 413, "Request body too large"


class OfflineRefused(OutOfRange):
    """A device refused for offline play (reference line 4700): the account's plan has no
    offline access, the user's device limit is reached, or (at ``offline/subscription``)
    the device is not registered and enabled. A refusal, so 403 rather than 400."""

    http_status = 403
    default_message = "Client was not successfully registered for offline playback"


class InvalidEnumeration(SandboxError):
    code, http_status, default_message = 1006, 400, "Invalid enumeration value"


class QueryStringOnPost(SandboxError):
    code, http_status = 1007, 400
    default_message = (
        "Query string parameters are not permitted when performing HTTP Post. "
        "Please use Post body or header."
    )


class NotFound(SandboxError):
    code, http_status, default_message = 2001, 404, "Resource cannot be found"


class NotAvailable(SandboxError):
    code, http_status, default_message = 2002, 403, "Resource is not available in current context"


class AlreadyExists(SandboxError):
    code, http_status, default_message = 2003, 409, "Resource already exists"


class ConcurrentStream(SandboxError):
    code, http_status = 3201, 403
    default_message = (
        "Simultaneous stream requests from multiple devices - "
        "streaming access temporarily disabled."
    )


class UnableToPerformAction(SandboxError):
    code, http_status, default_message = 7001, 500, "Unable to perform action"


class RateLimited(SandboxError):
    """The consumer key's daily request limit is spent (see X-RateLimit-Reset)."""

    code, http_status, default_message = 7001, 429, "Daily request limit exceeded for this key"


class LogRateLimited(RateLimited):
    """More play-log requests in one second than the key may send: "Acceptable usage is
    5 POST requests per second" (MassiveMusic API 2026.05, /logging/preview)."""

    default_message = "Rate limit exceeded for play logs"
    headers = (("Retry-After", "1"),)


class ServerError(SandboxError):
    code, http_status, default_message = 9001, 500, "Unexpected internal server error"


BY_CODE = {
    cls.code: cls
    for cls in (
        MissingParameter,
        InvalidParameter,
        OutOfRange,
        InvalidEnumeration,
        QueryStringOnPost,
        NotFound,
        NotAvailable,
        AlreadyExists,
        ConcurrentStream,
        UnableToPerformAction,
        ServerError,
    )
}


def for_code(code: int, message: str | None = None) -> SandboxError:
    """An error for any code (faults inject arbitrary ones)."""
    cls = BY_CODE.get(code)
    if cls is not None:
        return cls(message)
    error = SandboxError(message or f"Error {code}")
    error.code = code
    error.http_status = {1: 400, 2: 404, 3: 403, 7: 500}.get(code // 1000, 500)
    return error


class OAuthFailure(Exception):
    """Authentication failed: answered as plain text, 401 (400 for protocol errors)."""

    def __init__(self, reason: str, *, status: int = 401) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason)
