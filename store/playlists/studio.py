"""The editors' studio (issue 20): the shop's own playlists, made and looked after by
the Editors group, as the partner at 7digital.

Several editors may work at once. Every change carries the ``lastUpdated`` of the
playlist as the editor saw it; before writing, the studio reads the playlist again and
refuses the change if someone else changed it since (:class:`StaleEdit`), so that a
stale page never silently overwrites a newer edit. (7digital offers no conditional
write: between that read and the write there remains a moment, a second or less, in
which two saves may both pass.)

Tags are the ``tags`` annotation (no request field sets them, docs/sandbox-playlists.md);
``home`` = ``1`` puts the playlist among the home page's modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from accounts.roles import EDITORS_GROUP
from integrations.sevendigital import get_client
from sevendigital.models.catalogue import Track
from sevendigital.models.playlists import Playlist
from sevendigital.resources.playlists import TAGS_ANNOTATION, tags_annotation
from store.playlists.selectors import HOME_ANNOTATION
from store.playlists.services import PlaylistNotFound, _call, playlist_track_of

PUBLISHED, DRAFT = "published", "draft"


class StaleEdit(Exception):
    """Someone changed the playlist after this editor's page was made."""


def is_editor(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists()
    )


def _forget_public_copies(playlist_id: str) -> None:
    """The public pages keep what they read for a minute: an editor's change shows now."""
    cache.delete_many([f"playlists:details:{playlist_id}", "playlists:tags", "playlists:home"])
    for page in range(1, 21):
        cache.delete(f"playlists:tracks:{playlist_id}:{page}")


def studio_playlists_list() -> list[Playlist]:
    """Every playlist of the shop's, drafts included, newest first."""
    page = _call(
        lambda: get_client().playlists.list(
            visibility="partner", status=[DRAFT, PUBLISHED], page_size=500
        )
    )
    return list(page.items)


def studio_playlist_get(*, playlist_id: str) -> Playlist:
    """A playlist of the shop's with its tracks (a customer's is not found here)."""
    playlist = _call(lambda: get_client().playlists.get(playlist_id))
    if playlist.id not in {p.id for p in studio_playlists_list()}:
        raise PlaylistNotFound(playlist_id)
    return playlist


def _fresh(*, playlist_id: str, seen: datetime | None) -> Playlist:
    """The playlist now, if it is as the editor saw it; ``StaleEdit`` otherwise."""
    current = studio_playlist_get(playlist_id=playlist_id)
    if seen is None or current.last_updated != seen:
        raise StaleEdit(playlist_id)
    return current


def studio_playlist_create(*, name: str) -> Playlist:
    """A new draft: private, unpublished, empty."""
    return _call(
        lambda: get_client().playlists.create(name=name, status=DRAFT, visibility="private")
    )


@dataclass(frozen=True)
class Details:
    name: str
    description: str
    image_url: str
    tags: list[str]
    home: bool


def studio_playlist_details_save(*, playlist_id: str, seen: datetime | None, details: Details):
    current = _fresh(playlist_id=playlist_id, seen=seen)
    annotations = dict(current.annotations)
    annotations[TAGS_ANNOTATION] = tags_annotation(details.tags)
    if details.home:
        annotations[HOME_ANNOTATION] = "1"
    else:
        annotations.pop(HOME_ANNOTATION, None)
    _call(
        lambda: get_client().playlists.update_details(
            playlist_id,
            name=details.name,
            description=details.description,
            image_url=details.image_url,
            annotations=annotations,
        )
    )
    _forget_public_copies(playlist_id)


def studio_playlist_publish(*, playlist_id: str, seen: datetime | None, publish: bool) -> None:
    """Published and public, or back to a private draft."""
    _fresh(playlist_id=playlist_id, seen=seen)
    _call(
        lambda: get_client().playlists.update_details(
            playlist_id,
            status=PUBLISHED if publish else DRAFT,
            visibility="public" if publish else "private",
        )
    )
    _forget_public_copies(playlist_id)


def studio_track_add(*, playlist_id: str, seen: datetime | None, track: Track) -> None:
    _fresh(playlist_id=playlist_id, seen=seen)
    _call(lambda: get_client().playlists.add_tracks(playlist_id, [playlist_track_of(track)]))
    _forget_public_copies(playlist_id)


def studio_track_remove(*, playlist_id: str, seen: datetime | None, item_id: str) -> None:
    _fresh(playlist_id=playlist_id, seen=seen)
    _call(lambda: get_client().playlists.remove_track(playlist_id, item_id))
    _forget_public_copies(playlist_id)


def studio_track_move(
    *, playlist_id: str, seen: datetime | None, item_id: str, direction: str
) -> None:
    """One place up or down, from the order as it is now (and as the editor saw it)."""
    current = _fresh(playlist_id=playlist_id, seen=seen)
    order = [t.playlist_item_id for t in current.tracks]
    if item_id not in order:
        raise PlaylistNotFound(item_id)
    at = order.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(order):
        return
    order.remove(item_id)
    after = order[to - 1] if to > 0 else None
    _call(lambda: get_client().playlists.move_track(playlist_id, item_id, after=after))
    _forget_public_copies(playlist_id)


def studio_playlist_delete(*, playlist_id: str, seen: datetime | None) -> None:
    _fresh(playlist_id=playlist_id, seen=seen)
    _call(lambda: get_client().playlists.delete(playlist_id))
    _forget_public_copies(playlist_id)
