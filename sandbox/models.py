"""The sandbox's state: a 7digital catalogue and the partner users created in it.

Everything here lives in the sandbox's own database (see ``sandbox.routers``). Rules
that 7digital applies live in the backends (``sandbox/backends/``); the HTTP handlers
only read parameters, call a backend and shape answers.

Prices are not stored per item and country: an item points at a price tier, and a tier
has one amount per currency, as a label's price codes do. Availability per country is
the list of territories the release is licensed in; its tracks inherit it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

# Territories the sandbox sells in, with their currencies.
CURRENCIES = {"GB": "GBP", "US": "USD", "DE": "EUR", "FR": "EUR", "IE": "EUR", "CA": "CAD"}

# Download packages and their formats (reference lines 80-86 and the package examples).
STANDARD_PACKAGE = 2
PREMIUM_PACKAGE = 9
PACKAGES = {
    STANDARD_PACKAGE: ("Standard", ((17, "MP3 320"), (33, "AAC 320"))),
    PREMIUM_PACKAGE: ("Premium", ((45, "FLAC 16-bit 44.1kHz"),)),
}
DOWNLOAD_LIMITS = (10, 3, 355)
FORMAT_DESCRIPTIONS = {fid: desc for _, formats in PACKAGES.values() for fid, desc in formats}


class Label(models.Model):
    id = models.IntegerField(primary_key=True)
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class Licensor(models.Model):
    id = models.IntegerField(primary_key=True)
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name

    @property
    def download_limit(self) -> int:
        """How often a buyer may download each track: licensors set it (line 5072's
        ``remainingDownloads``); the sandbox's vary, so both ends can be reached."""
        return DOWNLOAD_LIMITS[self.id % len(DOWNLOAD_LIMITS)]


class Tag(models.Model):
    """A catalogue tag; its id is the slug 7digital uses in URLs (``pop``, ``2000s``)."""

    id = models.CharField(primary_key=True, max_length=64)
    text = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.text


class PriceTier(models.Model):
    """A price point: one amount per currency. A missing amount is not for sale there."""

    code = models.CharField(primary_key=True, max_length=32)
    gbp = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    usd = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    eur = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    cad = models.DecimalField(max_digits=8, decimal_places=2, null=True)

    def __str__(self) -> str:
        return self.code

    def amount(self, currency: str) -> Decimal | None:
        return getattr(self, currency.lower(), None)


class Artist(models.Model):
    id = models.IntegerField(primary_key=True)
    name = models.CharField(max_length=255, db_index=True)
    sort_name = models.CharField(max_length=255, db_index=True)
    slug = models.SlugField(max_length=255)
    bio = models.TextField(blank=True)
    popularity = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    tags = models.ManyToManyField(Tag, related_name="artists", blank=True)

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    class Type(models.TextChoices):
        ALBUM = "Album"
        SINGLE = "Single"
        VIDEO = "Video"

    id = models.IntegerField(primary_key=True)
    title = models.CharField(max_length=255, db_index=True)
    version = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.ALBUM)
    barcode = models.CharField(max_length=20, blank=True)
    year = models.IntegerField(null=True)
    explicit = models.BooleanField(default=False)
    slug = models.SlugField(max_length=255)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="releases")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="releases")
    licensor = models.ForeignKey(Licensor, on_delete=models.PROTECT, related_name="releases")
    popularity = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    cline = models.CharField(max_length=255, blank=True)
    pline = models.CharField(max_length=255, blank=True)
    # Countries the release is licensed in, as ",GB,US," so one LIKE finds them.
    territories = models.CharField(max_length=255, default=",GB,US,DE,FR,")
    # Availability per usage type: null means "not available for that use".
    release_date = models.DateTimeField(db_index=True)
    preview_date = models.DateTimeField(null=True)
    streaming_date = models.DateTimeField(null=True)
    ad_supported_date = models.DateTimeField(null=True)
    # Price of the whole release per package; null = not sold as a whole (xsi:nil).
    standard_tier = models.ForeignKey(
        PriceTier, null=True, on_delete=models.PROTECT, related_name="+"
    )
    premium_tier = models.ForeignKey(
        PriceTier, null=True, on_delete=models.PROTECT, related_name="+"
    )
    has_premium = models.BooleanField(default=False)
    taken_down = models.BooleanField(default=False)
    track_count = models.IntegerField(default=0)
    duration = models.IntegerField(default=0)
    tags = models.ManyToManyField(Tag, related_name="releases", blank=True)

    class Meta:
        indexes = [models.Index(fields=["-popularity", "id"])]

    def __str__(self) -> str:
        return self.title

    def licensed_in(self, country: str) -> bool:
        return f",{country.upper()}," in self.territories


