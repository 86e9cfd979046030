"""Reading what a visitor sends in a query string or a form, where a bad value must get
the default or a clear answer, never a server error."""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# ASCII digits only: str.isdigit() accepts "²", which int() refuses, and a value this
# short cannot reach int()'s limit on the length of a number.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(value: str | None, *, maximum: int) -> int | None:
    """``value`` as a number from 1 to ``maximum``, or None for anything else."""
    if not value or not _WHOLE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None


def next_path(request: HttpRequest, value: str | None, *, default: str) -> str:
    """Where to send the visitor back to: ``value`` when it is a path on this site,
    else ``default``. Only a path: a bare word (``x``, ``account_logout``) would be
    taken by ``redirect()`` for the name of a URL."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default


class RefuseNulBytesMiddleware:
    """400 for a request whose path, query, form or cookies hold a NUL byte.

    No address, form value or cookie of this site has one, and PostgreSQL refuses one in
    any text (a DataError, a server error), wherever a view, a form or the session
    would pass it to a query, or to 7digital. One check here rather than one per view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if _holds_nul(request):
            raise BadRequest("A NUL byte is not allowed in an address, a form or a cookie.")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    for data in (request.GET, request.COOKIES):
        if any("\x00" in key or "\x00" in value for key, value in _pairs(data)):
            return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return any("\x00" in key or "\x00" in value for key, value in _pairs(request.POST))
    return False


def _pairs(data) -> list[tuple[str, str]]:
    if hasattr(data, "lists"):
        return [(key, value) for key, values in data.lists() for value in values]
    return list(data.items())
