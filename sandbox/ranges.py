"""HTTP ``Range`` request handling (RFC 9110, section 14) as pure functions.

Only single byte ranges are served as 206 Partial Content. The choices, all allowed by the RFC
(a server MAY ignore ``Range`` entirely, section 14.2):

* no header, a blank header, an unknown range unit or a syntactically invalid header (including
  ``bytes=5-2``, where last-pos < first-pos) -> the header is ignored: 200 with the full content;
* more than one range (``bytes=0-1,5-6``) -> ignored as well: 200 with the full content, which
  avoids ``multipart/byteranges`` responses (empty list elements such as ``bytes=0-1,`` do not
  count as ranges);
* ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` (the last ``n`` bytes) -> 206, the end clamped to
  ``size - 1`` and a suffix longer than the content selecting all of it;
* a valid range that selects nothing (first-pos >= size, ``bytes=-0``, or any range at all of
  zero-length content) -> 416 with ``Content-Range: bytes */size``.

``If-Range`` is supported through :func:`if_range_allows`; when it returns ``False`` pass
``header=None`` (the full content). Typical use in a view::

    result = parse_range(request.headers.get("Range"), len(data))
    response = HttpResponse(result.body(data), status=result.status, content_type="audio/mpeg")
    for name, value in result.headers().items():
        response[name] = value
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "RangeResult",
    "content_range",
    "if_range_allows",
    "parse_range",
    "unsatisfiable_content_range",
]

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
_OWS = " \t"


@dataclass(frozen=True, slots=True)
class RangeResult:
    """What to send for a (possibly absent) ``Range`` header and content of ``size`` bytes.

    ``kind`` is ``"full"`` (200, the whole content), ``"partial"`` (206, bytes ``start`` to
    ``end`` inclusive) or ``"unsatisfiable"`` (416, no body). ``start``/``end`` are only
    meaningful for ``"partial"``; for ``"full"`` they span the content (``end`` is ``-1`` when
    the content is empty).
    """

    kind: Literal["full", "partial", "unsatisfiable"]
    size: int
    start: int = 0
    end: int = -1

    @property
    def status(self) -> int:
        return {"full": 200, "partial": 206, "unsatisfiable": 416}[self.kind]

    @property
    def content_length(self) -> int:
        """Bytes in the response body."""
        if self.kind == "unsatisfiable":
            return 0
        return self.end - self.start + 1

    @property
    def content_range(self) -> str | None:
        """The ``Content-Range`` value, or ``None`` for a 200 response."""
        if self.kind == "partial":
            return content_range(self.start, self.end, self.size)
        if self.kind == "unsatisfiable":
            return unsatisfiable_content_range(self.size)
        return None

    def headers(self) -> dict[str, str]:
        """``Accept-Ranges``, ``Content-Length`` and (206/416 only) ``Content-Range``."""
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(self.content_length)}
        if (value := self.content_range) is not None:
            headers["Content-Range"] = value
        return headers

    def body(self, data: bytes) -> bytes:
        """The bytes of ``data`` (the whole content, ``size`` long) to send."""
        if len(data) != self.size:
            raise ValueError(f"content is {len(data)} bytes, the range was parsed for {self.size}")
        if self.kind == "unsatisfiable":
            return b""
        if self.kind == "full":
            return data
        return data[self.start : self.end + 1]


# A position written with more digits than this is past the end of any content; int()
# would refuse one of more than 4,300 digits, and no size needs more than 18.
_POSITION_DIGITS = 18


def _position(digits: str) -> int:
    """A byte position or length; one too long to matter reads as 10**18."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _POSITION_DIGITS else 10**_POSITION_DIGITS


def parse_range(header: str | None, size: int) -> RangeResult:
    """Decide how to answer ``Range: <header>`` for content of ``size`` bytes (see module doc)."""
    if size < 0:
        raise ValueError(f"size must not be negative, got {size}")
    full = RangeResult("full", size, 0, size - 1)
    if header is None:
        return full
    unit, sep, range_set = header.strip(_OWS).partition("=")
    if not sep or unit.lower() != "bytes":  # range units are case-insensitive
        return full
    # range-set = 1#range-spec; a recipient ignores empty list elements (RFC 9110, 5.6.1.2).
    specs = [spec.strip(_OWS) for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if len(specs) != 1:  # no range at all is invalid; several are ignored on purpose
        return full
    match = _RANGE_SPEC.fullmatch(specs[0])
    if match is None:
        return full
    first, last = match.groups()
    if first:  # int-range: first-pos "-" [ last-pos ]
        start = _position(first)
        end = _position(last) if last else None
        if end is not None and end < start:
            return full  # invalid, so ignored
        if start >= size:
            return RangeResult("unsatisfiable", size)
        end = size - 1 if end is None else min(end, size - 1)
        return RangeResult("partial", size, start, end)
    if not last:  # just "-"
        return full
    suffix = _position(last)  # suffix-range: "-" suffix-length
    if suffix == 0 or size == 0:
        return RangeResult("unsatisfiable", size)
    return RangeResult("partial", size, max(0, size - suffix), size - 1)


def content_range(start: int, end: int, size: int) -> str:
    """``Content-Range`` of a 206 response: ``bytes start-end/size`` (``end`` inclusive)."""
    return f"bytes {start}-{end}/{size}"


def unsatisfiable_content_range(size: int) -> str:
    """``Content-Range`` of a 416 response: ``bytes */size``."""
    return f"bytes */{size}"


def if_range_allows(
    if_range: str | None, *, etag: str | None = None, last_modified: str | None = None
) -> bool:
    """Whether ``Range`` may be honoured given the request's ``If-Range`` (RFC 9110, 13.1.5).

    ``etag`` is the representation's current ETag (quoted, e.g. ``'"abc"'``) and
    ``last_modified`` its ``Last-Modified`` value as sent. Without ``If-Range`` this is ``True``.
    An entity-tag must be strong and match exactly; a date must equal ``last_modified`` exactly
    (a conservative reading: when in doubt the full content is sent, which is always correct).
    """
    if if_range is None:
        return True
    if_range = if_range.strip(_OWS)
    if if_range.startswith(("W/", '"')):
        return (
            etag is not None
            and not if_range.startswith("W/")
            and not etag.startswith("W/")
            and if_range == etag
        )
    return last_modified is not None and if_range == last_modified.strip(_OWS)