class Track(models.Model):
    id = models.IntegerField(primary_key=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="tracks")
    title = models.CharField(max_length=255, db_index=True)
    version = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=10, default="audio")
    disc_number = models.IntegerField(default=1)
    number = models.IntegerField(default=1)
    duration = models.IntegerField(default=0)
    explicit = models.BooleanField(default=False)
    isrc = models.CharField(max_length=12, blank=True, db_index=True)
    pline = models.CharField(max_length=255, blank=True)
    popularity = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    # Price of the track alone per package; null = not sold separately (xsi:nil).
    standard_tier = models.ForeignKey(
        PriceTier, null=True, on_delete=models.PROTECT, related_name="+"
    )
    premium_tier = models.ForeignKey(
        PriceTier, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["release", "disc_number", "number"]),
            models.Index(fields=["-popularity", "id"]),
        ]

    def __str__(self) -> str:
        return self.title


class PartnerUser(models.Model):
    """A partner user created with ``user/create`` by one consumer (reference line 6451)."""

    consumer_key = models.CharField(max_length=255)
    user_id = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer_key", "user_id"], name="sandbox_partner_user_unique"
            )
        ]

    def __str__(self) -> str:
        return self.user_id


class Purchase(models.Model):
    """A sale reported with ``user/deliveritem``: one release or one track (line 6475).

    7digital keeps ``transactionId`` in its log without refusing repeats, so the
    sandbox does not either: a partner that reports a sale twice sells it twice.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(PartnerUser, on_delete=models.CASCADE, related_name="purchases")
    transaction_id = models.CharField(max_length=255)
    country = models.CharField(max_length=2)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="purchases")
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, null=True, blank=True, related_name="purchases"
    )
    package_id = models.IntegerField(default=2)
    retail_price = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    currency = models.CharField(max_length=3)
    post_code = models.CharField(max_length=10, blank=True)
    purchased_at = models.DateTimeField()
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purchased_at"])]

    def __str__(self) -> str:
        return f"purchase {self.id}"


class Download(models.Model):
    """A purchased track fetched from the media host: counts against its licensor's limit."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="downloads")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="downloads")
    format_id = models.IntegerField()
    downloaded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["purchase", "track"])]

    def __str__(self) -> str:
        return f"download of track {self.track_id} ({self.format_id})"


class Subscription(models.Model):
    """A partner user's subscription as ``user/unlimitedStreaming`` last set it (reference
    lines 6411-6449): the whole state a partner posts, kept as posted. The rules that admit
    a post live in ``sandbox/backends/subscriptions.py``; the control API may store any
    state, to simulate drift. Dates are UTC, to the second."""

    class Plan(models.TextChoices):
        PREMIUM = "premium-unlimited-streaming"
        STANDARD = "standard-unlimited-streaming"
        TRIAL = "trial-unlimited-streaming"

    class Status(models.TextChoices):
        ACTIVE = "active"
        CANCELLED = "cancelled"
        EXPIRED = "expired"

    user = models.OneToOneField(PartnerUser, on_delete=models.CASCADE, related_name="subscription")
    plan_code = models.CharField(max_length=32, choices=Plan.choices, default=Plan.PREMIUM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    currency = models.CharField(max_length=3, default="GBP")
    recurring_fee = models.IntegerField(default=0)  # minor units: 999 is 9.99
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="GB")
    shop_id = models.BigIntegerField(null=True, blank=True)
    activated_at = models.DateTimeField()
    current_period_start = models.DateTimeField()
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    expiry_date = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user.user_id}: {self.plan_code} {self.status}"

    @property
    def level(self) -> str:
        """What GET answers as ``level``: the plan's first word (``premium``)."""
        return self.plan_code.split("-", 1)[0]


class OfflineDevice(models.Model):
    """A device a partner registered for offline play with ``user/unlimitedStreaming/offline``
    (reference lines 4681-4736). ``client_id`` is kept as first sent (a GUID or a whole
    number); ``client_key`` is its canonical spelling (lower case, no leading zeros), so a
    device is the same whichever spelling a later call uses. Disabling keeps the row with
    ``enabled`` false: it frees the slot, and the device stays listed."""

    user = models.ForeignKey(PartnerUser, on_delete=models.CASCADE, related_name="offline_devices")
    client_id = models.CharField(max_length=40)
    client_key = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    registered_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_key"], name="sandbox_offline_device_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.user_id}: device {self.client_id}"


class ReceivedPlayLog(models.Model):
    """One play log accepted by ``preview/log``, ``catalogue/log`` or
    ``user/subscription/log`` (reference lines 4735-4886), kept for tests to count.

    ``played_at_text`` is ``dateTimePlayed`` exactly as sent: a client that sends the same
    play twice sends the same text, which is how duplicates are told apart.
    """

    class Kind(models.TextChoices):
        PREVIEW = "preview"
        CATALOGUE = "catalogue"
        SUBSCRIPTION = "subscription"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    consumer_key = models.CharField(max_length=255)
    request_country = models.CharField(max_length=2)
    country = models.CharField(max_length=2, blank=True)
    user_id = models.CharField(max_length=255)
    track_id = models.BigIntegerField()
    release_id = models.BigIntegerField(null=True, blank=True)
    format_id = models.BigIntegerField(null=True, blank=True)
    played_at = models.DateTimeField()
    played_at_text = models.CharField(max_length=64)
    seconds_played = models.BigIntegerField()
    user_agent = models.CharField(max_length=256)
    play_mode = models.CharField(max_length=16, blank=True)
    end_reason = models.CharField(max_length=16, blank=True)
    request_id = models.UUIDField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "received_at"])]

    def __str__(self) -> str:
        return f"{self.kind} log of track {self.track_id}"


