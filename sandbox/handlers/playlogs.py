"""Play logging: previews, catalogue (radio-style) plays, subscription plays
(reference lines 4735-4886).

Bodies are JSON or XML. Validation is all or nothing: one bad log refuses the request
and none of its logs is kept. The play-log backend (``sandbox/backends/playlogs.py``)
admits the request under the per-second limit the three endpoints share, before the
body is read, and keeps the accepted logs for the control API to count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.http import HttpResponse

from .. import exceptions
from ..backends.playlogs import playlogs_backend as backend
from ..context import ID_MAX, Call
from ..models import CURRENCIES, ReceivedPlayLog
from ..routing import endpoint

PLAY_MODES = ("online", "offline", "online-cached")
END_REASONS = ("naturalEnd", "userSkipped", "other")
USER_AGENT_LIMIT = 256  # "Values over 256 characters will be truncated" (line 4782)
USER_ID_LIMIT = 255
CATALOGUE_LOG_LIMIT = 100  # "maximum of 100 per request" (line 4794)
PREVIEW_BODY_LIMIT = 100 * 1024  # "limited to 100KiB" (line 4846)
# ISO 8601 with its offset; up to 7 decimals, as the reference's 2014-03-13T11:39:28.8981203Z
DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?"
    r"(?:(Z)|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)
INTEGER_FIELDS = {
    "trackId": "track_id",
    "releaseId": "release_id",
    "formatId": "format_id",
    "totalTimePlayed": "seconds_played",
}
DIGITS = re.compile(r"\d{1,19}", re.ASCII)  # no id has more digits than 2**63 - 1
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True)
class _Shape:
    """One endpoint's body: the XML root and item elements, the JSON list's key, and the
    documented fields of an item, in the reference's order."""

    kind: str
    root: str
    item: str
    key: str
    fields: tuple[str, ...]


PREVIEW = _Shape(
    ReceivedPlayLog.Kind.PREVIEW,
    root="logs",
    item="log",
    key="logs",
    fields=(
        "country",
        "trackId",
        "dateTimePlayed",
        "totalTimePlayed",
        "userAgent",
        "userId",
        "playMode",
    ),
)
CATALOGUE = _Shape(
    ReceivedPlayLog.Kind.CATALOGUE,
    root="playLog",
    item="playLogItem",
    key="playLogItem",
    fields=(
        "trackId",
        "releaseId",
        "formatId",
        "dateTimePlayed",
        "totalTimePlayed",
        "userAgent",
        "userId",
        "endReason",
    ),
)
SUBSCRIPTION = _Shape(
    ReceivedPlayLog.Kind.SUBSCRIPTION,
    root="playLog",
    item="playLogItem",
    key="playLogItem",
    fields=(
        "trackId",
        "releaseId",
        "formatId",
        "playMode",
        "dateTimePlayed",
        "totalTimePlayed",
        "userAgent",
    ),
)


def _within_rate_limit(call: Call) -> None:
    backend.admit(consumer_key=call.consumer_key)


