"""Turn 7digital response bodies, XML or JSON, into one neutral tree.

The API answers XML by default and JSON when asked (``Accept: application/json``).
Both are read into the same plain structure so that the models have a single
``from_data`` path:

* an element with attributes or children becomes a ``dict`` (attributes first,
  then children by tag name; a tag seen twice becomes a ``list``);
* an element with only text becomes its text (``""`` for ``<version />``);
* ``xsi:nil="true"`` becomes ``None``, as JSON's ``null`` does;
* an element with attributes *and* text (``<annotation key="k">v</annotation>``)
  keeps the text under ``"#text"``.

JSON numbers are read as ``int`` or ``Decimal`` (never ``float``), so prices are
exact whichever format was asked for.

XML is parsed with defusedxml: a response is untrusted input.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .errors import InvalidResponse

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_ENVELOPE_KEYS = {"status", "version", "schema"}


class NotAnAPIResponse(ValueError):
    """The body is not a readable 7digital document (the caller decides what it means)."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_to_data(element: Element) -> Any:
    """Convert one XML element (and its subtree) to the neutral tree."""
    if element.get(XSI_NIL) in ("true", "1"):
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    attributes = {
        _local(name): value
        for name, value in element.attrib.items()
        if not name.startswith("{http://www.w3.org/2001/XMLSchema-instance}")
    }
    text = (element.text or "").strip()
    if not children and not attributes:
        return text
    data: dict[str, Any] = dict(attributes)
    listed: set[str] = set()
    for child in children:
        key = _local(child.tag)
        value = element_to_data(child)
        if key in listed:
            data[key].append(value)
        elif key in data:
            data[key] = [data[key], value]
            listed.add(key)
        else:
            data[key] = value
    if not children and text:
        data["#text"] = text
    return data


def parse_xml(body: bytes | str) -> tuple[str, Element]:
    """Parse an XML body; return (root tag, root element)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        root = SafeET.fromstring(body.strip())
    except (ParseError, DefusedXmlException) as exc:
        raise NotAnAPIResponse(f"malformed XML ({exc})") from exc
    return _local(root.tag), root


def parse_json(body: bytes | str) -> Any:
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAnAPIResponse(f"malformed JSON ({exc})") from exc


def looks_like_json(content_type: str, body: bytes) -> bool:
    if "json" in content_type.lower():
        return True
    if "xml" in content_type.lower():
        return False
    return body.lstrip()[:1] in (b"{", b"[")


class Envelope:
    """A decoded response: ``status``, the error (if any) and the content tree."""

    __slots__ = ("content", "error_code", "error_message", "status")

    def __init__(
        self,
        status: str,
        content: Any,
        error_code: int | None = None,
        error_message: str | None = None,
    ) -> None:
        self.status = status
        self.content = content
        self.error_code = error_code
        self.error_message = error_message

    @property
    def is_error(self) -> bool:
        return self.status == "error"


def _error_fields(error: Any) -> tuple[int | None, str | None]:
    if not isinstance(error, dict):
        return None, str(error) if error else None
    raw_code = error.get("code", error.get("@code"))
    try:
        code = int(raw_code) if raw_code not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    message = error.get("errorMessage", error.get("message"))
    if isinstance(message, dict):
        message = message.get("#text")
    return code, (str(message) if message is not None else None)


def decode(body: bytes, content_type: str = "") -> Envelope:
    """Decode a response body to an :class:`Envelope`.

    Raises :class:`NotAnAPIResponse` if the body is empty, HTML, or malformed.
    """
    if not body or not body.strip():
        raise NotAnAPIResponse("empty body")
    if looks_like_json(content_type, body):
        data = parse_json(body)
        if isinstance(data, dict):
            status = str(data.get("status", "ok"))
            if status == "error":
                code, message = _error_fields(data.get("error"))
                return Envelope("error", None, code, message)
            content = {k: v for k, v in data.items() if k not in _ENVELOPE_KEYS}
            return Envelope(status, content)
        return Envelope("ok", data)
    head = body.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        raise NotAnAPIResponse("an HTML page")
    tag, root = parse_xml(body)
    if tag != "response":
        raise NotAnAPIResponse(f"unexpected XML document <{tag}>")
    status = root.get("status", "ok")
    if status == "error":
        error = root.find("error")
        code, message = _error_fields(element_to_data(error) if error is not None else None)
        return Envelope("error", None, code, message)
    data = element_to_data(root)
    content = (
        {k: v for k, v in data.items() if k not in _ENVELOPE_KEYS} if isinstance(data, dict) else {}
    )
    return Envelope(status, content)


def describe_body(body: bytes, content_type: str) -> str:
    """A short, safe description of an unreadable body for error messages."""
    if not body:
        return "an empty body"
    kind = content_type.split(";")[0].strip() or "unknown content type"
    snippet = body[:80].decode("utf-8", "replace").replace("\n", " ").strip()
    return f"{len(body)} bytes of {kind} starting {snippet!r}"


def require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidResponse(message)
