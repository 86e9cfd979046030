from django.conf import settings
from django.db import models


class PlaylistDeletion(models.Model):
    """A customer's playlist on its way out: kept at 7digital until ``due_at`` so that
    the customer may undo (7digital's delete is irreversible, reference line 5360), then
    deleted by ``tasks.playlist_deletion_send`` (or the sweep, if that task was lost)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlist_deletions"
    )
    playlist_id = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=255, blank=True)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"deletion of playlist {self.playlist_id} due {self.due_at:%Y-%m-%d %H:%M:%S}"