def _query_country(call: Call) -> str:
    """The query string's country: the reference allows it nowhere else (line 4778)."""
    query = parse_qsl(call.request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    raw = next((value.strip() for key, value in query if key.lower() == "country"), "")
    if not raw:
        raise exceptions.MissingParameter(
            "Required parameter country is missing: it can only be placed in the query "
            "string, not in the POST body or the Authorization header"
        )
    if raw.upper() not in CURRENCIES:
        raise exceptions.InvalidParameter(f"Invalid value for parameter country: {raw}")
    return raw.upper()


# -- reading the body ----------------------------------------------------------


def _is_json(content_type: str, body: bytes) -> bool:
    content_type = content_type.lower()
    if "json" in content_type:
        return True
    if "xml" in content_type:
        return False
    first = body.lstrip()[:1]
    if first in (b"{", b"["):
        return True
    if first == b"<":
        return False
    raise exceptions.InvalidParameter(
        "Invalid request body: send the play logs as JSON (application/json) or XML "
        "(application/xml)"
    )


def _json_items(body: bytes, shape: _Shape) -> list[dict[str, Any]]:
    expected = f'a JSON object with a "{shape.key}" list'
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise exceptions.InvalidParameter(f"Invalid request body: malformed JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise exceptions.InvalidParameter(f"Invalid request body: expected {expected}")
    found = {key.lower(): value for key, value in reversed(data.items())}
    items = found.get(shape.key.lower())
    if not isinstance(items, list):
        raise exceptions.InvalidParameter(f"Invalid request body: expected {expected}")
    logs = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise exceptions.InvalidParameter(
                f"Invalid request body: log {position} is not a JSON object"
            )
        logs.append({key.lower(): value for key, value in reversed(item.items())})
    return logs


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Nested:
    """An XML field that holds elements instead of text."""


def _xml_item(element: Element, position: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        if name.lower() in item:
            raise exceptions.InvalidParameter(
                f"Invalid value for parameter {name} in log {position}: given twice"
            )
        nested = any(isinstance(grandchild.tag, str) for grandchild in child)
        item[name.lower()] = _Nested() if nested else (child.text or "").strip()
    return item


def _xml_items(body: bytes, shape: _Shape) -> list[dict[str, Any]]:
    try:
        root = SafeET.fromstring(body.strip())
    except (ParseError, DefusedXmlException) as exc:
        raise exceptions.InvalidParameter(f"Invalid request body: malformed XML ({exc})") from exc
    if _local(root.tag).lower() != shape.root.lower():
        raise exceptions.InvalidParameter(
            f"Invalid request body: the root element must be <{shape.root}>, "
            f"not <{_local(root.tag)}>"
        )
    logs = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if _local(child.tag).lower() != shape.item.lower():
            raise exceptions.InvalidParameter(
                f"Invalid request body: unexpected <{_local(child.tag)}> in <{shape.root}>; "
                f"each play log is a <{shape.item}>"
            )
        logs.append(_xml_item(child, len(logs) + 1))
    return logs


def _items(call: Call, shape: _Shape) -> list[dict[str, Any]]:
    body = call.request.body
    if not body.strip():
        raise exceptions.MissingParameter(
            f"Required parameter {shape.key} is missing: the request body is empty"
        )
    if _is_json(call.request.content_type or "", body):
        items = _json_items(body, shape)
    else:
        items = _xml_items(body, shape)
    if not items:
        raise exceptions.MissingParameter(
            f"Required parameter {shape.key} is missing: the body holds no play logs"
        )
    return items


# -- one log's fields ------------------------------------------------------------


def _shown(raw: Any) -> str:
    text = raw if isinstance(raw, str) else json.dumps(raw, default=lambda _: "<element>")
    return text if len(text) <= 60 else f"{text[:57]}..."


def _invalid(name: str, where: str, raw: Any, expected: str) -> exceptions.InvalidParameter:
    return exceptions.InvalidParameter(
        f"Invalid value for parameter {name} {where}: {_shown(raw)} ({expected})"
    )


def _integer(raw: Any, name: str, where: str) -> int:
    """A whole number, 0 or more: a JSON number or numeric text (the reference's catalogue
    JSON example sends "12")."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and DIGITS.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise _invalid(name, where, raw, "a whole number, 0 or more")
    if not 0 <= value <= ID_MAX:
        raise _invalid(name, where, raw, "a whole number, 0 or more")
    return value


def _text(raw: Any, name: str, where: str) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)  # "userId": 135 is as good as "135"
    raise _invalid(name, where, raw, "text")


def _choice(allowed: tuple[str, ...]) -> Callable[[Any, str, str], str]:
    def parse(raw: Any, name: str, where: str) -> str:
        if raw not in allowed:
            raise exceptions.InvalidEnumeration(
                f"Invalid enumeration value for parameter {name} {where}: {_shown(raw)} "
                f"(one of {', '.join(allowed)})"
            )
        return raw

    return parse


def _date_time(raw: Any, name: str, where: str) -> tuple[datetime, str]:
    expected = "ISO 8601 with an offset or Z, such as 2014-03-13T11:39:28.8981203Z"
    match = DATE_TIME.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise _invalid(name, where, raw, expected)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        offset = UTC
        if not zulu:
            if int(off_m) > 59:
                raise ValueError("offset minutes out of range")
            delta = timedelta(hours=int(off_h), minutes=int(off_m))
            offset = timezone(-delta if sign == "-" else delta)  # ValueError from 24:00
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),  # a 7th decimal is below a microsecond
            tzinfo=offset,
        )
        moment.astimezone(UTC)  # stored in UTC: year 1 or 9999 may not fit once moved
    except (ValueError, OverflowError) as exc:
        raise _invalid(name, where, raw, expected) from exc
    return moment, raw


def _play(item: dict[str, Any], shape: _Shape, position: int) -> dict[str, Any]:
    """One log's model fields; 1001/1002/1006 naming the field and the log's position."""
    where = f"in log {position}"
    raw: dict[str, Any] = {}
    for name in shape.fields:
        value = item.get(name.lower())
        if value is None or (isinstance(value, str) and not value.strip()):
            raise exceptions.MissingParameter(f"Required parameter {name} is missing {where}")
        raw[name] = value
    play: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "country":
            if not (isinstance(value, str) and COUNTRY_CODE.fullmatch(value.strip())):
                raise _invalid(name, where, value, "a 2-letter ISO country code")
            play["country"] = value.strip().upper()
        elif name in INTEGER_FIELDS:
            play[INTEGER_FIELDS[name]] = _integer(value, name, where)
        elif name == "dateTimePlayed":
            play["played_at"], play["played_at_text"] = _date_time(value, name, where)
        elif name == "userAgent":
            play["user_agent"] = _text(value, name, where)[:USER_AGENT_LIMIT]
        elif name == "userId":
            user_id = _text(value, name, where)
            if len(user_id) > USER_ID_LIMIT:
                raise _invalid(name, where, value, f"at most {USER_ID_LIMIT} characters")
            play["user_id"] = user_id
        elif name == "playMode":
            play["play_mode"] = _choice(PLAY_MODES)(value, name, where)
        elif name == "endReason":
            play["end_reason"] = _choice(END_REASONS)(value, name, where)
    return play


def _plays(call: Call, shape: _Shape, *, limit: int | None) -> list[dict[str, Any]]:
    items = _items(call, shape)
    if limit is not None and len(items) > limit:
        raise exceptions.OutOfRange(
            f"Too many play logs in one request: at most {limit}, got {len(items)}"
        )
    return [_play(item, shape, position) for position, item in enumerate(items, start=1)]


def _store(call: Call, shape: _Shape, country: str, plays: list[dict[str, Any]]) -> int:
    return backend.store(
        kind=shape.kind, consumer_key=call.consumer_key, country=country, plays=plays
    )


# -- the endpoints -------------------------------------------------------------------


@endpoint("POST", "preview/log", auth="signed")
def preview_log(call: Call) -> HttpResponse | None:
    _within_rate_limit(call)
    country = _query_country(call)
    size = len(call.request.body)
    if size > PREVIEW_BODY_LIMIT:
        raise exceptions.BodyTooLarge(
            f"Request body too large: the limit is 100 KiB ({PREVIEW_BODY_LIMIT} bytes), "
            f"this one has {size} bytes"
        )
    plays = _plays(call, PREVIEW, limit=settings.SANDBOX_PREVIEW_LOG_MAX)
    _store(call, PREVIEW, country, plays)
    if call.json:  # the reference's JSON answer is a bare {} (line 4885)
        return HttpResponse(b"{}", content_type="application/json; charset=utf-8")
    return None  # <response status="ok" version="1.2" />


@endpoint("POST", "catalogue/log", auth="signed")
def catalogue_log(call: Call) -> dict:
    _within_rate_limit(call)
    country = _query_country(call)
    plays = _plays(call, CATALOGUE, limit=CATALOGUE_LOG_LIMIT)
    return {"playLogs": {"count": _store(call, CATALOGUE, country, plays)}}


@endpoint("POST", "user/subscription/log", auth="user")
def subscription_log(call: Call) -> dict:
    _within_rate_limit(call)
    country = _query_country(call)
    user_id = call.user_id or ""
    backend.check_subscriber(consumer_key=call.consumer_key, user_id=user_id)
    plays = _plays(call, SUBSCRIPTION, limit=None)
    for play in plays:
        play["user_id"] = user_id  # the authorised user: these logs carry no userId
    return {"playLogs": {"count": _store(call, SUBSCRIPTION, country, plays)}}
