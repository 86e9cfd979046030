"""A customer's own playlists (issue 20): every call acts as the customer's own partner
user, so 7digital itself keeps one customer out of another's playlists (2001 for a
private one, 2002 for changing a public one); both are "no such playlist" here.

Tracks are added with the catalogue's metadata for the customer's country (7digital
keeps what the caller sends, reference line 5501). Adding is not retried by the client:
a repeat would add the track twice, so a failure is reported and the customer decides.
"""

from __future__ import annotations

from django.core.cache import cache

from accounts.selectors import partner_user_id_of
from integrations.sevendigital import get_client
from sevendigital import errors
from sevendigital.models.catalogue import Track
from sevendigital.models.playlists import Playlist, PlaylistGroup, PlaylistTrack
from store.playlists.models import CustomerPlaylist, FavouriteMark

NAME_LIMIT = 100
VISIBILITIES = ("private", "public")


class PlaylistNotFound(Exception):
    """No playlist of this customer's by that id (or not theirs to change)."""


class PlaylistUnavailable(Exception):
    """7digital did not answer: nothing was changed, or it is not known whether it was."""


class LibraryNotReady(Exception):
    """The customer's 7digital user is still being made."""


def _partner(user) -> str:
    partner = partner_user_id_of(user=user)
    if partner is None:
        raise LibraryNotReady("Your account is still being set up: try again in a minute.")
    return partner


def _call(action):
    try:
        return action()
    except (errors.NotFound, errors.NotAvailable) as exc:
        raise PlaylistNotFound(str(exc)) from exc
    except errors.SevenDigitalError as exc:
        raise PlaylistUnavailable(str(exc)) from exc


def customer_playlists_list(*, user) -> list[Playlist]:
    partner = _partner(user)
    page = _call(lambda: get_client().playlists.for_user(partner, page_size=500))
    return list(page.items)


def customer_playlist_get(*, user, playlist_id: str) -> Playlist:
    """The customer's own playlist, with its tracks; another's is ``PlaylistNotFound``."""
    partner = _partner(user)
    playlist = _call(lambda: get_client().playlists.get(playlist_id, user=partner))
    known = CustomerPlaylist.objects.filter(playlist_id=playlist.id).first()
    if known is not None:
        if known.user_id != user.pk:
            raise PlaylistNotFound(playlist_id)  # another customer's public playlist
    elif playlist.id not in {p.id for p in customer_playlists_list(user=user)}:
        raise PlaylistNotFound(playlist_id)  # made elsewhere, and not theirs
    return playlist


def customer_playlist_create(*, user, name: str, visibility: str = "private") -> Playlist:
    partner = _partner(user)
    playlist = _call(
        lambda: get_client().playlists.create(
            name=name, user=partner, visibility=visibility, status="published"
        )
    )
    _owned(user=user, playlist_id=playlist.id)
    return playlist


def _owned(*, user, playlist_id: str) -> None:
    """Note who made the playlist (7digital answers without its owner)."""
    CustomerPlaylist.objects.get_or_create(playlist_id=playlist_id, defaults={"user": user})


def customer_playlist_update(
    *, user, playlist_id: str, name: str | None = None, visibility: str | None = None
) -> None:
    partner = _partner(user)
    _call(
        lambda: get_client().playlists.update_details(
            playlist_id, user=partner, name=name, visibility=visibility
        )
    )


def customer_playlist_delete(*, user, playlist_id: str) -> None:
    partner = _partner(user)
    _call(lambda: get_client().playlists.delete(playlist_id, user=partner))


def playlist_track_of(track: Track) -> PlaylistTrack:
    """What 7digital keeps of a catalogue track in a playlist."""
    release = track.release
    return PlaylistTrack(
        track_id=str(track.id),
        track_title=track.title,
        track_version=track.version or "",
        artist_appears_as=(track.artist.appears_as or track.artist.name) if track.artist else "",
        release_id=str(release.id) if release else None,
        release_title=release.title if release else "",
        release_artist_appears_as=(
            (release.artist.appears_as or release.artist.name) if release and release.artist else ""
        ),
        release_version=(release.version or "") if release else "",
        image=release.image if release else None,
    )


def customer_playlist_track_add(*, user, playlist_id: str, track: Track) -> Playlist:
    partner = _partner(user)
    return _call(
        lambda: get_client().playlists.add_tracks(
            playlist_id, [playlist_track_of(track)], user=partner
        )
    )


def customer_playlist_track_remove(*, user, playlist_id: str, item_id: str) -> Playlist | None:
    """The playlist as it is after, when 7digital answers with it."""
    partner = _partner(user)
    return _call(lambda: get_client().playlists.remove_track(playlist_id, item_id, user=partner))


