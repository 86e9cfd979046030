"""The error hierarchy of the 7digital client.

Every failure the client reports is a :class:`SevenDigitalError` carrying the
7digital error ``code`` (``None`` when the failure never reached the API's own
error handling), a human ``message``, the ``http_status`` that came back and the
``url`` that was called (without OAuth parameters).

Codes and families follow the reference's error section (7digital-api-1.2-reference.txt,
lines 29-61): 1xxx invalid input, 2xxx resource, 3xxx user restriction, 7xxx
application, 9xxx server. A 401 answers with a plain-text reason instead of an
XML document; that becomes :class:`AuthenticationFailed` with the text kept.
"""

from __future__ import annotations


class SevenDigitalError(Exception):
    """Base class: anything the 7digital client raises."""

    default_message = "7digital API error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: int | None = None,
        http_status: int | None = None,
        url: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code
        self.http_status = http_status
        self.url = url
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = []
        if self.code is not None:
            parts.append(f"[{self.code}]")
        parts.append(self.message)
        if self.http_status is not None:
            parts.append(f"(HTTP {self.http_status})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"http_status={self.http_status!r}, url={self.url!r})"
        )


# -- Transport-level failures: the API never answered with an API response. --


class APIConnectionError(SevenDigitalError):
    """The request could not be completed: DNS, refused or dropped connection."""

    default_message = "Could not connect to the 7digital API"


class APITimeout(APIConnectionError):
    """No answer within the configured timeout. The outcome of a POST is unknown."""

    default_message = "The 7digital API did not answer in time"


class InvalidResponse(SevenDigitalError):
    """An answer that is not a 7digital API response: HTML, empty, truncated XML..."""

    default_message = "The 7digital API returned a response that could not be read"


class AuthenticationFailed(SevenDigitalError):
    """HTTP 401 (or 400 for OAuth protocol errors) with 7digital's plain-text reason."""

    default_message = "Authentication with the 7digital API failed"


# -- 1xxx: invalid or missing input parameters. --


class InvalidInput(SevenDigitalError):
    default_message = "Invalid or missing input parameters"


class MissingParameter(InvalidInput):
    default_message = "Required parameter missing"


class InvalidParameter(InvalidInput):
    default_message = "Invalid parameter value"


class ParameterOutOfRange(InvalidInput):
    default_message = "Parameter value out of allowable range"


class InvalidEnumeration(InvalidInput):
    default_message = "Invalid enumeration value"


class QueryStringOnPost(InvalidInput):
    default_message = "Query string parameters are not permitted when performing HTTP Post"


# -- 2xxx: invalid resource reference. --


class ResourceError(SevenDigitalError):
    default_message = "Invalid resource reference"


class NotFound(ResourceError):
    default_message = "Resource cannot be found"


class NotAvailable(ResourceError):
    default_message = "Resource is not available in current context"


class AlreadyExists(ResourceError):
    default_message = "Resource already exists"


# -- 3xxx: the user has restrictions. --


class UserRestricted(SevenDigitalError):
    default_message = "The user has restrictions"


class CardExpired(UserRestricted):
    default_message = "The user's card has expired"


class NoCardDetails(UserRestricted):
    default_message = "The user has no card details saved"


class PaymentFailed(UserRestricted):
    default_message = "Payment for this purchase has failed"


class CardCountryNotAllowed(UserRestricted):
    default_message = "This card was issued in a country that is not valid for this shop"


class ConcurrentStream(UserRestricted):
    default_message = (
        "Simultaneous stream requests from multiple devices - streaming access temporarily disabled"
    )


# -- 7xxx: 7digital API application error. --


class ApplicationError(SevenDigitalError):
    default_message = "7digital API application error"


class UnableToPerformAction(ApplicationError):
    default_message = "Unable to perform action"


class ConfigurationError(ApplicationError):
    default_message = "Application configuration error"


class OperationTimedOut(ApplicationError):
    default_message = "Operation timed out"


# -- 9xxx and HTTP 5xx: server error. --


class ServerError(SevenDigitalError):
    default_message = "Unexpected internal server error"


_BY_CODE: dict[int, type[SevenDigitalError]] = {
    1001: MissingParameter,
    1002: InvalidParameter,
    1003: ParameterOutOfRange,
    1006: InvalidEnumeration,
    1007: QueryStringOnPost,
    2001: NotFound,
    2002: NotAvailable,
    2003: AlreadyExists,
    3001: CardExpired,
    3002: NoCardDetails,
    3003: PaymentFailed,
    3005: CardCountryNotAllowed,
    3201: ConcurrentStream,
    7001: UnableToPerformAction,
    7002: ConfigurationError,
    7003: OperationTimedOut,
    9001: ServerError,
}

_BY_FAMILY: dict[int, type[SevenDigitalError]] = {
    1: InvalidInput,
    2: ResourceError,
    3: UserRestricted,
    7: ApplicationError,
    9: ServerError,
}


def error_class_for_code(code: int | None) -> type[SevenDigitalError]:
    """The exception class for a 7digital error code; unknown codes get their family's."""
    if code is None:
        return SevenDigitalError
    if code in _BY_CODE:
        return _BY_CODE[code]
    return _BY_FAMILY.get(code // 1000, SevenDigitalError)


def is_retryable(error: BaseException) -> bool:
    """True for failures where trying the same idempotent request again may succeed."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, (ServerError, OperationTimedOut)):
        return True
    if isinstance(error, SevenDigitalError) and error.http_status is not None:
        return error.http_status >= 500 or error.http_status == 429
    return False
