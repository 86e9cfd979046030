"""Plays recorded for royalty reporting, and the outbox that ships them to 7digital.

7digital pays labels from the plays partners report, through three endpoints (reference
lines 4735-4886): ``preview/log`` for 30-second previews, ``catalogue/log`` for
radio-style catalogue streams and ``user/subscription/log`` for subscribers' streams.
Each kind of play has its own table, written at once on the request path (a plain
insert, nothing waits for 7digital), and each row is its own outbox entry: Celery tasks
claim due rows, send them in batches and mark them delivered only once 7digital has
accepted them (:mod:`store.playlogs.outbox`). Rows are never deleted: a play 7digital
refuses for good (a 1xxx validation error) stays, flagged ``rejected`` with the reason.

:class:`PreviewResponseTally` counts, per day and country, the proxied clip responses
that started playback, so plays recorded can be reconciled against them;
:class:`PreviewRefusalTally` counts, per day and reason, the plays browsers tried to
start and were refused (no clip received, too many too fast).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

# 7digital preview clips last 30 seconds; a report of more is clamped to this.
PREVIEW_SECONDS_MAX = 30
USER_AGENT_MAX_LENGTH = 512  # stored; the log endpoints take the first 256 characters


class PlayMode(models.TextChoices):
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"
    ONLINE_CACHED = "online-cached", "Online (cached)"


class EndReason(models.TextChoices):
    NATURAL_END = "naturalEnd", "Played to the end"
    USER_SKIPPED = "userSkipped", "Skipped by the listener"
    OTHER = "other", "Other"


class OutboxPlay(models.Model):
    """A play's delivery to 7digital: claimed by one sender at a time, retried with
    backoff, delivered once accepted, or rejected for good with 7digital's reason."""

    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Sends tried, accepted or not.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failure: not sent again before this."
    )
    last_error = models.TextField(blank=True)
    # A sender's claim: while claimed_until is in the future no other sender takes the
    # row. A sender that dies leaves the claim to run out, and the row is due again.
    claimed_by = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True)
    rejected = models.BooleanField(default=False)
    rejected_reason = models.TextField(blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def delivery_state(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.rejected:
            return "rejected"
        return "failing" if self.last_error else "waiting"


def _outbox_index(model: str, time_field: str) -> models.Index:
    """The rows not delivered (to send, failing or rejected), oldest first: small
    however long the table grows. The sender and the dashboard read only these."""
    return models.Index(
        fields=[time_field],
        name=f"playlogs_{model}_undelivered",
        condition=Q(delivered_at__isnull=True),
    )


class RefusalReason(models.TextChoices):
    """Why the start of a preview play was refused (:mod:`store.player.limits`)."""

    NO_CLIP = "no-clip", "No clip of the track received"
    LISTENER_LIMIT = "listener-limit", "Too many plays from one visitor"
    ADDRESS_LIMIT = "address-limit", "Too many plays from one address"


class PreviewPlay(OutboxPlay):
    """A preview heard in the storefront's player: ``preview/log``."""

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

    class Meta:
        indexes = [
            models.Index(fields=["delivered_at", "started_at"], name="playlogs_play_outbox_idx"),
            models.Index(fields=["started_at"], name="playlogs_play_started_idx"),
            _outbox_index("preview", "started_at"),
        ]
        # For every kind of play: the dashboard's retry button (store/playlogs/admin.py).
        permissions = [("retry_playlog", "Can send failed play logs to 7digital again")]

    def __str__(self) -> str:
        return f"Preview of track {self.track_id} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class StreamedPlay(OutboxPlay):
    """A full-track stream's play. Recorded whole (its seconds known: due at once), or,
    from the player, when it starts: then due once the player reports its end, a few
    seconds after its last report, or when it would have ended with no word at all
    (``due_at``), so a page closed mid-track still logs what was heard."""

    track_id = models.PositiveBigIntegerField("7digital track id")
    release_id = models.PositiveBigIntegerField("7digital release id")
    format_id = models.PositiveIntegerField("7digital format id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",  # user.catalogueplays, user.subscriptionplays
    )
    country = models.CharField(max_length=2, help_text="Where the listener played it.")
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    played_at = models.DateTimeField()
    seconds_played = models.PositiveIntegerField(help_text="0 if pre-fetched and never played.")
    # The player's plays (store/player): the track's length bounds the seconds reported,
    # and the play is not sent before ``due_at`` (None: due now, a play recorded whole).
    track_seconds = models.PositiveIntegerField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        kind = self._meta.verbose_name.capitalize()
        return f"{kind} of track {self.track_id} at {self.played_at:%Y-%m-%d %H:%M:%S}"


class CataloguePlay(StreamedPlay):
    """A radio-style stream of a catalogue track (``stream/catalogue``): ``catalogue/log``."""

    listener_id = models.CharField(
        max_length=255, help_text="The userId reported: unique per listener, used consistently."
    )
    end_reason = models.CharField(max_length=16, choices=EndReason.choices)

    class Meta:
        indexes = [
            models.Index(fields=["played_at"], name="playlogs_cat_played_idx"),
            _outbox_index("cat", "played_at"),
        ]


class SubscriptionPlay(StreamedPlay):
    """A subscriber's stream (``stream/subscription``, or an offline play of a cached
    track): ``user/subscription/log``, sent in batches per user."""

    partner_user_id = models.CharField(
        max_length=255, help_text="The 7digital partner user the play is logged for."
    )
    play_mode = models.CharField(max_length=16, choices=PlayMode.choices, default=PlayMode.ONLINE)

    class Meta:
        indexes = [
            models.Index(fields=["played_at"], name="playlogs_subscr_played_idx"),
            _outbox_index("subscr", "played_at"),
        ]


class DeliveryPace(models.Model):
    """When the next request to a rate-limited 7digital endpoint group may leave.

    Shared by every worker process through the database, so all of them together stay
    under 7digital's limit per consumer key (:func:`store.playlogs.outbox.pace_wait`).
    """

    name = models.CharField(max_length=64, primary_key=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: next at {self.next_at:%H:%M:%S.%f}"


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


class StreamResponseTally(models.Model):
    """Whole-track responses that started playback (200, or 206 from byte 0), per UTC
    day and source: the subscription's streams and radio's are set against the plays
    recorded of them; the locker's are counted though never reported (reference)."""

    class Source(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription streams"
        CATALOGUE = "catalogue", "Radio"
        LOCKER = "locker", "Locker streams"

    day = models.DateField()
    source = models.CharField(max_length=16, choices=Source.choices)
    responses = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "source"], name="playlogs_streams_day_source")
        ]
        verbose_name_plural = "stream response tallies"

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.responses}"


class PreviewRefusalTally(models.Model):
    """Preview plays a browser tried to start and was refused, per UTC day and reason."""

    day = models.DateField()
    reason = models.CharField(max_length=16, choices=RefusalReason.choices)
    refusals = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="playlogs_refusals_day_reason")
        ]
        verbose_name_plural = "preview refusal tallies"

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.refusals}"
