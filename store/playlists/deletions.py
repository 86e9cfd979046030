"""Deleting a customer's playlist with a moment to undo it (issue 20).

7digital's delete is irreversible and its reference advises delaying it so that users
may undo (line 5360). The request is a row (:class:`PlaylistDeletion`) due
``PLAYLIST_UNDO_SECONDS`` later: the playlist leaves the customer's list at once, an
"Undo" removes the row, and at the due time a task deletes it at 7digital. The row is
the intent: a task lost with its worker is sent by the minute's sweep. The call to
7digital is made outside any transaction; a deletion that fails for now stays due.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.sevendigital import get_client, is_transient
from sevendigital import errors
from store.playlists import tasks
from store.playlists.models import PlaylistDeletion
from store.playlists.services import LibraryNotReady, _partner

logger = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(minutes=1)
MAX_ATTEMPTS = 20


def pending_ids(*, user) -> set[str]:
    """The customer's playlists on their way out (not shown in their list)."""
    return set(PlaylistDeletion.objects.filter(user=user).values_list("playlist_id", flat=True))


@transaction.atomic
def playlist_deletion_request(*, user, playlist_id: str, name: str) -> PlaylistDeletion:
    now = timezone.now()
    deletion, _ = PlaylistDeletion.objects.get_or_create(
        playlist_id=playlist_id,
        defaults={
            "user": user,
            "name": name,
            "requested_at": now,
            "due_at": now + timedelta(seconds=settings.PLAYLIST_UNDO_SECONDS),
        },
    )
    transaction.on_commit(
        lambda: tasks.playlist_deletion_send.apply_async(
            args=[deletion.pk], countdown=settings.PLAYLIST_UNDO_SECONDS
        )
    )
    return deletion


@transaction.atomic
def playlist_deletion_undo(*, user, playlist_id: str) -> bool:
    """Keep the playlist after all: True if it was still on its way out."""
    deleted, _ = (
        PlaylistDeletion.objects.select_for_update()
        .filter(user=user, playlist_id=playlist_id)
        .delete()
    )
    return bool(deleted)


def playlist_deletion_send(*, deletion_id: int) -> None:
    """Delete at 7digital once due; an undone deletion (no row) does nothing."""
    with transaction.atomic():
        deletion = PlaylistDeletion.objects.select_for_update().filter(pk=deletion_id).first()
        if deletion is None or deletion.due_at > timezone.now():
            return  # undone, or early (the sweep or a later task sends it)
        deletion.attempts += 1
        deletion.save(update_fields=["attempts"])
    # Outside the transaction: an undo arriving now finds the row and removes it, but the
    # delete below may already be on its way; the customer was told "a few seconds".
    try:
        partner = _partner(deletion.user)
        get_client().playlists.delete(deletion.playlist_id, user=partner)
    except errors.NotFound:
        pass  # already gone at 7digital
    except errors.SevenDigitalError as exc:
        if is_transient(exc) and deletion.attempts < MAX_ATTEMPTS:
            PlaylistDeletion.objects.filter(pk=deletion_id).update(last_error=str(exc)[:500])
            return  # the sweep tries again
        logger.error("Playlist %s not deleted: %r", deletion.playlist_id, exc)
    except LibraryNotReady as exc:  # the partner user is not ready: try again later
        PlaylistDeletion.objects.filter(pk=deletion_id).update(last_error=str(exc)[:500])
        return
    PlaylistDeletion.objects.filter(pk=deletion_id).delete()


def playlist_deletions_sweep() -> int:
    late = timezone.now() - SWEEP_GRACE
    due = list(PlaylistDeletion.objects.filter(due_at__lte=late).values_list("pk", flat=True))
    for deletion_id in due:
        tasks.playlist_deletion_send.delay(deletion_id)
    return len(due)
