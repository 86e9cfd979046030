"""Playlists (reference lines 5224-6410): the partner's and its users', their tracks,
tags, favourites and groups, kept per consumer key in the sandbox's database.

The choices where the reference is silent or contradicts itself are written up in
docs/sandbox-playlists.md; in short:

* A call acts for a user when it names one (``userId`` or an access token). A playlist
  is the partner's when made without a user, the user's when made with one.
* Reading: a public playlist is readable by every call of its key; a private one by its
  owner only, or, for a partner playlist, by any call of the key ("or the partner owns
  the playlist", line 5231). Anyone else gets 2001, as if it did not exist.
* Changing: a partner playlist only without a user, a user's playlist only by that user;
  a playlist the caller may read but not change is 2002.
* ``visibility`` is written lowercase and answered capitalised ("Public", "Private");
  ``status`` is any string up to 64 characters (line 5296), "published" when none is
  given at creation (line 5866).
* Descriptions are cut at 500 characters (lines 5403, 5833); a name is required, up to
  255 characters; a playlist holds at most ``ITEMS_MAX`` tracks (1003 beyond).
* Tags: no request field sets them (lines 5863-5870), so a playlist's tags are the
  comma-separated ``tags`` annotation (``{"annotations": {"tags": "rock,pop"}}``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet

from .. import exceptions
from ..models import (
    PartnerUser,
    Playlist,
    PlaylistFavourite,
    PlaylistGroup,
    PlaylistItem,
    PlaylistTagOrder,
)
from ..state import state

DESCRIPTION_LIMIT = 500
NAME_LIMIT = 255
STATUS_LIMIT = 64
TEXT_LIMIT = 255  # a track's metadata fields
URL_LIMIT = 1000
ITEMS_MAX = 10_000
GROUP_MAX = 500  # playlists in one group
PAGE_SIZE_MAX = 500  # line 5429
TAGS_ANNOTATION = "tags"
VISIBILITY_FILTERS = ("private", "public", "partner", "publicanduser", "all")


def new_id() -> str:
    """24 hex digits, the shape of 7digital's playlist and item ids."""
    return secrets.token_hex(12)


def tags_of(playlist: Playlist) -> list[str]:
    """The playlist's tags: its ``tags`` annotation, split at commas, without blanks."""
    text = playlist.annotations.get(TAGS_ANNOTATION, "") if playlist.annotations else ""
    seen: dict[str, str] = {}
    for tag in str(text).split(","):
        tag = tag.strip()
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return list(seen.values())


@dataclass(frozen=True)
class TrackFields:
    """One track as a caller describes it (line 5501): all of it the caller's."""

    track_id: str = ""
    track_title: str = ""
    track_version: str = ""
    artist_appears_as: str = ""
    release_id: str = ""
    release_title: str = ""
    release_artist_appears_as: str = ""
    release_version: str = ""
    source: str = "7digital"
    audio_url: str = ""
    image: str = ""


@dataclass(frozen=True)
class Details:
    """A playlist's details as a request gives them; None: not given (kept as it is)."""

    name: str | None = None
    description: str | None = None
    status: str | None = None
    visibility: str | None = None
    image: str | None = None
    annotations: dict[str, str] | None = None