class Stream(models.Model):
    """The latest full-track stream of one user on one device, per kind (``stream/locker``,
    ``stream/subscription``; reference lines 4588-4655), and the concurrency state of
    ``clientId`` devices (error 3201): in the database so that the threaded server's
    requests and the control API see one state. ``client_id`` is empty when the request
    named no device. The rules live in ``sandbox/backends/streams.py``."""

    class Kind(models.TextChoices):
        LOCKER = "locker"
        SUBSCRIPTION = "subscription"

    consumer_key = models.CharField(max_length=255)
    user_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    client_id = models.CharField(max_length=255, blank=True)
    track_id = models.BigIntegerField()
    format_id = models.IntegerField()
    country = models.CharField(max_length=2)
    track_seconds = models.IntegerField()  # the track's length: when it ends if played through
    started_at = models.DateTimeField()  # when this track's stream began (on this device)
    last_request_at = models.DateTimeField()
    requests = models.IntegerField(default=1)  # on this track: its start and every seek
    # Set when another device of the user started a track while this one was streaming:
    # this device may finish its current track, and is refused until ``blocked_until``.
    superseded_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer_key", "user_id", "kind", "client_id"],
                name="sandbox_stream_device_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} stream of track {self.track_id} for {self.user_id}"


class Playlist(models.Model):
    """A playlist of one consumer key: the partner's own (``owner`` empty, reference line
    5757) or one of its users' (``owner`` set). The rules are in
    ``sandbox/backends/playlists.py``; the choices where the reference is silent or
    contradicts itself are in docs/sandbox-playlists.md."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private"
        PUBLIC = "public", "Public"

    id = models.CharField(primary_key=True, max_length=24)  # 24 hex digits, as 7digital's
    consumer_key = models.CharField(max_length=255)
    owner = models.ForeignKey(
        PartnerUser, null=True, blank=True, on_delete=models.CASCADE, related_name="playlists"
    )
    name = models.CharField(max_length=255)
    description = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=64, blank=True)  # any string; empty: none given
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    image = models.CharField(max_length=1000, blank=True)
    annotations = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    last_updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["consumer_key", "owner", "last_updated"])]

    def __str__(self) -> str:
        return f"playlist {self.id} ({self.name})"


class PlaylistItem(models.Model):
    """One entry of a playlist, with the metadata its caller supplied (line 5501)."""

    id = models.CharField(primary_key=True, max_length=24)
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.IntegerField()
    track_id = models.CharField(max_length=64, blank=True)
    track_title = models.CharField(max_length=255, blank=True)
    track_version = models.CharField(max_length=255, blank=True)
    artist_appears_as = models.CharField(max_length=255, blank=True)
    release_id = models.CharField(max_length=64, blank=True)
    release_title = models.CharField(max_length=255, blank=True)
    release_artist_appears_as = models.CharField(max_length=255, blank=True)
    release_version = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=64, default="7digital")
    audio_url = models.CharField(max_length=1000, blank=True)
    image = models.CharField(max_length=1000, blank=True)
    user = models.CharField(max_length=260, blank=True)  # "id:<userId>" of who added it

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["playlist", "position"])]

    def __str__(self) -> str:
        return f"item {self.id} of playlist {self.playlist_id}"


class PlaylistFavourite(models.Model):
    """A user's favourite among the partner's playlists (line 5979)."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="favourites")
    user_id = models.CharField(max_length=255)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["playlist", "user_id"], name="sandbox_playlist_favourite_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} favours {self.playlist_id}"


class PlaylistTagOrder(models.Model):
    """The order (and hidden hints) of a shop's playlist tags, saved by POST
    ``playlists/tags`` with its ``shopId`` (line 5935)."""

    consumer_key = models.CharField(max_length=255)
    shop_id = models.BigIntegerField()
    tags = models.JSONField(default=list)  # [{"name": ..., "hidden": bool}, ...]
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer_key", "shop_id"], name="sandbox_playlist_tags_shop_unique"
            )
        ]

    def __str__(self) -> str:
        return f"tag order of shop {self.shop_id}"


class PlaylistGroup(models.Model):
    """A user's named group of playlists (lines 6054-6410); unknown ids are kept and
    left out when read."""

    id = models.CharField(primary_key=True, max_length=24)
    owner = models.ForeignKey(PartnerUser, on_delete=models.CASCADE, related_name="playlist_groups")
    name = models.CharField(max_length=255)
    playlist_ids = models.JSONField(default=list)
    last_updated = models.DateTimeField()

    def __str__(self) -> str:
        return f"group {self.id} ({self.name})"
