"""Playlists, their tracks and playlist groups (reference lines 5224-6412)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._base import _datetime, _first, _int, _obj, _text, as_list, items_of
from .catalogue import Tag


def _annotations(data: Any) -> dict[str, str]:
    """``<annotation key="k">v</annotation>`` (XML) or ``{"k": "v"}`` (JSON)."""
    if isinstance(data, dict) and "annotation" in data:
        result = {}
        for item in as_list(data["annotation"]):
            if isinstance(item, dict) and "key" in item:
                result[str(item["key"])] = _text(item.get("#text")) or ""
        return result
    if isinstance(data, dict):
        return {str(k): _text(v) or "" for k, v in data.items()}
    return {}


def _annotated_tags(annotations: dict[str, str]) -> tuple[Tag, ...]:
    """The tags a playlist keeps in its ``tags`` annotation (no request field sets tags)."""
    names = (name.strip() for name in annotations.get("tags", "").split(","))
    return tuple(Tag(id=name.lower(), name=name) for name in names if name)


@dataclass(frozen=True, slots=True)
class PlaylistTrack:
    """A playlist entry: 7digital stores the metadata the caller supplied."""

    track_id: str
    track_title: str = ""
    track_version: str = ""
    artist_appears_as: str = ""
    release_id: str | None = None
    release_title: str = ""
    release_artist_appears_as: str = ""
    release_version: str = ""
    source: str = "7digital"
    audio_url: str | None = None
    image: str | None = None
    user: str | None = None
    playlist_item_id: str | None = None

    def to_request(self) -> dict[str, str]:
        """The JSON object the playlist endpoints accept for this track."""
        body = {
            "trackId": self.track_id,
            "trackTitle": self.track_title,
            "trackVersion": self.track_version,
            "artistAppearsAs": self.artist_appears_as,
            "releaseId": self.release_id or "",
            "releaseTitle": self.release_title,
            "releaseArtistAppearsAs": self.release_artist_appears_as,
            "releaseVersion": self.release_version,
            "source": self.source,
        }
        if self.audio_url:
            body["audioUrl"] = self.audio_url
        return body

    @classmethod
    def from_data(cls, data: Any) -> PlaylistTrack:
        data = _obj(data)
        item_id = _first(data, "playlistItemId")
        if item_id is None and "trackId" in data:
            item_id = data.get("id")
        return cls(
            track_id=_text(data.get("trackId")) or "",
            track_title=_text(data.get("trackTitle")) or "",
            track_version=_text(data.get("trackVersion")) or "",
            artist_appears_as=_text(data.get("artistAppearsAs")) or "",
            release_id=_text(data.get("releaseId")) or None,
            release_title=_text(data.get("releaseTitle")) or "",
            release_artist_appears_as=_text(data.get("releaseArtistAppearsAs")) or "",
            release_version=_text(data.get("releaseVersion")) or "",
            source=_text(data.get("source")) or "7digital",
            audio_url=_text(data.get("audioUrl")) or None,
            image=_text(data.get("image")) or None,
            user=_text(data.get("user")) or None,
            playlist_item_id=_text(item_id) or None,
        )


@dataclass(frozen=True, slots=True)
class Playlist:
    id: str
    name: str
    visibility: str | None = None
    status: str | None = None
    description: str | None = None
    image: str | None = None
    tracks: tuple[PlaylistTrack, ...] = ()
    track_count: int | None = None
    tags: tuple[Tag, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    last_updated: datetime | None = None

    @classmethod
    def from_data(cls, data: Any) -> Playlist:
        data = _obj(data)
        tracks = tuple(PlaylistTrack.from_data(t) for t in items_of(data.get("tracks"), "track"))
        count = _int(data.get("trackCount"))
        annotations = _annotations(data.get("annotations"))
        # The reference's XML repeats <description> (the second holds the image's URL,
        # line 5337): the first is the description. An empty one is "".
        described = as_list(data.get("description"))
        description = (
            (_text(described[0]) or "")
            if described
            else (None if data.get("description") is None else "")
        )
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            visibility=_text(data.get("visibility")),
            status=_text(data.get("status")),
            description=description,
            image=_text(_first(data, "image", "imageUrl")) or None,
            tracks=tracks,
            track_count=count if count is not None else (len(tracks) if tracks else None),
            tags=tuple(Tag.from_data(t) for t in items_of(data.get("tags"), "tag"))
            or _annotated_tags(annotations),
            annotations=annotations,
            last_updated=_datetime(data.get("lastUpdated")),
        )


@dataclass(frozen=True, slots=True)
class PlaylistGroup:
    id: str
    name: str
    playlist_count: int | None = None
    playlists: tuple[Playlist, ...] = ()
    last_updated: datetime | None = None

    @classmethod
    def from_data(cls, data: Any) -> PlaylistGroup:
        data = _obj(data)
        return cls(
            id=_text(data.get("id")) or "",
            name=_text(data.get("name")) or "",
            playlist_count=_int(data.get("playlistCount")),
            playlists=tuple(
                Playlist.from_data(p) for p in items_of(data.get("playlists"), "playlist")
            ),
            last_updated=_datetime(data.get("lastUpdated")),
        )