class PlaylistsBackend:
    # -- reading and the right to change ------------------------------------------

    def get(self, *, consumer_key: str, playlist_id: str, user: PartnerUser | None) -> Playlist:
        """The playlist if this caller may read it; 2001 otherwise."""
        playlist = (
            Playlist.objects.filter(pk=playlist_id, consumer_key=consumer_key)
            .select_related("owner")
            .first()
        )
        if playlist is None or not self.readable(playlist, user):
            raise exceptions.NotFound("Playlist not found")
        return playlist

    @staticmethod
    def readable(playlist: Playlist, user: PartnerUser | None) -> bool:
        if playlist.visibility == Playlist.Visibility.PUBLIC or playlist.owner_id is None:
            return True
        return user is not None and playlist.owner_id == user.pk

    def editable(
        self, *, consumer_key: str, playlist_id: str, user: PartnerUser | None
    ) -> Playlist:
        """The playlist if this caller may change it: 2001 if it may not read it, 2002 if
        it may read and not change it."""
        playlist = self.get(consumer_key=consumer_key, playlist_id=playlist_id, user=user)
        if playlist.owner_id is None and user is not None:
            raise exceptions.NotAvailable("A partner playlist is changed without a user")
        if playlist.owner_id is not None and (user is None or playlist.owner_id != user.pk):
            raise exceptions.NotAvailable("Only its owner may change a user's playlist")
        return playlist

    # -- making and changing -----------------------------------------------------

    @transaction.atomic(using="sandbox")
    def create(
        self,
        *,
        consumer_key: str,
        owner: PartnerUser | None,
        details: Details,
        tracks: Iterable[TrackFields],
    ) -> Playlist:
        if not details.name:
            raise exceptions.MissingParameter("Required parameter name is missing")
        now = state.now()
        playlist = Playlist.objects.create(
            id=new_id(),
            consumer_key=consumer_key,
            owner=owner,
            name=details.name,
            description=details.description or "",
            status="published" if details.status is None else details.status,
            visibility=details.visibility or Playlist.Visibility.PRIVATE,
            image=details.image or "",
            annotations=details.annotations or {},
            created_at=now,
            last_updated=now,
        )
        self._append(playlist, list(tracks), added_by=owner)
        return playlist

    @transaction.atomic(using="sandbox")
    def replace(self, playlist: Playlist, *, details: Details, tracks: list[TrackFields]) -> None:
        """The whole playlist anew (line 5294): what the body leaves out is emptied."""
        if not details.name:
            raise exceptions.MissingParameter("Required parameter name is missing")
        playlist.name = details.name
        playlist.description = details.description or ""
        playlist.status = details.status or ""
        playlist.visibility = details.visibility or Playlist.Visibility.PRIVATE
        playlist.image = details.image or ""
        playlist.annotations = details.annotations or {}
        playlist.items.all().delete()
        self._append(playlist, tracks, added_by=playlist.owner)
        self._touch(playlist)

    def update_details(self, playlist: Playlist, details: Details) -> None:
        """What the body gives, the rest and the tracks left as they are (line 5401)."""
        for field in ("name", "description", "status", "visibility", "image", "annotations"):
            value = getattr(details, field)
            if value is not None:
                setattr(playlist, field, value)
        if not playlist.name:
            raise exceptions.InvalidParameter("Invalid parameter value: name may not be empty")
        self._touch(playlist)

    def delete(self, playlist: Playlist) -> None:
        playlist.delete()

    @transaction.atomic(using="sandbox")
    def add_tracks(self, playlist: Playlist, tracks: list[TrackFields], *, added_by) -> None:
        Playlist.objects.select_for_update().filter(pk=playlist.pk).first()
        self._append(playlist, tracks, added_by=added_by)
        self._touch(playlist)

    @transaction.atomic(using="sandbox")
    def remove_item(self, playlist: Playlist, item_id: str) -> None:
        removed, _ = PlaylistItem.objects.filter(playlist=playlist, pk=item_id).delete()
        if not removed:
            raise exceptions.NotFound("Playlist item not found")
        self._touch(playlist)

    @transaction.atomic(using="sandbox")
    def move_item(self, playlist: Playlist, item_id: str, after: str) -> None:
        """Put the item just after ``after`` (an item id), or first for ``"0"`` (line 5656).

        Two updates whatever the length: the items between the old place and the new one
        shift by one, and the item takes its new place."""
        Playlist.objects.select_for_update().filter(pk=playlist.pk).first()
        positions = dict(playlist.items.values_list("pk", "position"))
        if item_id not in positions:
            raise exceptions.NotFound("Playlist item not found")
        if after != "0" and after not in positions:
            raise exceptions.InvalidParameter(f"Invalid value for parameter pos: {after[:40]}")
        if after == item_id:
            raise exceptions.InvalidParameter("Invalid value for parameter pos: the item itself")
        old = positions[item_id]
        if after == "0":
            new = min(positions.values())
        else:
            new = positions[after] + 1 if positions[after] < old else positions[after]
        items = playlist.items.all()
        if new < old:
            items.filter(position__gte=new, position__lt=old).update(position=F("position") + 1)
        elif new > old:
            items.filter(position__gt=old, position__lte=new).update(position=F("position") - 1)
        items.filter(pk=item_id).update(position=new)
        self._touch(playlist)

    def _append(self, playlist: Playlist, tracks: list[TrackFields], *, added_by) -> None:
        if not tracks:
            return
        count = playlist.items.count()
        if count + len(tracks) > ITEMS_MAX:
            raise exceptions.OutOfRange(f"A playlist holds at most {ITEMS_MAX} tracks")
        last = playlist.items.aggregate(last=Max("position"))["last"]
        start = 0 if last is None else last + 1
        user = f"id:{added_by.user_id}" if added_by is not None else ""
        PlaylistItem.objects.bulk_create(
            PlaylistItem(
                id=new_id(),
                playlist=playlist,
                position=start + offset,
                user=user,
                **track.__dict__,
            )
            for offset, track in enumerate(tracks)
        )

    @staticmethod
    def _touch(playlist: Playlist) -> None:
        playlist.last_updated = state.now()
        playlist.save()

    # -- lists -------------------------------------------------------------------

    def partner_list(
        self,
        *,
        consumer_key: str,
        user: PartnerUser | None,
        q: str | None = None,
        visibility: str | None = None,
        statuses: list[str] | None = None,
        favourited_by: str | None = None,
        of_user: str | None = None,
        tags: list[str] | None = None,
    ) -> list[Playlist]:
        """``GET playlists`` (line 5759): every filter given, ANDed."""
        found = Playlist.objects.filter(consumer_key=consumer_key).select_related("owner")
        if user is not None:  # "all that user's playlists" whatever the visibility filter
            found = found.filter(owner=user)
        elif of_user is not None:  # another user's: what they show to all
            found = found.filter(owner__user_id=of_user, visibility=Playlist.Visibility.PUBLIC)
        else:
            found = self._visible(found, visibility or "partner")
        if q:
            found = found.filter(name__icontains=q)
        if statuses:
            found = found.filter(status__in=statuses)
        else:  # "published" and playlists without a status (line 5769)
            found = found.filter(Q(status="published") | Q(status=""))
        if favourited_by is not None:
            found = found.filter(owner__isnull=True, favourites__user_id=favourited_by)
        found = found.annotate(track_count=Count("items", distinct=True)).order_by(
            "-created_at", "id"
        )
        wanted = [tag.lower() for tag in tags or []]
        playlists = list(found)
        if wanted:
            playlists = [p for p in playlists if set(wanted) <= {tag.lower() for tag in tags_of(p)}]
        return playlists

    @staticmethod
    def _visible(found: QuerySet, visibility: str) -> QuerySet:
        partner = Q(owner__isnull=True)
        public = Q(visibility=Playlist.Visibility.PUBLIC)
        return found.filter(
            {
                "private": partner & Q(visibility=Playlist.Visibility.PRIVATE),
                "public": partner & public,
                "partner": partner,
                "publicanduser": public,
                "all": partner | public,
            }[visibility]
        )

    def user_list(self, *, user: PartnerUser) -> list[Playlist]:
        """``GET user/playlists`` (line 5994): every playlist of the user's own."""
        return list(
            Playlist.objects.filter(owner=user)
            .select_related("owner")
            .annotate(track_count=Count("items", distinct=True))
            .order_by("-created_at", "id")
        )

    # -- favourites --------------------------------------------------------------

    def favourite(self, *, consumer_key: str, playlist_id: str, user_id: str, on: bool) -> None:
        """``PUT`` / ``DELETE playlists/{id}/favourites/{userId}`` (line 5979): partner
        playlists only (2002 for a user's), by a user of this key (2001 otherwise)."""
        playlist = self.get(consumer_key=consumer_key, playlist_id=playlist_id, user=None)
        if playlist.owner_id is not None:
            raise exceptions.NotAvailable("Only partner playlists can be favourited")
        if not PartnerUser.objects.filter(consumer_key=consumer_key, user_id=user_id).exists():
            raise exceptions.NotFound("User not found")
        if on:
            PlaylistFavourite.objects.get_or_create(
                playlist=playlist, user_id=user_id, defaults={"added_at": state.now()}
            )
        else:
            PlaylistFavourite.objects.filter(playlist=playlist, user_id=user_id).delete()

    # -- tags --------------------------------------------------------------------

    def tags(self, *, consumer_key: str, shop_id: int | None) -> list[tuple[str, bool]]:
        """The partner playlists' tags: in the shop's saved order (the latest saved of any
        shop when none is named), then the rest alphabetically (line 5901)."""
        found: dict[str, str] = {}
        for playlist in Playlist.objects.filter(consumer_key=consumer_key, owner__isnull=True):
            for tag in tags_of(playlist):
                found.setdefault(tag.lower(), tag)
        orders = PlaylistTagOrder.objects.filter(consumer_key=consumer_key)
        if shop_id is not None:
            orders = orders.filter(shop_id=shop_id)
        order = orders.order_by("-saved_at").first()
        result: list[tuple[str, bool]] = []
        for saved in order.tags if order else []:
            name = found.pop(saved["name"].lower(), None)
            if name is not None:
                result.append((name, bool(saved.get("hidden"))))
        result.extend((found[key], False) for key in sorted(found))
        return result

    def save_tags(
        self, *, consumer_key: str, shop_id: int, tags: list[tuple[str, bool]]
    ) -> list[tuple[str, bool]]:
        PlaylistTagOrder.objects.update_or_create(
            consumer_key=consumer_key,
            shop_id=shop_id,
            defaults={
                "tags": [{"name": name, "hidden": hidden} for name, hidden in tags],
                "saved_at": state.now(),
            },
        )
        return tags

    # -- groups (lines 6054-6410) -------------------------------------------------

    def groups(self, *, owner: PartnerUser) -> list[PlaylistGroup]:
        return list(PlaylistGroup.objects.filter(owner=owner).order_by("-last_updated", "id"))

    def group(self, *, owner: PartnerUser, group_id: str) -> PlaylistGroup:
        """The user's own group; 2001 for another's or none."""
        group = PlaylistGroup.objects.filter(pk=group_id, owner=owner).first()
        if group is None:
            raise exceptions.NotFound("Playlist group not found")
        return group

    def create_group(self, *, owner: PartnerUser, name: str, ids: list[str]) -> PlaylistGroup:
        return PlaylistGroup.objects.create(
            id=new_id(),
            owner=owner,
            name=name,
            playlist_ids=self._group_ids([], ids),
            last_updated=state.now(),
        )

    def add_to_group(self, group: PlaylistGroup, ids: list[str]) -> None:
        """Append the ids not in the group yet (line 6232)."""
        group.playlist_ids = self._group_ids(group.playlist_ids, ids)
        group.last_updated = state.now()
        group.save()

    def replace_group(self, group: PlaylistGroup, *, name: str | None, ids: list[str]) -> None:
        if name is not None:
            group.name = name
        group.playlist_ids = self._group_ids([], ids)
        group.last_updated = state.now()
        group.save()

    @staticmethod
    def _group_ids(kept: list[str], ids: list[str]) -> list[str]:
        result = list(kept)
        for playlist_id in ids:
            if playlist_id not in result:
                result.append(playlist_id)
        if len(result) > GROUP_MAX:
            raise exceptions.OutOfRange(f"A playlist group holds at most {GROUP_MAX} playlists")
        return result

    def group_playlists(self, group: PlaylistGroup) -> list[Playlist]:
        """The group's playlists the owner may read, in the group's order: ids that name
        none (deleted, another's private one) are left out when read (line 6128)."""
        found = {
            p.pk: p
            for p in Playlist.objects.filter(
                pk__in=group.playlist_ids, consumer_key=group.owner.consumer_key
            )
            .select_related("owner")
            .annotate(track_count=Count("items", distinct=True))
        }
        return [
            found[pk]
            for pk in group.playlist_ids
            if pk in found and self.readable(found[pk], group.owner)
        ]


playlists_backend = PlaylistsBackend()


def last_updated_text(moment: datetime) -> str:
    """``2013-10-02T12:16:04.615Z``: the reference's lastUpdated, to the millisecond."""
    from datetime import UTC

    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
