"""Partner and user playlists, tags, favourites and playlist groups.

Reference lines 5224-6412. Playlist bodies are JSON; ``country`` and ``userId``
stay in the query string. Pass ``user`` for a user's playlist, leave it out for
the partner's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models import Page, Playlist, PlaylistGroup, PlaylistTrack, Tag, items_of, section
from ..transport import UserAuth
from ._base import Resource
from .users import _user

DESCRIPTION_LIMIT = 500
TAGS_ANNOTATION = "tags"


def _playlist_body(
    *,
    name: str | None = None,
    status: str | None = None,
    visibility: str | None = None,
    image_url: str | None = None,
    description: str | None = None,
    annotations: Mapping[str, str] | None = None,
    tracks: Iterable[PlaylistTrack] | None = None,
    tags: Iterable[str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in (
        ("name", name),
        ("status", status),
        ("visibility", visibility),
        ("imageUrl", image_url),
        ("description", description),
    ):
        if value is not None:
            body[key] = value
    if tags is not None:
        # No request field sets a playlist's tags (reference lines 5863-5870): they travel
        # as the free-form "tags" annotation, comma-separated (docs/sandbox-playlists.md).
        annotations = {**(annotations or {}), TAGS_ANNOTATION: tags_annotation(tags)}
    if annotations is not None:
        body["annotations"] = dict(annotations)
    if tracks is not None:
        body["tracks"] = [t.to_request() for t in tracks]
    return body


def tags_annotation(tags: Iterable[str]) -> str:
    """Tags as the ``tags`` annotation holds them: trimmed, comma-free, comma-separated."""
    cleaned = (" ".join(str(tag).replace(",", " ").split()) for tag in tags)
    return ",".join(tag for tag in cleaned if tag)


class Playlists(Resource):
    def _call(self, method: str, path: str, user: UserAuth | str | None, **kwargs: Any) -> Any:
        return self._requestor.request(
            method,
            "api",
            path,
            user=_user(user) if user is not None else None,
            signed=True,
            cache=False,
            **kwargs,
        )

    # -- listing -------------------------------------------------------------

    def list(
        self,
        *,
        user: UserAuth | str | None = None,
        q: str | None = None,
        visibility: str | None = None,
        status: str | Iterable[str] | None = None,
        favourited_by: str | None = None,
        owner: str | None = None,
        tags: Iterable[str] | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> Page[Playlist]:
        """Partner playlists (``GET playlists``), filtered as the reference describes."""
        data = self._call(
            "GET",
            "1.2/playlists",
            user,
            params={
                "q": q,
                "visibility": visibility,
                "status": status if isinstance(status, str) or status is None else list(status),
                "favouritedBy": f"id:{favourited_by}" if favourited_by else None,
                "user": f"id:{owner}" if owner else None,
                "tags": list(tags) if tags else None,
                "page": page,
                "pageSize": page_size,
            },
        )
        return Page.from_data(
            section(data, "playlists"), ("playlist", "playlists"), Playlist.from_data
        )

    def for_user(
        self, user: UserAuth | str, *, page: int | None = None, page_size: int | None = None
    ) -> Page[Playlist]:
        """``GET user/playlists``: the playlists the user owns."""
        data = self._call(
            "GET", "1.2/user/playlists", user, params={"page": page, "pageSize": page_size}
        )
        return Page.from_data(
            section(data, "playlists"), ("playlist", "playlists"), Playlist.from_data
        )

    # -- one playlist --------------------------------------------------------

    def get(self, playlist_id: str, *, user: UserAuth | str | None = None) -> Playlist:
        data = self._call("GET", f"1.2/playlists/{playlist_id}", user)
        return self._one(data, "playlist", Playlist.from_data)

    def details(self, playlist_id: str, *, user: UserAuth | str | None = None) -> Playlist:
        data = self._call("GET", f"1.2/playlists/{playlist_id}/details", user)
        return self._one(data, "playlist", Playlist.from_data)

    def create(
        self,
        *,
        name: str,
        user: UserAuth | str | None = None,
        status: str | None = None,
        visibility: str | None = None,
        description: str | None = None,
        image_url: str | None = None,
        tracks: Iterable[PlaylistTrack] = (),
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] | None = None,
    ) -> Playlist:
        body = _playlist_body(
            name=name,
            status=status,
            visibility=visibility,
            description=_limit(description),
            image_url=image_url,
            tracks=tracks,
            annotations=annotations,
            tags=tags,
        )
        data = self._call("POST", "1.2/playlists", user, json_body=body)
        return self._one(data, "playlist", Playlist.from_data)

    def replace(
        self,
        playlist_id: str,
        *,
        name: str,
        user: UserAuth | str | None = None,
        status: str | None = None,
        visibility: str | None = None,
        description: str | None = None,
        image_url: str | None = None,
        tracks: Iterable[PlaylistTrack] = (),
        annotations: Mapping[str, str] | None = None,
    ) -> Playlist:
        """Replace the whole playlist (``POST playlists/{id}``). Safe to repeat."""
        body = _playlist_body(
            name=name,
            status=status,
            visibility=visibility,
            description=_limit(description),
            image_url=image_url,
            tracks=tracks,
            annotations=annotations,
        )
        data = self._call(
            "POST", f"1.2/playlists/{playlist_id}", user, json_body=body, idempotent=True
        )
        return self._one(data, "playlist", Playlist.from_data)

    def update_details(
        self,
        playlist_id: str,
        *,
        user: UserAuth | str | None = None,
        name: str | None = None,
        status: str | None = None,
        visibility: str | None = None,
        description: str | None = None,
        image_url: str | None = None,
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] | None = None,
    ) -> None:
        """Change what is given (annotations are replaced whole, tags among them)."""
        body = _playlist_body(
            name=name,
            status=status,
            visibility=visibility,
            description=_limit(description),
            image_url=image_url,
            annotations=annotations,
            tags=tags,
        )
        self._call(
            "POST",
            f"1.2/playlists/{playlist_id}/details",
            user,
            json_body=body,
            idempotent=True,
            empty_ok=True,
        )

    def delete(self, playlist_id: str, *, user: UserAuth | str | None = None) -> None:
        self._call("DELETE", f"1.2/playlists/{playlist_id}", user, empty_ok=True)

    # -- tracks --------------------------------------------------------------

    def tracks(
        self,
        playlist_id: str,
        *,
        user: UserAuth | str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> Page[PlaylistTrack]:
        data = self._call(
            "GET",
            f"1.2/playlists/{playlist_id}/tracks",
            user,
            params={"page": page, "pageSize": page_size},
        )
        return Page.from_data(section(data, "tracks"), ("track", "tracks"), PlaylistTrack.from_data)

    def add_tracks(
        self,
        playlist_id: str,
        tracks: Iterable[PlaylistTrack],
        *,
        user: UserAuth | str | None = None,
    ) -> Playlist:
        """Append tracks. Not retried: a repeat would add them twice."""
        body = [t.to_request() for t in tracks]
        if not body:
            raise ValueError("add_tracks needs at least one track")
        data = self._call("POST", f"1.2/playlists/{playlist_id}/tracks", user, json_body=body)
        return self._one(data, "playlist", Playlist.from_data)

    def remove_track(
        self, playlist_id: str, playlist_item_id: str, *, user: UserAuth | str | None = None
    ) -> Playlist | None:
        data = self._call(
            "DELETE", f"1.2/playlists/{playlist_id}/tracks/{playlist_item_id}", user, empty_ok=True
        )
        return self._one(data, "playlist", Playlist.from_data) if data.get("playlist") else None

    def move_track(
        self,
        playlist_id: str,
        playlist_item_id: str,
        *,
        after: str | None,
        user: UserAuth | str | None = None,
    ) -> Playlist:
        """Move an item after the item ``after`` (``None`` puts it first)."""
        data = self._call(
            "POST",
            f"1.2/playlists/{playlist_id}/tracks/{playlist_item_id}/move",
            user,
            params={"pos": after or "0"},
            idempotent=True,
        )
        return self._one(data, "playlist", Playlist.from_data)

    # -- tags and favourites -------------------------------------------------

    def tags(self) -> list[Tag]:
        data = self._call("GET", "1.2/playlists/tags", None)
        return [Tag.from_data(t) for t in items_of(data.get("tags"), "tag", "tags")]

    def save_tags(
        self, tags: Iterable[tuple[str, bool]], *, shop_id: int | None = None
    ) -> list[Tag]:
        """Save the order and visibility of tags: ``[(name, hidden), ...]``."""
        body = {
            "shopId": shop_id if shop_id is not None else self._requestor.shop_id,
            "tags": [{"name": name, "hidden": hidden} for name, hidden in tags],
        }
        data = self._call("POST", "1.2/playlists/tags", None, json_body=body, idempotent=True)
        return [Tag.from_data(t) for t in items_of(data.get("tags"), "tag", "tags")]

    def favourite(self, playlist_id: str, user_id: str) -> None:
        self._call("PUT", f"1.2/playlists/{playlist_id}/favourites/{user_id}", None, empty_ok=True)

    def unfavourite(self, playlist_id: str, user_id: str) -> None:
        self._call(
            "DELETE", f"1.2/playlists/{playlist_id}/favourites/{user_id}", None, empty_ok=True
        )

    # -- groups --------------------------------------------------------------

    def groups(
        self, user: UserAuth | str, *, page: int | None = None, page_size: int | None = None
    ) -> Page[PlaylistGroup]:
        data = self._call(
            "GET", "1.2/user/playlists/groups", user, params={"page": page, "pageSize": page_size}
        )
        return Page.from_data(
            section(data, "playlistGroups"),
            ("playlistGroup", "playlistGroups"),
            PlaylistGroup.from_data,
        )

    def group(self, group_id: str, *, user: UserAuth | str) -> PlaylistGroup:
        data = self._call("GET", f"1.2/user/playlists/groups/{group_id}", user)
        return self._one(data, "playlistGroup", PlaylistGroup.from_data)

    def create_group(
        self, *, user: UserAuth | str, name: str, playlist_ids: Iterable[str] = ()
    ) -> PlaylistGroup:
        data = self._call(
            "POST",
            "1.2/user/playlists/groups",
            user,
            json_body={"name": name, "playlists": list(playlist_ids)},
        )
        return _one_group(data)

    def add_to_group(
        self, group_id: str, *, user: UserAuth | str, playlist_ids: Iterable[str]
    ) -> PlaylistGroup:
        data = self._call(
            "POST",
            f"1.2/user/playlists/groups/{group_id}",
            user,
            json_body={"playlists": list(playlist_ids)},
        )
        return _one_group(data)

    def replace_group(
        self, group_id: str, *, user: UserAuth | str, name: str, playlist_ids: Iterable[str]
    ) -> PlaylistGroup:
        data = self._call(
            "PUT",
            f"1.2/user/playlists/groups/{group_id}",
            user,
            json_body={"name": name, "playlists": list(playlist_ids)},
        )
        return _one_group(data)

    def delete_group(self, group_id: str, *, user: UserAuth | str) -> None:
        self._call("DELETE", f"1.2/user/playlists/groups/{group_id}", user, empty_ok=True)


def _one_group(data: Any) -> PlaylistGroup:
    """A group answer is either ``playlistGroup`` or a one-item ``playlistGroups`` page."""
    if isinstance(data, dict) and isinstance(data.get("playlistGroup"), dict):
        return PlaylistGroup.from_data(data["playlistGroup"])
    groups = items_of(section(data, "playlistGroups"), "playlistGroup", "playlistGroups")
    return PlaylistGroup.from_data(groups[0] if groups else {})


def _limit(description: str | None) -> str | None:
    return description[:DESCRIPTION_LIMIT] if description is not None else None
