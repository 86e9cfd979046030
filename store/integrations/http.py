"""Reading what a visitor sends in a query string or a form, where a bad value must get
the default or a clear answer, never a server error."""

from __future__ import annotations

import re

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
