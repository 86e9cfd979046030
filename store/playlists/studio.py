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

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.roles import EDITORS_GROUP
from integrations.sevendigital import get_client
from sevendigital.models.catalogue import Track
from sevendigital.models.playlists import Playlist
from sevendigital.resources.playlists import TAGS_ANNOTATION, tags_annotation
from store.playlists import ordering
from store.playlists.models import CustomerPlaylist, ShopTagOrder
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


def _not_a_customers(playlist_id: str) -> None:
    """The studio's playlists are the shop's: a customer's (the store records each one it
    makes) is not found here. 7digital itself refuses the partner's writes to a user's
    playlist (2002), so one made elsewhere cannot be changed either."""
    if CustomerPlaylist.objects.filter(playlist_id=playlist_id.lower()).exists():
        raise PlaylistNotFound(playlist_id)


def studio_playlist_get(*, playlist_id: str) -> Playlist:
    """A playlist of the shop's with its tracks: one call."""
    _not_a_customers(playlist_id)
    return _call(lambda: get_client().playlists.get(playlist_id))


def _fresh(*, playlist_id: str, seen: datetime | None, tracks: bool = False) -> Playlist:
    """The playlist now (its details only, unless ``tracks``), if it is as the editor saw
    it; ``StaleEdit`` otherwise."""
    _not_a_customers(playlist_id)
    client = get_client()
    read = client.playlists.get if tracks else client.playlists.details
    current = _call(lambda: read(playlist_id))
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
    annotations: dict[str, str] = field(default_factory=dict)  # the others, as written


RESERVED_ANNOTATIONS = {TAGS_ANNOTATION, HOME_ANNOTATION}  # set by their own fields


def studio_playlist_details_save(*, playlist_id: str, seen: datetime | None, details: Details):
    _fresh(playlist_id=playlist_id, seen=seen)
    annotations = dict(details.annotations)
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


def studio_tracks_add(*, playlist_id: str, seen: datetime | None, tracks: list[Track]) -> Playlist:
    """Append tracks, in one call; the playlist as it is after, tracks and all."""
    _fresh(playlist_id=playlist_id, seen=seen)
    after = _call(
        lambda: get_client().playlists.add_tracks(
            playlist_id, [playlist_track_of(track) for track in tracks]
        )
    )
    _forget_public_copies(playlist_id)
    return after


def studio_track_remove(*, playlist_id: str, seen: datetime | None, item_id: str) -> Playlist:
    _fresh(playlist_id=playlist_id, seen=seen)
    after = _call(lambda: get_client().playlists.remove_track(playlist_id, item_id))
    _forget_public_copies(playlist_id)
    return after if after is not None else studio_playlist_get(playlist_id=playlist_id)


def studio_track_move(
    *, playlist_id: str, seen: datetime | None, item_id: str, to: int | str
) -> Playlist:
    """Move an item to place ``to`` (0 is the top), or one place ``"up"`` or ``"down"``,
    in the order as it is now (and as the editor saw it); the playlist as it is after.

    Two calls whatever the length: the playlist's details, whose ``lastUpdated`` says
    the page is not stale and so that its order is the one the studio last rendered
    (kept by :func:`order_remember`), and the move, whose answer is the new order. When
    that order is not kept (another process rendered it without a shared cache, or it
    expired), the tracks are read as well: three calls."""
    current = _fresh(playlist_id=playlist_id, seen=seen)
    order = cache.get(_order_key(playlist_id, current.last_updated))
    if order is None:
        current = _fresh(playlist_id=playlist_id, seen=seen, tracks=True)
        order = [t.playlist_item_id for t in current.tracks]
    try:
        moves, follows = ordering.after(order, item_id, to)
    except KeyError as exc:
        raise PlaylistNotFound(item_id) from exc
    if not moves:
        return studio_playlist_get(playlist_id=playlist_id)
    moved = _call(lambda: get_client().playlists.move_track(playlist_id, item_id, after=follows))
    _forget_public_copies(playlist_id)
    return moved


ORDER_SECONDS = 3600


def _order_key(playlist_id: str, last_updated: datetime | None) -> str:
    return f"studio:order:{playlist_id}:{last_updated.isoformat() if last_updated else ''}"


def order_remember(playlist: Playlist) -> None:
    """Keep the order of the playlist's items as of its ``lastUpdated``: what the studio
    shows an editor, so that their next move needs no read of every track."""
    if playlist.last_updated is not None:
        cache.set(
            _order_key(playlist.id, playlist.last_updated),
            [t.playlist_item_id for t in playlist.tracks],
            ORDER_SECONDS,
        )


def studio_playlist_delete(*, playlist_id: str, seen: datetime | None) -> None:
    _fresh(playlist_id=playlist_id, seen=seen)
    _call(lambda: get_client().playlists.delete(playlist_id))
    _forget_public_copies(playlist_id)


def studio_tags_save(order: list[tuple[str, bool]]) -> None:
    """The shop's tag order, ``[(name, hidden), ...]`` first to last: saved at 7digital
    under ``SEVENDIGITAL_SHOP_ID``, or, without one, kept here."""
    shop_id = settings.SEVENDIGITAL_SHOP_ID
    if shop_id is not None:
        _call(lambda: get_client().playlists.save_tags(order, shop_id=shop_id))
    else:
        with transaction.atomic():
            ShopTagOrder.objects.all().delete()
            ShopTagOrder.objects.bulk_create(
                ShopTagOrder(name=name[:100], position=position, hidden=hidden)
                for position, (name, hidden) in enumerate(order)
            )
    cache.delete("playlists:tags")
