"""Preview plays, recorded for royalty reporting before anything is sent to 7digital.

A :class:`PreviewPlay` is written when the player starts a preview and completed when it
stops; a later outbox ships each row to 7digital's ``preview/log`` (country, trackId,
dateTimePlayed, totalTimePlayed, userAgent, userId, playMode) and fills in the delivery
fields. :class:`PreviewResponseTally` counts, per day and country, the proxied clip
responses that started playback, so plays recorded can be reconciled against them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

# 7digital preview clips last 30 seconds; a report of more is clamped to this.
PREVIEW_SECONDS_MAX = 30
USER_AGENT_MAX_LENGTH = 512  # stored; preview/log takes the first 256 characters


class PlayMode(models.TextChoices):
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"
    ONLINE_CACHED = "online-cached", "Online (cached)"


class PreviewPlay(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    track_id = models.PositiveBigIntegerField("7digital track id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # The play stays reportable when the account goes; anonymous_id still names it.
        on_delete=models.SET_NULL,
        related_name="preview_plays",
    )
    anonymous_id = models.CharField(
        max_length=64, blank=True, help_text="Random id kept in the visitor's session."
    )
    country = models.CharField(max_length=2)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    play_mode = models.CharField(max_length=16, choices=PlayMode.choices, default=PlayMode.ONLINE)
    started_at = models.DateTimeField()
    seconds_played = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Reported by the player when it stops; empty until then.",
    )
    reported_at = models.DateTimeField(null=True, blank=True)

    # Delivery to 7digital's preview/log (the outbox of a later issue).
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    rejected = models.BooleanField(default=False)
    rejected_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["delivered_at", "started_at"], name="playlogs_play_outbox_idx"),
            models.Index(fields=["started_at"], name="playlogs_play_started_idx"),
        ]

    def __str__(self) -> str:
        return f"Preview of track {self.track_id} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class PreviewResponseTally(models.Model):
    """Proxied clip responses that started playback (200, or 206 from byte 0), per day."""

    day = models.DateField()
    country = models.CharField(max_length=2)
    responses = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "country"], name="playlogs_tally_day_country")
        ]
        verbose_name_plural = "preview response tallies"

    def __str__(self) -> str:
        return f"{self.day} {self.country}: {self.responses}"
