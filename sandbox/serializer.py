"""One serializer for every answer: the ``<response status version>`` envelope in XML,
or the reference's JSON shape when the client asks for JSON.

Handlers return plain dicts in an xmltodict-like convention:

* ``"@name"`` keys are XML attributes (``{"@id": 1046}`` → ``<release id="1046">``) and
  plain keys in JSON (``"id": 1046``);
* a list is a repeated element in XML and an array in JSON;
* ``None`` is ``xsi:nil="true"`` in XML and ``null`` in JSON;
* ``"#text"`` is the text of an element that also has attributes;
* booleans are ``true``/``false``, ``Decimal`` stays exact, datetimes are ISO 8601 UTC;
* :class:`Items` is a list with its XML item tag: ``{"packages": Items(p, "package")}`` is
  ``<packages><package/>...</packages>`` in XML and ``"packages": [...]`` in JSON, as the
  reference's JSON examples write such lists;
* where the reference's JSON spells a key differently from its XML, the key is written
  ``"xml|json"`` (``"release|releases"``); a key starting with ``~`` is JSON only
  (``"~appearsAs": None`` where the JSON examples show ``"appearsAs": null``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

XSI = "http://www.w3.org/2001/XMLSchema-instance"


class Items(list):
    """A list that XML wraps in its key's element, one ``tag`` element per item."""

    def __init__(self, items, tag: str) -> None:
        super().__init__(items)
        self.tag = tag


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def iso(value: datetime) -> str:
    """``2003-03-01T00:00:00Z``: the reference's date format, always UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(tag: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Items):
        if not value:
            out.append(f"<{tag} />")
            return
        out.append(f"<{tag}>")
        for item in value:
            _element(value.tag, item, out)
        out.append(f"</{tag}>")
        return
    if isinstance(value, list):
        for item in value:
            _element(tag, item, out)
        return
    if value is None:
        out.append(f'<{tag} xsi:nil="true" />')
        return
    if isinstance(value, dict):
        attrs = "".join(
            f" {key[1:]}={quoteattr(_scalar(val))}"
            for key, val in value.items()
            if key.startswith("@") and val is not None
        )
        children = [
            (k.split("|")[0], v) for k, v in value.items() if not k.startswith(("@", "#", "~"))
        ]
        text = value.get("#text")
        if not children and text is None:
            out.append(f"<{tag}{attrs} />")
            return
        out.append(f"<{tag}{attrs}>")
        if text is not None:
            out.append(escape(_scalar(text)))
        for key, child in children:
            _element(key, child, out)
        out.append(f"</{tag}>")
        return
    text = _scalar(value)
    out.append(f"<{tag}>{escape(text)}</{tag}>" if text else f"<{tag} />")


def to_xml(content: dict[str, Any] | None, *, status: str = "ok") -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    out.append(f'<response status="{status}" version="1.2" xmlns:xsi="{XSI}">')
    for key, value in (content or {}).items():
        if not key.startswith("~"):
            _element(key.split("|")[0], value, out)
    out.append("</response>")
    return "".join(out).encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        result = {}
        for key, val in value.items():
            if key == "#text":
                result["value"] = _json_value(val)
            else:
                result[key.lstrip("@~").split("|")[-1]] = _json_value(val)
        return result
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dump(value: Any) -> str:
    """JSON with Decimals written as exact numbers (``0.99``, never ``0.9899999``)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


def to_json(content: dict[str, Any] | None, *, status: str = "ok") -> bytes:
    body = {"status": status, "version": "1.2", **_json_value(content or {})}
    return _dump(body).encode("utf-8")


def error_content(code: int, message: str) -> dict[str, Any]:
    return {"error": {"@code": code, "errorMessage": message}}


def render(content: dict[str, Any] | None, *, json_wanted: bool, status: str = "ok") -> bytes:
    return to_json(content, status=status) if json_wanted else to_xml(content, status=status)


def wants_json(accept: str | None) -> bool:
    """JSON when the Accept header prefers it over XML (XML is the default)."""
    if not accept:
        return False
    accept = accept.lower()
    if "json" not in accept:
        return False
    if "xml" not in accept:
        return True
    return accept.index("json") < accept.index("xml")
