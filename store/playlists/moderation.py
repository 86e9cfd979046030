"""Reports of public playlists, and what staff do about them (issue 20).

A customer reports a public playlist once (a second report of theirs changes nothing).
Staff hide a customer's playlist by making it private, a change made as its owner (the
shop knows the owner of what was made through it: ``CustomerPlaylist``), and restore it
by making it public again. The shop's own playlists are the editors' to change, in the
studio, not moderated here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.sevendigital import get_client
from sevendigital import errors
from store.playlists.models import CustomerPlaylist, PlaylistReport
from store.playlists.services import _partner

DETAILS_LIMIT = 1000


class ModerationRefused(Exception):
    """The playlist cannot be hidden or restored here: the message says why."""


def playlist_report(*, user, playlist_id: str, name: str, reason: str, details: str) -> bool:
    """Record the report; False when this customer had reported the playlist already."""
    try:
        with transaction.atomic():
            PlaylistReport.objects.create(
                playlist_id=playlist_id,
                playlist_name=name[:255],
                reporter=user,
                reason=PlaylistReport.Reason(reason),
                details=details[:DETAILS_LIMIT],
            )
    except IntegrityError:
        return False
    return True


def _set_visibility(*, playlist_id: str, visibility: str) -> None:
    known = CustomerPlaylist.objects.select_related("user").filter(playlist_id=playlist_id).first()
    if known is None:
        raise ModerationRefused(
            "The shop's own playlists (or playlists made outside it) are not changed from here."
        )
    try:
        get_client().playlists.update_details(
            playlist_id, user=_partner(known.user), visibility=visibility
        )
    except errors.NotFound as exc:
        raise ModerationRefused("The playlist no longer exists.") from exc
    except errors.SevenDigitalError as exc:
        raise ModerationRefused(f"7digital did not answer ({exc}); nothing changed.") from exc


def playlist_hide(*, playlist_id: str, staff) -> int:
    """Make the playlist private and close its open reports; how many were closed."""
    _set_visibility(playlist_id=playlist_id, visibility="private")
    return PlaylistReport.objects.filter(
        playlist_id=playlist_id, status=PlaylistReport.Status.OPEN
    ).update(status=PlaylistReport.Status.HIDDEN, handled_by=staff, handled_at=timezone.now())


def playlist_restore(*, playlist_id: str, staff) -> None:
    """Make a hidden playlist public again (its reports stay as they were closed)."""
    _set_visibility(playlist_id=playlist_id, visibility="public")


def reports_dismiss(*, report_ids, staff) -> int:
    return PlaylistReport.objects.filter(
        pk__in=report_ids, status=PlaylistReport.Status.OPEN
    ).update(status=PlaylistReport.Status.DISMISSED, handled_by=staff, handled_at=timezone.now())
