"""Reads of the partner's playlists for the public pages (issue 20).

Playlists live at 7digital: the editors' are the partner's own, published and public
when customers may see them; a customer's public playlist can be shared the same way.
A playlist's tracks carry the metadata its editor saved, which does not change when the
catalogue does, so each page of them is checked again against the catalogue for the
visitor's country (``track/details/batch``): a track not available there, or from
another source than 7digital, is shown but cannot be played or bought.

A cold playlist page is three calls (the playlist's details, a page of its tracks, one
batch of their details); the public reads are kept ``PUBLIC_SECONDS`` so that editors'
changes show within a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from integrations.sevendigital import get_client
from sevendigital import errors
from sevendigital.models._base import Page
from sevendigital.models.catalogue import Tag, Track
from sevendigital.models.playlists import Playlist, PlaylistTrack
from store.catalogue.selectors import CatalogueNotFound, CatalogueUnavailable, tracks_get_many
from store.playlists.models import FavouriteMark, ShopTagOrder

PUBLIC_SECONDS = 60
LIST_PAGE_SIZE = 24
TRACKS_PAGE_SIZE = 50
SOURCE_7DIGITAL = "7digital"


def _cached(key: str, read, *, missing: str):
    """``read()``, kept ``PUBLIC_SECONDS``. What 7digital refuses (no such playlist, a
    page past the end) is ``CatalogueNotFound``, a 404 page; any other failure is
    ``CatalogueUnavailable``, the "try again shortly" page."""
    found = cache.get(key)
    if found is None:
        try:
            found = read()
        except (errors.ResourceError, errors.InvalidInput) as exc:
            raise CatalogueNotFound(missing) from exc
        except errors.SevenDigitalError as exc:
            raise CatalogueUnavailable(str(exc)) from exc
        cache.set(key, found, PUBLIC_SECONDS)
    return found


def public_playlists_list(*, tag: str | None = None, page: int = 1) -> Page[Playlist]:
    """Published public partner playlists, newest first, optionally with ``tag``."""
    return _cached(
        f"playlists:public:{tag or ''}:{page}",
        lambda: get_client().playlists.list(
            visibility="public",
            status="published",
            tags=[tag] if tag else None,
            page=page,
            page_size=LIST_PAGE_SIZE,
        ),
        missing=f"No page {page} of playlists",
    )


SORTS = ("newest", "favourites")


def public_playlists_by_favourites(*, tag: str | None = None, page: int = 1) -> Page[Playlist]:
    """Published public partner playlists (with ``tag``), those most customers keep as
    favourites first (as the shop counted them, :class:`FavouriteMark`), then newest
    first. 7digital cannot order its list so: the list is read whole (up to 500, one
    call, kept ``PUBLIC_SECONDS``) and paged here."""
    every = _cached(
        f"playlists:public-all:{tag or ''}",
        lambda: get_client().playlists.list(
            visibility="public",
            status="published",
            tags=[tag] if tag else None,
            page=1,
            page_size=500,
        ),
        missing="No playlists",
    )
    ids = [p.id for p in every.items]
    counts = dict(
        FavouriteMark.objects.filter(playlist_id__in=ids)
        .values("playlist_id")
        .annotate(n=Count("id"))
        .values_list("playlist_id", "n")
    )
    ordered = sorted(every.items, key=lambda p: -counts.get(p.id, 0))  # stable: newest next
    start = (page - 1) * LIST_PAGE_SIZE
    if page > 1 and start >= len(ordered):
        raise CatalogueNotFound(f"No page {page} of playlists")
    return Page(
        items=tuple(ordered[start : start + LIST_PAGE_SIZE]),
        page=page,
        page_size=LIST_PAGE_SIZE,
        total_items=len(ordered),
    )


def playlist_tags_all() -> list[Tag]:
    """Every tag of the partner's playlists, hidden ones too, in the shop's order: as
    7digital keeps it for ``SEVENDIGITAL_SHOP_ID``, or, for a shop without one, as the
    editors chose it here (:class:`~store.playlists.models.ShopTagOrder`): the tags they
    placed first, then the rest alphabetically."""
    tags = _cached("playlists:tags", lambda: list(get_client().playlists.tags()), missing="No tags")
    if settings.SEVENDIGITAL_SHOP_ID is not None:
        return tags
    chosen = {
        row.name.lower(): (row.position, row.hidden)
        for row in ShopTagOrder.objects.only("name", "position", "hidden")
    }
    unplaced = (len(chosen), False)
    ordered = sorted(tags, key=lambda t: (chosen.get(t.name.lower(), unplaced)[0], t.name.lower()))
    return [
        replace(tag, hidden=chosen.get(tag.name.lower(), unplaced)[1]) if chosen else tag
        for tag in ordered
    ]


def playlist_tags_list() -> list[Tag]:
    """The tags customers see, in the shop's order: every tag the editors have not hidden."""
    return [tag for tag in playlist_tags_all() if not tag.hidden]


