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


class CustomerPlaylist(models.Model):
    """Which customer made a playlist through the shop: 7digital names no owner in its
    answers, and staff need the owner to hide a public playlist that was reported (a
    change of it is made as its owner)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    playlist_id = models.CharField(max_length=24, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"playlist {self.playlist_id} of {self.user}"


class PlaylistReport(models.Model):
    """A customer's report of a public playlist, for staff to look into."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", "Offensive name or description"
        SPAM = "spam", "Spam or advertising"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HIDDEN = "hidden", "Playlist hidden"
        DISMISSED = "dismissed", "Dismissed"

    playlist_id = models.CharField(max_length=24, db_index=True)
    playlist_name = models.CharField(max_length=255, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlist_reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["playlist_id", "reporter"], name="playlists_one_report_per_customer"
            )
        ]
        permissions = [("moderate_playlist", "Can hide and restore customers' public playlists")]

    def __str__(self) -> str:
        return f"report of playlist {self.playlist_id} ({self.get_reason_display()})"


class ShopTagOrder(models.Model):
    """The order (and hiding) of the shop's playlist tags that the editors chose, kept
    here when the shop has no 7digital shop id to save it under (``SEVENDIGITAL_SHOP_ID``:
    7digital's ``POST playlists/tags`` needs one, reference line 5954)."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField()
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.position}: {self.name}{' (hidden)' if self.hidden else ''}"


class PlaylistImport(models.Model):
    """A customer's file on its way to becoming a playlist: the rows read from it (no
    network needed), then matched against the catalogue and made into a playlist by
    ``tasks.playlist_import_run``, which may take minutes for a long file (a search or
    three a track). The row is the intent: a task lost with its worker is sent again by
    the minute's sweep."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        WORKING = "working", "Finding the tracks"
        CREATING = "creating", "Making the playlist"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlist_imports"
    )
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    rows = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    playlist_id = models.CharField(max_length=24, blank=True)
    imported = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)  # the labels of rows not found
    problem = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # by the run now working
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"import of “{self.name}” ({len(self.rows)} rows): {self.status}"


class FavouriteMark(models.Model):
    """A customer's favourite among the shop's playlists, as made through the shop.

    7digital keeps favourites but counts none (its list can only be filtered by one
    user's, reference line 5769), so the shop notes each one it makes to order
    ``/playlists/`` by how many customers keep each playlist. Favourites made elsewhere
    (another app of the partner's) are not counted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_marks"
    )
    playlist_id = models.CharField(max_length=24, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "playlist_id"], name="one_mark_a_playlist")
        ]

    def __str__(self) -> str:
        return f"{self.user} keeps {self.playlist_id}"
