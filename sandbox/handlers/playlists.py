"""Playlists: ``playlists`` and ``user/playlists`` (reference lines 5224-6410). The rules
are the playlists backend's (``sandbox/backends/playlists.py``); the choices where the
reference is silent are in docs/sandbox-playlists.md.

Request bodies are JSON, as every example of the reference (a ``move``'s ``pos`` may
also come as a form field). Answers follow the examples: in XML a playlist's tracks
carry ``<playlistItemId>``, the ``…/tracks`` list puts it in ``<track id>``; in JSON both
say ``playlistItemId``. Annotations are ``<annotation key="k">v</annotation>`` in XML and
an object in JSON.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from django.conf import settings

from .. import exceptions
from ..backends import playlists as rules
from ..backends.playlists import Details, TrackFields
from ..backends.playlists import playlists_backend as backend
from ..backends.users import users_backend
from ..context import Call
from ..models import PartnerUser, Playlist, PlaylistItem
from ..routing import endpoint
from ..serializer import Items

# What a track's JSON names each field (line 5501), and the longest value kept.
TRACK_FIELDS = {
    "trackId": ("track_id", 64),
    "trackTitle": ("track_title", rules.TEXT_LIMIT),
    "trackVersion": ("track_version", rules.TEXT_LIMIT),
    "artistAppearsAs": ("artist_appears_as", rules.TEXT_LIMIT),
    "releaseId": ("release_id", 64),
    "releaseTitle": ("release_title", rules.TEXT_LIMIT),
    "releaseArtistAppearsAs": ("release_artist_appears_as", rules.TEXT_LIMIT),
    "releaseVersion": ("release_version", rules.TEXT_LIMIT),
    "source": ("source", 64),
    "audioUrl": ("audio_url", rules.URL_LIMIT),
    "imageUrl": ("image", rules.URL_LIMIT),
    "image": ("image", rules.URL_LIMIT),
}
LOWERED_TRACK_FIELDS = {name.lower(): spec for name, spec in TRACK_FIELDS.items()}


# -- who calls ----------------------------------------------------------------------


def _caller(call: Call) -> PartnerUser | None:
    """The user the call acts for (2001 if never created), or None for the partner."""
    if not call.user_id:
        return None
    if not call.signed:  # an unsigned call may read what is public, never act for a user
        raise exceptions.OAuthFailure(
            "OAuth signature required: acting for a user needs a signed request"
        )
    return users_backend.partner_user(consumer_key=call.consumer_key, user_id=call.user_id)


def _country(call: Call) -> None:
    call.country  # noqa: B018 - required on every playlist call (1001, or 1002 unknown)


# -- bodies -------------------------------------------------------------------------


def _malformed(why: str) -> exceptions.InvalidParameter:
    return exceptions.InvalidParameter(f"Invalid request body: {why}")


def _json_body(call: Call) -> Any:
    body = call.request.body
    if not body.strip():
        raise exceptions.MissingParameter("Required request body is missing")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise _malformed(f"malformed JSON ({exc})") from exc


def _text(name: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise exceptions.InvalidParameter(f"Invalid value for {name}: expected text")
    text = str(value)
    if "\x00" in text or len(text) > limit:
        raise exceptions.InvalidParameter(f"Invalid value for {name}: at most {limit} characters")
    return text


def _track(value: Any, at: int) -> TrackFields:
    if not isinstance(value, dict):
        raise _malformed(f"track {at} is not an object")
    given: dict[str, str] = {}
    for key, raw in value.items():
        known = LOWERED_TRACK_FIELDS.get(str(key).lower())
        if known is None:
            continue  # a field 7digital does not keep (the example's "description")
        attribute, limit = known
        given[attribute] = _text(f"tracks[{at}].{key}", raw, limit)
    if not given.get("source"):
        given["source"] = "7digital"
    names = {f.name for f in fields(TrackFields)}
    return TrackFields(**{k: v for k, v in given.items() if k in names})


def _tracks(value: Any) -> list[TrackFields]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed("tracks must be an array")
    return [_track(item, at) for at, item in enumerate(value)]


def _visibility(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in (Playlist.Visibility.PRIVATE, Playlist.Visibility.PUBLIC):
        raise exceptions.InvalidEnumeration(
            f"Invalid value for visibility: {str(value)[:40]} (private or public)"
        )
    return text


def _annotations(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _malformed("annotations must be an object of keys and values")
    if len(value) > 100:
        raise exceptions.OutOfRange("At most 100 annotations a playlist")
    return {
        _text("annotation key", key, 100): _text(f"annotations.{key}", val, 2000)
        for key, val in value.items()
    }


def _details(body: Any) -> Details:
    if not isinstance(body, dict):
        raise _malformed("expected a JSON object")
    lowered = {key.lower(): value for key, value in body.items()}
    name = lowered.get("name")
    description = lowered.get("description")
    image = lowered.get("imageurl", lowered.get("image"))
    status = lowered.get("status")
    return Details(
        name=None if name is None else _text("name", name, rules.NAME_LIMIT).strip(),
        # Cut, not refused (lines 5403, 5833).
        description=None
        if description is None
        else _text("description", description, 1_000_000)[: rules.DESCRIPTION_LIMIT],
        status=None if status is None else _text("status", status, rules.STATUS_LIMIT).strip(),
        visibility=_visibility(lowered.get("visibility")),
        image=None if image is None else _text("imageUrl", image, rules.URL_LIMIT),
        annotations=_annotations(lowered.get("annotations")),
    )


# -- answers ------------------------------------------------------------------------


def _annotations_content(call: Call, annotations: dict) -> Any:
    if call.json:
        return dict(annotations)
    pairs = [{"@key": key, "#text": value} for key, value in annotations.items()]
    return Items(pairs, "annotation")


def _item_content(item: PlaylistItem, *, id_as_attribute: bool) -> dict:
    content: dict[str, Any] = {}
    if id_as_attribute:
        content["@id"] = item.pk
    else:
        content["playlistItemId"] = item.pk
    content.update(
        {
            "trackId": item.track_id,
            "trackTitle": item.track_title,
            "trackVersion": item.track_version,
            "artistAppearsAs": item.artist_appears_as,
            "releaseId": item.release_id,
            "releaseTitle": item.release_title,
            "releaseArtistAppearsAs": item.release_artist_appears_as,
            "releaseVersion": item.release_version,
            "source": item.source,
            "audioUrl": item.audio_url
            or (
                f"http://stream.svc.7digital.net/stream/catalogue?trackId={item.track_id}"
                if item.source == "7digital" and item.track_id
                else ""
            ),
            "user": item.user,
        }
    )
    if item.image:
        content["image"] = item.image
    return content


def _playlist_content(call: Call, playlist: Playlist, *, tracks: bool = True) -> dict:
    content: dict[str, Any] = {
        "@id": playlist.pk,
        "name": playlist.name,
        "status": playlist.status,
        "visibility": playlist.get_visibility_display(),
        "image": playlist.image,
        "description": playlist.description,
    }
    if tracks:
        items = playlist.items.order_by("position")
        content["tracks"] = Items(
            [_item_content(item, id_as_attribute=False) for item in items], "track"
        )
    content["annotations"] = _annotations_content(call, playlist.annotations or {})
    content["lastUpdated"] = rules.last_updated_text(playlist.last_updated)
    return {"playlist": content}


def _summary(call: Call, playlist: Playlist) -> dict:
    base = f"{settings.SANDBOX_PUBLIC_URL.rstrip('/')}/1.2/playlists/{playlist.pk}"
    return {
        "@id": playlist.pk,
        "name": playlist.name,
        "links": Items(
            [
                {"@rel": "self", "@href": base},
                {"@rel": "details", "@href": f"{base}/details"},
                {"@rel": "tracks", "@href": f"{base}/tracks"},
            ],
            "link",
        ),
        "trackCount": getattr(playlist, "track_count", None) or playlist.items.count(),
        "status": playlist.status,
        "visibility": playlist.get_visibility_display(),
        "annotations": _annotations_content(call, playlist.annotations or {}),
        "image": playlist.image,
        "lastUpdated": rules.last_updated_text(playlist.last_updated),
    }


def _paged(call: Call, total: int, items_for) -> tuple[int, int, list]:
    """(page, page size, items): playlist lists page up to 500 (line 5429)."""
    return call.page(total, items_for, maximum=rules.PAGE_SIZE_MAX)


def _list_content(call: Call, playlists: list[Playlist]) -> dict:
    page, size, shown = _paged(call, len(playlists), lambda a, b: playlists[a:b])
    return {
        "playlists": {
            "page": page,
            "pageSize": size,
            "totalItems": len(playlists),
            "playlist": [_summary(call, p) for p in shown],
        }
    }


def _id_filter(call: Call, name: str) -> str | None:
    """``favouritedBy`` and ``user`` name a user as ``id:<userId>`` (line 5768)."""
    value = call.params.get(name)
    if value is None:
        return None
    if not value.startswith("id:") or len(value) < 4:
        raise exceptions.InvalidParameter(f"Invalid value for {name}: expected id:<userId>")
    return value[3:]


# -- playlists ----------------------------------------------------------------------


@endpoint("GET", "playlists", auth="key")
def playlists_list(call: Call) -> dict:
    _country(call)
    visibility = call.params.get("visibility")
    if visibility is not None and visibility.lower() not in rules.VISIBILITY_FILTERS:
        raise exceptions.InvalidEnumeration(
            f"Invalid value for visibility: {visibility[:40]} "
            f"({', '.join(rules.VISIBILITY_FILTERS)})"
        )
    statuses = [s.strip() for s in (call.params.get("status") or "").split(",") if s.strip()]
    tags = [t.strip() for t in (call.params.get("tags") or "").split(",") if t.strip()]
    found = backend.partner_list(
        consumer_key=call.consumer_key,
        user=_caller(call),
        q=call.params.get("q"),
        visibility=visibility.lower() if visibility else None,
        statuses=statuses,
        favourited_by=_id_filter(call, "favouritedBy"),
        of_user=_id_filter(call, "user"),
        tags=tags,
    )
    return _list_content(call, found)


@endpoint("POST", "playlists", auth="signed")
def playlists_create(call: Call) -> dict:
    _country(call)
    body = _json_body(call)
    details = _details(body)
    tracks = _tracks({k.lower(): v for k, v in body.items()}.get("tracks"))
    playlist = backend.create(
        consumer_key=call.consumer_key, owner=_caller(call), details=details, tracks=tracks
    )
    return _playlist_content(call, playlist)


@endpoint("GET", "playlists/{playlistId}", auth="key")
def playlist_get(call: Call) -> dict:
    _country(call)
    playlist = backend.get(
        consumer_key=call.consumer_key, playlist_id=call.captured["playlistId"], user=_caller(call)
    )
    return _playlist_content(call, playlist)


@endpoint("POST", "playlists/{playlistId}", auth="signed")
def playlist_replace(call: Call) -> dict:
    _country(call)
    playlist = _editable(call)
    body = _json_body(call)
    details = _details(body)
    tracks = _tracks({k.lower(): v for k, v in body.items()}.get("tracks"))
    backend.replace(playlist, details=details, tracks=tracks)
    return _playlist_content(call, playlist)


@endpoint("DELETE", "playlists/{playlistId}", auth="signed")
def playlist_delete(call: Call) -> None:
    _country(call)
    backend.delete(_editable(call))
    return None


@endpoint("GET", "playlists/{playlistId}/details", auth="key")
def details_get(call: Call) -> dict:
    _country(call)
    playlist = backend.get(
        consumer_key=call.consumer_key, playlist_id=call.captured["playlistId"], user=_caller(call)
    )
    return _playlist_content(call, playlist, tracks=False)


@endpoint("POST", "playlists/{playlistId}/details", auth="signed")
def details_update(call: Call) -> dict:
    """200 with the details; the reference shows only a ``Location`` header (line 5419),
    which the sandbox sends too (see ``views``)."""
    _country(call)
    playlist = _editable(call)
    backend.update_details(playlist, _details(_json_body(call)))
    return _playlist_content(call, playlist, tracks=False)


def _editable(call: Call) -> Playlist:
    return backend.editable(
        consumer_key=call.consumer_key, playlist_id=call.captured["playlistId"], user=_caller(call)
    )


# -- tracks -------------------------------------------------------------------------


@endpoint("GET", "playlists/{playlistId}/tracks", auth="key")
def tracks_list(call: Call) -> dict:
    _country(call)
    playlist = backend.get(
        consumer_key=call.consumer_key, playlist_id=call.captured["playlistId"], user=_caller(call)
    )
    total = playlist.items.count()
    page, size, items = _paged(call, total, lambda a, b: playlist.items.order_by("position")[a:b])
    if call.json:
        return {
            "page": page,
            "pageSize": size,
            "totalItems": total,
            "tracks": [_item_content(i, id_as_attribute=False) for i in items],
        }
    return {
        "tracks": {
            "page": page,
            "pageSize": size,
            "totalItems": total,
            "track": [_item_content(i, id_as_attribute=True) for i in items],
        }
    }


@endpoint("POST", "playlists/{playlistId}/tracks", auth="signed")
def tracks_add(call: Call) -> dict:
    _country(call)
    playlist = _editable(call)
    body = _json_body(call)
    if isinstance(body, dict):  # 2026.05's shape: {"tracks": [...]}
        body = {k.lower(): v for k, v in body.items()}.get("tracks")
    tracks = _tracks(body)
    if not tracks:
        raise exceptions.MissingParameter("Required parameter tracks is missing")
    backend.add_tracks(playlist, tracks, added_by=_caller(call))
    return _playlist_content(call, playlist)


@endpoint("DELETE", "playlists/{playlistId}/tracks/{playlistItemId}", auth="signed")
def track_remove(call: Call) -> dict:
    _country(call)
    playlist = _editable(call)
    backend.remove_item(playlist, call.captured["playlistItemId"])
    return _playlist_content(call, playlist)


@endpoint("POST", "playlists/{playlistId}/tracks/{playlistItemId}/move", auth="signed")
def track_move(call: Call) -> dict:
    _country(call)
    playlist = _editable(call)
    pos = call.params.get("pos")
    if pos is None and call.request.body.strip()[:1] == b"{":
        body = _json_body(call)
        pos = {k.lower(): v for k, v in body.items()}.get("pos") if isinstance(body, dict) else None
    if pos is None or str(pos).strip() == "":
        raise exceptions.MissingParameter("Required parameter pos is missing")
    backend.move_item(playlist, call.captured["playlistItemId"], str(pos).strip())
    return _playlist_content(call, playlist)


# -- the user's own -----------------------------------------------------------------


@endpoint("GET", "user/playlists", auth="user")
def user_playlists(call: Call) -> dict:
    _country(call)
    user = _caller(call)
    if user is None:
        raise exceptions.MissingParameter("Required parameter userId is missing")
    return _list_content(call, backend.user_list(user=user))


# -- favourites and tags ------------------------------------------------------------


@endpoint("PUT", "playlists/{playlistId}/favourites/{userId}", auth="signed")
def favourite_put(call: Call) -> None:
    _country(call)
    backend.favourite(
        consumer_key=call.consumer_key,
        playlist_id=call.captured["playlistId"],
        user_id=call.captured["userId"],
        on=True,
    )
    return None


@endpoint("DELETE", "playlists/{playlistId}/favourites/{userId}", auth="signed")
def favourite_delete(call: Call) -> None:
    _country(call)
    backend.favourite(
        consumer_key=call.consumer_key,
        playlist_id=call.captured["playlistId"],
        user_id=call.captured["userId"],
        on=False,
    )
    return None


def _tags_content(tags: list[tuple[str, bool]]) -> Items:
    return Items([{"name": name, "hidden": hidden} for name, hidden in tags], "tag")


@endpoint("GET", "playlists/tags", auth="key")
def tags_get(call: Call) -> dict:
    _country(call)
    tags = backend.tags(consumer_key=call.consumer_key, shop_id=call.params.integer("shopId"))
    return {"tags": _tags_content(tags)}


@endpoint("POST", "playlists/tags", auth="signed")
def tags_save(call: Call) -> dict:
    _country(call)
    body = _json_body(call)
    if not isinstance(body, dict):
        raise _malformed("expected a JSON object")
    lowered = {k.lower(): v for k, v in body.items()}
    shop_id = lowered.get("shopid")
    if shop_id is None:
        raise exceptions.MissingParameter("Required parameter shopId is missing")
    if isinstance(shop_id, bool) or not str(shop_id).isdigit():
        raise exceptions.InvalidParameter("Invalid value for shopId: expected a number")
    given = lowered.get("tags")
    if not isinstance(given, list):
        raise exceptions.MissingParameter("Required parameter tags is missing")
    tags = []
    for at, tag in enumerate(given):
        if not isinstance(tag, dict) or not tag.get("name"):
            raise _malformed(f"tags[{at}] needs a name")
        hidden = tag.get("hidden", False)
        if not isinstance(hidden, bool):
            raise exceptions.InvalidParameter(f"Invalid value for tags[{at}].hidden: true or false")
        tags.append((_text(f"tags[{at}].name", tag["name"], 100), hidden))
    saved = backend.save_tags(consumer_key=call.consumer_key, shop_id=int(shop_id), tags=tags)
    return {"shopId": int(shop_id), "tags": _tags_content(saved)}


# -- groups (lines 6054-6410) -------------------------------------------------------


def _owner(call: Call) -> PartnerUser:
    user = _caller(call)
    if user is None:
        raise exceptions.MissingParameter("Required parameter userId is missing")
    return user


def _group_body(call: Call, *, name_required: bool) -> tuple[str | None, list[str]]:
    body = _json_body(call)
    if isinstance(body, list):  # the add example's bare array (line 6222)
        body = {"playlists": body}
    if not isinstance(body, dict):
        raise _malformed("expected a JSON object")
    lowered = {k.lower(): v for k, v in body.items()}
    name = lowered.get("name")
    if name is not None:
        name = _text("name", name, rules.NAME_LIMIT).strip()
    if name_required and not name:
        raise exceptions.MissingParameter("Required parameter name is missing")
    ids = lowered.get("playlists") or []
    if not isinstance(ids, list):
        raise _malformed("playlists must be an array of playlist ids")
    return name, [_text(f"playlists[{at}]", pid, 64) for at, pid in enumerate(ids)]


def _group_summary(call: Call, group, playlists: list[Playlist]) -> dict:
    href = f"{settings.SANDBOX_PUBLIC_URL.rstrip('/')}/1.2/user/playlists/groups/{group.pk}"
    content: dict[str, Any] = {
        "@id": group.pk,
        "name": group.name,
        "playlistCount": len(playlists),
        "lastUpdated": rules.last_updated_text(group.last_updated),
    }
    if call.json:
        content["_links"] = {"self": {"href": href}}
    else:
        content["links"] = Items([{"@rel": "self", "@href": href}], "link")
    return content


def _group_playlist(call: Call, playlist: Playlist) -> dict:
    summary = _summary(call, playlist)
    if call.json:  # the group's examples write links as _links (line 6191)
        links = summary.pop("links")
        summary = {
            "@id": summary.pop("@id"),
            "name": summary.pop("name"),
            "_links": {link["@rel"]: {"href": link["@href"]} for link in links},
            **summary,
        }
    summary["tags"] = Items([{"name": tag} for tag in rules.tags_of(playlist)], "tag")
    return summary


def _group_content(call: Call, group) -> dict:
    playlists = backend.group_playlists(group)
    content = _group_summary(call, group, playlists)
    content["playlists"] = Items([_group_playlist(call, p) for p in playlists], "playlist")
    return {"playlistGroup": content}


def _groups_page(call: Call, groups: list) -> dict:
    page, size, on_page = _paged(call, len(groups), lambda a, b: groups[a:b])
    shown = [_group_summary(call, g, backend.group_playlists(g)) for g in on_page]
    if call.json:
        return {"page": page, "pageSize": size, "totalItems": len(groups), "playlistGroups": shown}
    return {
        "playlistGroups": {
            "page": page,
            "pageSize": size,
            "totalItems": len(groups),
            "playlistGroup": shown,
        }
    }


@endpoint("GET", "user/playlists/groups", auth="user")
def groups_list(call: Call) -> dict:
    _country(call)
    return _groups_page(call, backend.groups(owner=_owner(call)))


@endpoint("POST", "user/playlists/groups", auth="user")
def group_create(call: Call) -> dict:
    """Answered as the reference's example: a page of the one new group (line 6113)."""
    _country(call)
    owner = _owner(call)
    name, ids = _group_body(call, name_required=True)
    group = backend.create_group(owner=owner, name=name, ids=ids)
    return _groups_page(call, [group])


@endpoint("GET", "user/playlists/groups/{groupId}", auth="user")
def group_get(call: Call) -> dict:
    _country(call)
    group = backend.group(owner=_owner(call), group_id=call.captured["groupId"])
    return _group_content(call, group)


@endpoint("POST", "user/playlists/groups/{groupId}", auth="user")
def group_add(call: Call) -> dict:
    _country(call)
    group = backend.group(owner=_owner(call), group_id=call.captured["groupId"])
    _name, ids = _group_body(call, name_required=False)
    backend.add_to_group(group, ids)
    return _group_content(call, group)


@endpoint("PUT", "user/playlists/groups/{groupId}", auth="user")
def group_replace(call: Call) -> dict:
    _country(call)
    group = backend.group(owner=_owner(call), group_id=call.captured["groupId"])
    name, ids = _group_body(call, name_required=False)
    backend.replace_group(group, name=name, ids=ids)
    return _group_content(call, group)


@endpoint("DELETE", "user/playlists/groups/{groupId}", auth="user")
def group_delete(call: Call) -> None:
    _country(call)
    backend.group(owner=_owner(call), group_id=call.captured["groupId"]).delete()
    return None
