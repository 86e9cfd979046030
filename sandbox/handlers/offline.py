"""Offline devices: ``user/unlimitedStreaming/offline`` (POST and GET),
``user/offlineclients`` and the stream host's ``offline/subscription`` (reference lines
4656-4736). The rules are the offline backend's (``sandbox/backends/offline.py``).

The POST's body is XML (``<offlineStatus>``, as the reference's example) or a JSON
object with the same fields (``{"userId", "clientId", "offlineEnabled", "country"}``,
optionally wrapped in ``"offlineStatus"``); a field missing from the body is read from
the query string or a form body. ``userId`` may stand in the body alone (the example
puts it there): a ``userId`` in the query, or an access token's user, must then agree.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.http import StreamingHttpResponse

from .. import exceptions
from ..backends.offline import OfflineStatus
from ..backends.offline import offline_backend as backend
from ..backends.users import users_backend
from ..context import Call
from ..models import CURRENCIES, PartnerUser
from ..routing import endpoint
from ..serializer import Items
from .files import file_response, wanted_range

ROOT = "offlineStatus"
BODY_FIELDS = ("userId", "clientId", "offlineEnabled", "country")
TRUE, FALSE = ("true", "1"), ("false", "0")
TEXT_LIMIT = 255  # the longest userId the sandbox keeps


def _status_content(status: OfflineStatus) -> dict:
    return {
        "offlineStatus": {
            "offlineEnabled": status.enabled,
            "offlineMaxTrackCount": status.max_track_count,
        }
    }


# -- the POST's body -------------------------------------------------------------------


def _malformed(why: str) -> exceptions.InvalidParameter:
    return exceptions.InvalidParameter(f"Invalid request body: {why}")


def _json_fields(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise _malformed(f"malformed JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise _malformed("expected a JSON object")
    fields = {key.lower(): value for key, value in reversed(data.items())}
    wrapped = fields.get(ROOT.lower())
    if isinstance(wrapped, dict) and len(fields) == 1:
        fields = {key.lower(): value for key, value in reversed(wrapped.items())}
    return fields


def _xml_fields(body: bytes) -> dict[str, Any]:
    try:
        root = SafeET.fromstring(body.strip())
    except (ParseError, DefusedXmlException) as exc:
        raise _malformed(f"malformed XML ({exc})") from exc
    tag = root.tag.rsplit("}", 1)[-1]
    if tag.lower() != ROOT.lower():
        raise _malformed(f"the root element must be <{ROOT}>, not <{tag}>")
    return {
        child.tag.rsplit("}", 1)[-1].lower(): (child.text or "").strip()
        for child in root
        if isinstance(child.tag, str)
    }


def _body_fields(call: Call) -> dict[str, Any]:
    body = call.request.body
    content_type = (call.request.content_type or "").lower()
    if not body.strip() or "x-www-form-urlencoded" in content_type:
        return {}  # form fields are among call.params already
    first = body.lstrip()[:1]
    if "json" in content_type or (first in (b"{", b"[") and "xml" not in content_type):
        return _json_fields(body)
    if "xml" in content_type or first == b"<":
        return _xml_fields(body)
    raise _malformed(f"send the {ROOT} as XML (application/xml) or JSON (application/json)")


def _field(call: Call, fields: dict[str, Any], name: str) -> Any:
    """The body's value, else the query's or form's; None when absent or empty."""
    value = fields.get(name.lower())
    if value is None or value == "":
        return call.params.get(name)
    return value


def _text(name: str, value: Any) -> str:
    """A body field as text: a string or a whole number (``clientId`` is typed integer)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise exceptions.InvalidParameter(f"Invalid value for parameter {name}: {value!r}")
    text = str(value)
    if "\x00" in text or len(text) > TEXT_LIMIT:  # no 7digital value; PostgreSQL refuses NUL
        raise exceptions.InvalidParameter(f"Invalid value for parameter {name}")
    return text


def _required(call: Call, fields: dict[str, Any], name: str) -> Any:
    value = _field(call, fields, name)
    if value is None:
        raise exceptions.MissingParameter(f"Required parameter {name} is missing")
    return value


def _enabled(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise exceptions.InvalidParameter(
        f"Invalid value for parameter offlineEnabled: {value!r} (true or false)"
    )


def _country(call: Call, fields: dict[str, Any]) -> str:
    raw = fields.get("country")
    if raw is None or raw == "":
        return call.country  # the query's or form's, or a shopId's; 1001 when none
    country = _text("country", raw).upper()
    if country not in CURRENCIES:
        raise exceptions.InvalidParameter(f"Invalid value for parameter country: {raw}")
    return country


def _body_user(call: Call, fields: dict[str, Any]) -> PartnerUser:
    """The user the POST acts for: the signed ``userId`` or token, or the body's; 2001 if
    unknown, 1002 when the two disagree."""
    given = fields.get("userid")
    given = None if given in (None, "") else _text("userId", given)
    if call.user_id and given is not None and given != call.user_id:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter userId: {given[:60]} is not the user the request "
            "is signed for"
        )
    user_id = call.user_id or given
    if not user_id:
        raise exceptions.MissingParameter("Required parameter userId is missing")
    return users_backend.partner_user(consumer_key=call.consumer_key, user_id=user_id)


# -- the API ---------------------------------------------------------------------------


@endpoint("POST", "user/unlimitedStreaming/offline", auth="signed")
def set_status(call: Call) -> dict:
    """Enable or disable a device for offline play; 1003 when it is refused."""
    fields = _body_fields(call)
    user = _body_user(call, fields)
    client_id = _text("clientId", _required(call, fields, "clientId"))
    enabled = _enabled(_required(call, fields, "offlineEnabled"))
    _country(call, fields)
    return _status_content(backend.set_status(user=user, client_id=client_id, enabled=enabled))


@endpoint("GET", "user/unlimitedStreaming/offline", auth="user")
def status(call: Call) -> dict:
    """A device's offline status: disabled when it was never registered."""
    user = users_backend.partner_user(consumer_key=call.consumer_key, user_id=call.user_id)
    client_id = call.params.required("clientId")
    return _status_content(backend.status(user=user, client_id=client_id))


@endpoint("GET", "user/offlineclients", auth="user")
def clients(call: Call) -> dict:
    """The user's devices enabled for offline play, oldest first."""
    user = users_backend.partner_user(consumer_key=call.consumer_key, user_id=call.user_id)
    devices = backend.clients(user=user)
    return {"offlineClients": Items([{"clientId": d.client_id} for d in devices], "offlineClient")}


# -- the stream host -------------------------------------------------------------------


@endpoint("GET", "offline/subscription", auth="user")
def offline_subscription(call: Call) -> StreamingHttpResponse:
    """The whole track, for a registered device to cache; Range and HEAD as downloads."""
    track_id = call.params.integer("trackId", required=True, minimum=0)
    format_id = call.params.integer("formatId", required=True)
    client_id = call.params.required("clientId")
    country = call.country
    track = backend.offline_track(
        consumer_key=call.consumer_key,
        user_id=call.user_id,
        client_id=client_id,
        track_id=track_id,
        format_id=format_id,
        country=country,
    )
    return file_response(call, track.path, track.content_type, wanted_range(call, track.path))