def public_playlist_get(*, playlist_id: str) -> Playlist:
    """A playlist anyone may see: public and published (a customer's public one too);
    ``CatalogueNotFound`` (a 404 page) for any other."""
    playlist = _cached(
        f"playlists:details:{playlist_id}",
        lambda: get_client().playlists.details(playlist_id),
        missing=f"No playlist {playlist_id}",
    )
    public = (playlist.visibility or "").lower() == "public"
    published = (playlist.status or "") in ("published", "")  # none: as the list's default
    if not (public and published):
        raise CatalogueNotFound(f"Playlist {playlist_id} is not public")
    return playlist


@dataclass(frozen=True)
class Entry:
    """One of a playlist's items, and the catalogue's track when it plays here."""

    item: PlaylistTrack
    track: Track | None

    @property
    def playable(self) -> bool:
        return self.track is not None


def _catalogue_id(item: PlaylistTrack) -> int | None:
    """The catalogue track an item names, if it is one of 7digital's."""
    if item.source == SOURCE_7DIGITAL and item.track_id.isdigit():
        return int(item.track_id)
    return None


def playlist_entries(
    *, playlist_id: str, country: str, page: int = 1
) -> tuple[Page[PlaylistTrack], list[Entry]]:
    """A page of the playlist's items, each checked against the catalogue for ``country``."""
    items = _cached(
        f"playlists:tracks:{playlist_id}:{page}",
        lambda: get_client().playlists.tracks(playlist_id, page=page, page_size=TRACKS_PAGE_SIZE),
        missing=f"No page {page} of playlist {playlist_id}",
    )
    return items, entries_of(items, country=country)


def entries_of(items, *, country: str) -> list[Entry]:
    """Playlist items, each with the catalogue's track when it plays in ``country``: one
    ``track/details/batch`` call per 500 items."""
    ids = [track_id for item in items if (track_id := _catalogue_id(item)) is not None]
    found = {t.id: t for t in tracks_get_many(track_ids=ids, country=country)} if ids else {}
    return [Entry(item=item, track=found.get(_catalogue_id(item))) for item in items]


HOME_KEY = "playlists:home"
HOME_MAX = 6
HOME_ANNOTATION = "home"


def home_playlists_kept() -> list[Playlist] | None:
    """The home page's playlists if they are kept (no call to 7digital), else None."""
    return cache.get(HOME_KEY)


def home_playlists() -> list[Playlist]:
    """Published public playlists the editors chose for the home page (the ``home``
    annotation), newest first, at most ``HOME_MAX``."""

    def read() -> list[Playlist]:
        page = get_client().playlists.list(visibility="public", status="published", page_size=500)
        chosen = [p for p in page.items if p.annotations.get(HOME_ANNOTATION) == "1"]
        return chosen[:HOME_MAX]

    return _cached(HOME_KEY, read, missing="No playlists")