def customer_playlist_track_move(
    *, user, playlist_id: str, item_id: str, after: str | None
) -> Playlist:
    """Put the item just after ``after`` (another item's id), or first for None; the
    playlist as it is after."""
    partner = _partner(user)
    return _call(
        lambda: get_client().playlists.move_track(playlist_id, item_id, after=after, user=partner)
    )


class NotFavourable(Exception):
    """Only the shop's own playlists can be favourited (reference line 5979)."""


def customer_favourites_list(*, user) -> list[Playlist]:
    """The shop's playlists this customer has favourited."""
    partner = _partner(user)
    page = _call(lambda: get_client().playlists.list(favourited_by=partner, page_size=500))
    return list(page.items)


FAVOURITE_IDS_SECONDS = 300


def _favourite_ids_key(user) -> str:
    return f"playlists:favourite-ids:{user.pk}"


def customer_favourite_ids(*, user) -> set[str]:
    """The ids of the shop's playlists this customer keeps as favourites: read once and
    kept ``FAVOURITE_IDS_SECONDS`` (a public playlist page shows its heart from them),
    forgotten when the customer changes a favourite here."""
    key = _favourite_ids_key(user)
    kept = cache.get(key)
    if kept is None:
        kept = {p.id for p in customer_favourites_list(user=user)}
        cache.set(key, kept, FAVOURITE_IDS_SECONDS)
    return kept


def customer_playlist_favourite(*, user, playlist_id: str, on: bool) -> None:
    partner = _partner(user)
    playlists = get_client().playlists
    try:
        if on:
            playlists.favourite(playlist_id, partner)
        else:
            playlists.unfavourite(playlist_id, partner)
    except errors.NotAvailable as exc:  # a customer's playlist, not the shop's
        raise NotFavourable(str(exc)) from exc
    except errors.NotFound as exc:
        raise PlaylistNotFound(str(exc)) from exc
    except errors.SevenDigitalError as exc:
        raise PlaylistUnavailable(str(exc)) from exc
    finally:  # whatever 7digital did, the next page asks it again
        cache.delete(_favourite_ids_key(user))
    if on:  # counted for "most favourited" (7digital counts none)
        FavouriteMark.objects.get_or_create(user=user, playlist_id=playlist_id.lower())
    else:
        FavouriteMark.objects.filter(user=user, playlist_id=playlist_id.lower()).delete()


def customer_playlist_import(*, user, name: str, tracks: list[Track]) -> Playlist:
    """A new playlist of the customer's holding ``tracks``, in one call."""
    partner = _partner(user)
    playlist = _call(
        lambda: get_client().playlists.create(
            name=name,
            user=partner,
            visibility="private",
            status="published",
            tracks=[playlist_track_of(track) for track in tracks],
        )
    )
    _owned(user=user, playlist_id=playlist.id)
    return playlist


# -- groups: a customer's own shelves of playlists (reference lines 6054-6410) ---------

GROUP_MAX = 500  # playlists in one group, as 7digital keeps them


def customer_groups_list(*, user) -> list[PlaylistGroup]:
    partner = _partner(user)
    return list(_call(lambda: get_client().playlists.groups(partner, page_size=100)).items)


def customer_group_get(*, user, group_id: str) -> PlaylistGroup:
    """The customer's own group with the playlists in it they may read; another
    customer's is ``PlaylistNotFound`` (7digital answers 2001)."""
    partner = _partner(user)
    return _call(lambda: get_client().playlists.group(group_id, user=partner))


def customer_group_create(*, user, name: str, playlist_ids: list[str]) -> PlaylistGroup:
    partner = _partner(user)
    return _call(
        lambda: get_client().playlists.create_group(
            user=partner, name=name, playlist_ids=playlist_ids
        )
    )


def customer_group_add(*, user, group_id: str, playlist_ids: list[str]) -> PlaylistGroup:
    partner = _partner(user)
    return _call(
        lambda: get_client().playlists.add_to_group(
            group_id, user=partner, playlist_ids=playlist_ids
        )
    )


def customer_group_replace(
    *, user, group_id: str, name: str, playlist_ids: list[str]
) -> PlaylistGroup:
    """The group's name and playlists, all at once (a rename, or a playlist taken out)."""
    partner = _partner(user)
    return _call(
        lambda: get_client().playlists.replace_group(
            group_id, user=partner, name=name, playlist_ids=playlist_ids
        )
    )


def customer_group_delete(*, user, group_id: str) -> None:
    partner = _partner(user)
    _call(lambda: get_client().playlists.delete_group(group_id, user=partner))
