"""The seeded world: the reference's examples saved as rows, then a generated catalogue.

``seed()`` wipes the sandbox database back to its seeded state and rebuilds it. The same
``seed`` and ``tracks`` give byte-identical rows on every run and every machine: all
randomness comes from one ``random.Random(seed)``, never the global generator, and no
value depends on the clock. Sizes, dates, ids, popularity, prices and what a reseed
empties are explained in ``docs/sandbox-seed.md``.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import accumulate

from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.utils.text import slugify

from ..models import Artist, Label, Licensor, PartnerUser, PriceTier, Release, Tag, Track
from .examples import (
    EXAMPLE_ARTISTS,
    EXAMPLE_ARTISTS_WITHOUT_RELEASES,
    EXAMPLE_LABELS,
    EXAMPLE_LICENSORS,
    EXAMPLE_RELEASES,
    EXAMPLE_TAGS,
    SAME,
    ExampleRelease,
    Filler,
)
from .words import (
    ADJECTIVES,
    ALBUM_FRAMES,
    BAND_NOUNS,
    CITIES,
    DECADE_TAGS,
    FIRST_NAMES,
    FORCED_ARTIST_NAMES,
    FORCED_RELEASE_TITLES,
    FORCED_TRACK_TITLES,
    GENRE_TAGS,
    GENRES,
    LABEL_KINDS,
    LABEL_WORDS,
    NUMBERS,
    SURNAMES,
    TITLE_ADJECTIVES,
    TITLE_NOUNS,
    TITLE_OPENERS,
    TRACK_VERSIONS,
    WORD_ENDS,
    WORD_PARTS,
)

ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
PRERELEASE_FROM = datetime(2099, 1, 1, tzinfo=UTC)

COUNTRIES = ("GB", "US", "DE", "FR", "IE", "CA")
EVERYWHERE = "," + ",".join(COUNTRIES) + ","
GB_ONLY = ",GB,"

GENERATED_ARTIST_IDS_FROM = 10_000_000
GENERATED_RELEASE_IDS_FROM = 20_000_000
EXAMPLE_FILLER_TRACK_IDS_FROM = 45_000_000
GENERATED_TRACK_IDS_FROM = 50_000_000
GENERATED_LABEL_IDS_FROM = 900_001

# Below this the generated world would miss some of its special cases.
MIN_GENERATED_TRACKS = 400
MIN_GENERATED_RELEASES = 40
MIN_GENERATED_ARTISTS = 40

# Rows per INSERT; Django lowers it to what the backend allows (SQLite: 999 parameters).
BATCH_SIZE = 2_000
# Releases (about ten tracks each) built before they are saved and forgotten.
CHUNK_RELEASES = 2_000

ARTIST_POPULARITY_CAP = 79
RELEASE_POPULARITY_CAP = 95
TRACK_POPULARITY_CAP = 95
EXAMPLE_FILLER_POPULARITY_CAP = 30  # below every example track's popularity

_PERCENT = [Decimal(i).scaleb(-2) for i in range(101)]  # 0.00 .. 1.00


@dataclass(frozen=True)
class _Plan:
    """Per generated release (by index): its type, size and maker, and its special cases."""

    types: list[str]
    sizes: list[int]
    makers: list[int]
    prerelease: set[int]
    restricted: set[int]
    gb_only: set[int]
    explicit: set[int]
    not_streamable: set[int]
    no_ads: set[int]
    no_preview: set[int]
    not_sold_whole: set[int]
    two_discs: set[int]
    premium: set[int]
    # Ordinals among the tracks of releases sold as a whole.
    unsold_tracks: set[int]


@dataclass(frozen=True)
class SeedStats:
    labels: int
    licensors: int
    tags: int
    price_tiers: int
    artists: int
    releases: int
    tracks: int
    artist_tags: int
    release_tags: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(value for key, value in asdict(self).items() if key != "seconds")

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "rows": self.rows}


# Generated releases' licensors: the three majors plus independents, all from the examples.
GENERATED_LICENSORS = ((1, 14), (2, 12), (18, 12), (13, 2), (48, 3), (68, 2), (166, 3))

# Album and single prices (GBP) the generated catalogue uses.
ALBUM_PRICES = ("5.99", "6.99", "7.99", "8.49", "8.99", "9.99")
SHORT_ALBUM_PRICES = ("3.99", "4.49")
SINGLE_PRICES = {1: "0.99", 2: "1.49", 3: "1.99", 4: "2.49"}
PREMIUM_PRICES = {"0.99": "1.49", "1.49": "1.99", "1.99": "2.99", "2.49": "3.99"}
PREMIUM_ALBUM_PRICES = ("9.99", "11.99", "13.99")
TRACK_PRICES = ("0.79", "0.99", "0.99", "0.99", "0.99", "1.29")
TRACK_PREMIUM_PRICE = "1.49"
VIDEO_PRICE = "1.99"

_RATES = {"usd": Decimal("1.27"), "eur": Decimal("1.17"), "cad": Decimal("1.72")}
_CENT = Decimal("0.01")


_ArtistTag = Artist.tags.through
_ReleaseTag = Release.tags.through
_COUNTED = {
    Licensor: "licensors",
    Label: "labels",
    Tag: "tags",
    PriceTier: "price_tiers",
    Artist: "artists",
    Release: "releases",
    Track: "tracks",
    _ArtistTag: "artist_tags",
    _ReleaseTag: "release_tags",
}
_GENERATED_PRICES = sorted(
    {
        *ALBUM_PRICES,
        *SHORT_ALBUM_PRICES,
        *SINGLE_PRICES.values(),
        *PREMIUM_PRICES.values(),
        *PREMIUM_ALBUM_PRICES,
        *TRACK_PRICES,
        TRACK_PREMIUM_PRICE,
        VIDEO_PRICE,
    },
    key=Decimal,
)


def seed(*, tracks: int = 100_000, using: str = "sandbox", seed: int = 7) -> SeedStats:
    """Wipe the sandbox database and rebuild the catalogue; the same arguments, same rows."""
    started = time.perf_counter()
    world = _World(random.Random(seed), using)  # noqa: S311 - reproducible data, not secrets
    with transaction.atomic(using=using):
        _flush(using)
        world.build(tracks)
    return SeedStats(**world.counts, seconds=round(time.perf_counter() - started, 3))


def _flush(using: str) -> None:
    connection = connections[using]
    wiped = (_ArtistTag, _ReleaseTag, Track, Release, Artist, Tag)
    wiped += (PriceTier, Label, Licensor, PartnerUser)
    tables = [model._meta.db_table for model in wiped]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to TRUNCATE a table whose deferred foreign-key checks are
        # still pending, as they are when rows were written earlier in this transaction
        # (a reseed inside a test's transaction): run those checks now.
        connection.check_constraints()
    connection.ops.execute_sql_flush(statements)


def _local_price(gbp: Decimal, currency: str) -> Decimal:
    """GBP converted and rounded up to a price point: 1.26 becomes 1.29, 10.15 becomes 10.99."""
    amount = gbp * _RATES[currency]
    step = Decimal(1) if amount >= 5 else Decimal("0.1")
    steps = (amount / step).to_integral_value(rounding=ROUND_CEILING)
    return (steps * step - _CENT).quantize(_CENT)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _barcode(number: int, *, upc: bool) -> str:
    """An EAN-13 (or 12-digit UPC) with a valid check digit; leading zeros are kept."""
    body = f"0{number:010d}" if upc else f"50{number:010d}"
    digits = [int(d) for d in body.rjust(12, "0")]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return body + str((10 - total % 10) % 10)


def _base26(number: int, width: int = 3) -> str:
    letters = []
    for _ in range(width):
        number, rest = divmod(number, 26)
        letters.append(chr(ord("A") + rest))
    return "".join(reversed(letters))


class _World:
    """Builds the rows and saves them in bulk, releases and tracks a chunk at a time."""

    def __init__(self, rng: random.Random, using: str) -> None:
        self.rng = rng
        self.using = using
        self.counts = dict.fromkeys(_COUNTED.values(), 0)
        self.saved_tiers: set[str] = set()
        self.tiers: dict[str, PriceTier] = {}
        self.labels: list[Label] = []
        self.licensors: list[Licensor] = []
        self.tags: list[Tag] = []
        self.artists: list[Artist] = []
        self.releases: list[Release] = []
        self.tracks: list[Track] = []
        self.artist_tags: list[tuple[int, str]] = []
        self.release_tags: list[tuple[int, str]] = []
        self.artist_names: set[str] = set()
        self.artist_slugs: set[str] = set()
        self.release_slugs: set[str] = set()
        self.release_slug_counts: dict[str, int] = {}
        self.reserved_isrc_prefixes: set[str] = set()
        self.filler_track_id = EXAMPLE_FILLER_TRACK_IDS_FROM
        # State of the generated catalogue, carried from one release to the next.
        self.track_id = GENERATED_TRACK_IDS_FROM
        self.forced_track_titles = iter(FORCED_TRACK_TITLES)
        self.sold_whole_tracks_seen = 0
        self.label_ids: list[tuple[int, int]] = []
        self.label_names: dict[int, str] = {}
        self.label_of_artist: dict[int, tuple[int, int]] = {}
        self.popularity_of_artist: dict[int, float] = {}
        self.tags_of_artist: dict[int, list[str]] = {}
        self.isrc_prefix_of_artist: dict[int, str] = {}
        self.isrc_count_of_artist: dict[int, int] = {}

    # --- shared helpers

    def tier(self, gbp: str | None) -> str | None:
        if gbp is None:
            return None
        code = f"gbp-{gbp}"
        if code not in self.tiers:
            amount = Decimal(gbp)
            self.tiers[code] = PriceTier(
                code=code,
                gbp=amount,
                usd=_local_price(amount, "usd"),
                eur=_local_price(amount, "eur"),
                cad=_local_price(amount, "cad"),
            )
        return code

    def unique_release_slug(self, title: str) -> str:
        """``title``, ``title-2``, ``title-3``...: the first not taken, examples included."""
        base = slugify(title) or "release"
        n = self.release_slug_counts.get(base, 0)
        slug = f"{base}-{n + 1}" if n else base
        while slug in self.release_slugs:
            n += 1
            slug = f"{base}-{n + 1}"
        self.release_slug_counts[base] = n + 1
        self.release_slugs.add(slug)
        return slug

    def popularity(self, cap: int) -> Decimal:
        """Skewed towards 0: most items are obscure, a few are hits."""
        return _PERCENT[int(cap * self.rng.random() ** 4)]

    # --- building and saving

    def build(self, tracks: int) -> None:
        n_tracks = max(tracks, MIN_GENERATED_TRACKS)
        n_releases = max(n_tracks // 10, MIN_GENERATED_RELEASES)
        n_artists = max(n_releases // 5, MIN_GENERATED_ARTISTS)
        for price in _GENERATED_PRICES:
            self.tier(price)
        self.add_examples()
        label_ids = self.generate_labels()
        artist_ids = self.generate_artists(n_artists)
        self.save(Licensor, self.licensors)
        self.save(Label, self.labels)
        self.save(Tag, self.tags)
        self.save(Artist, self.artists)
        pairs = dict.fromkeys(self.artist_tags)
        self.save(_ArtistTag, [_ArtistTag(artist_id=a, tag_id=t) for a, t in pairs])
        for example in EXAMPLE_RELEASES:
            self.add_example_release(example)
        self.reserved_isrc_prefixes.update(track.isrc[:5] for track in self.tracks)
        self.save_catalogue()
        self.generate_releases(n_releases, n_tracks, artist_ids, label_ids)
        self.save_catalogue()

    def save(self, model: type[models.Model], rows: list) -> None:
        model.objects.using(self.using).bulk_create(rows, batch_size=BATCH_SIZE)
        self.counts[_COUNTED[model]] += len(rows)

    def save_catalogue(self) -> None:
        """Saves the releases and tracks built so far, and forgets them to spare memory."""
        new_tiers = sorted(set(self.tiers) - self.saved_tiers)
        self.save(PriceTier, [self.tiers[code] for code in new_tiers])
        self.saved_tiers.update(new_tiers)
        self.save(Release, self.releases)
        self.save(Track, self.tracks)
        self.save(_ReleaseTag, [_ReleaseTag(release_id=r, tag_id=t) for r, t in self.release_tags])
        self.releases, self.tracks, self.release_tags = [], [], []

    # --- the reference's examples

    def add_examples(self) -> None:
        """The reference's licensors, labels, tags and artists; releases come after."""
        self.licensors += [Licensor(id=i, name=name) for i, name in EXAMPLE_LICENSORS.items()]
        self.labels += [Label(id=i, name=name) for i, name in EXAMPLE_LABELS.items()]
        all_tags = {**EXAMPLE_TAGS, **GENRE_TAGS, **DECADE_TAGS}
        self.tags += [Tag(id=slug, text=text) for slug, text in sorted(all_tags.items())]
        for example in EXAMPLE_ARTISTS:
            self.artists.append(
                Artist(
                    id=example.id,
                    name=example.name,
                    sort_name=example.sort_name or example.name,
                    slug=example.slug,
                    bio="",
                    popularity=Decimal(example.popularity),
                )
            )
            self.artist_tags += [(example.id, tag) for tag in example.tags]
            self.artist_names.add(example.name.lower())
            self.artist_slugs.add(example.slug)

    def add_example_release(self, example: ExampleRelease) -> None:
        released = _when(example.release_date)

        def date(value: str | None) -> datetime | None:
            return released if value == SAME else (_when(value) if value else None)

        label_name = EXAMPLE_LABELS[example.label]
        year = example.year or released.year
        release = Release(
            id=example.id,
            title=example.title,
            version=example.version,
            type=example.type,
            barcode=example.barcode or f"{example.id:013d}",
            year=year,
            explicit=example.explicit,
            slug=example.slug,
            artist_id=example.artist,
            label_id=example.label,
            licensor_id=example.licensor,
            popularity=Decimal(example.popularity),
            cline=example.cline or f"{year} {label_name}",
            pline=example.pline or f"{year} {label_name}",
            territories=EVERYWHERE,
            release_date=released,
            preview_date=date(example.preview_date),
            streaming_date=date(example.streaming_date),
            ad_supported_date=date(example.ad_supported_date),
            standard_tier_id=self.tier(example.gbp),
            premium_tier_id=self.tier(example.premium_gbp),
            has_premium=example.premium_gbp is not None,
            taken_down=example.taken_down,
        )
        self.release_slugs.add(example.slug)
        self.release_tags += [(example.id, tag) for tag in example.tags]

        known = {track.number: track for track in example.tracks}
        missing = [n for n in range(1, example.track_count + 1) if n not in known]
        fillers = list(example.fillers) + [self.track_title() for _ in missing]
        titles = [f if isinstance(f, str) else f[0] for f in fillers[: len(missing)]]
        isrcs = [f[2] if isinstance(f, tuple) and len(f) > 2 else None for f in fillers]
        durations = self.filler_durations(example, fillers[: len(missing)])
        # Fillers are priced like the example's own tracks, so an album stays consistent.
        model = example.tracks[0] if example.tracks else None
        filler_gbp = model.gbp if model else "0.99"
        filler_premium = model.premium_gbp if model else None
        tracks = []
        for number in range(1, example.track_count + 1):
            if number in known:
                track = known[number]
                tracks.append(
                    Track(
                        id=track.id,
                        release_id=example.id,
                        artist_id=track.artist or example.artist,
                        title=track.title,
                        version=track.version,
                        disc_number=1,
                        number=number,
                        duration=track.duration,
                        explicit=track.explicit,
                        isrc=track.isrc,
                        pline=track.pline or release.pline,
                        popularity=Decimal(track.popularity),
                        standard_tier_id=self.tier(track.gbp),
                        premium_tier_id=self.tier(track.premium_gbp),
                    )
                )
                continue
            index = missing.index(number)
            self.filler_track_id += 1
            tracks.append(
                Track(
                    id=self.filler_track_id,
                    release_id=example.id,
                    artist_id=example.artist,
                    title=titles[index],
                    disc_number=1,
                    number=number,
                    duration=durations[index],
                    isrc=isrcs[index]
                    or f"GBZZZ{year % 100:02d}{self.filler_track_id % 100_000:05d}",
                    pline=release.pline,
                    popularity=self.popularity(EXAMPLE_FILLER_POPULARITY_CAP),
                    standard_tier_id=self.tier(filler_gbp),
                    premium_tier_id=self.tier(filler_premium),
                )
            )
        release.track_count = len(tracks)
        release.duration = sum(track.duration for track in tracks)
        if example.duration is not None and release.duration != example.duration:
            raise AssertionError(f"release {example.id}: tracks add up to {release.duration} s")
        self.releases.append(release)
        self.tracks += tracks

    def filler_durations(self, example: ExampleRelease, fillers: list[Filler]) -> list[int]:
        """Durations for the invented tracks; they add up to the documented total if any."""
        given = [None if isinstance(f, str) else f[1] for f in fillers]
        if example.duration is None:
            return [d if d is not None else self.rng.randint(150, 300) for d in given]
        open_slots = [i for i, d in enumerate(given) if d is None]
        known = sum(track.duration for track in example.tracks)
        remaining = example.duration - known - sum(d for d in given if d is not None)
        weights = [self.rng.uniform(0.75, 1.25) for _ in open_slots]
        shares = [int(remaining * w / sum(weights)) for w in weights]
        if shares:
            shares[-1] += remaining - sum(shares)
        for slot, share in zip(open_slots, shares, strict=True):
            given[slot] = share
        return [int(d) for d in given if d is not None]

    # --- names

    def track_title(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
        if roll < 0.6:
            return f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_NOUNS)}"
        if roll < 0.75:
            return rng.choice(TITLE_NOUNS)
        if roll < 0.9:
            return f"{rng.choice(TITLE_NOUNS)} in the {rng.choice(TITLE_NOUNS)}"
        return f"The {rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"

    def album_title(self) -> str:
        if self.rng.random() < 0.25:
            frame = self.rng.choice(ALBUM_FRAMES)
            return frame.format(self.rng.choice(TITLE_NOUNS))
        return self.track_title()

    def artist_name(self, *, starting_with: str | None = None) -> tuple[str, str, bool]:
        """A new unique artist name, its sort name, and whether it names a person."""
        rng = self.rng
        for attempt in range(50):
            person = False
            if starting_with and starting_with.isdigit():
                name = f"{rng.choice(NUMBERS[starting_with])} {rng.choice(BAND_NOUNS)}"
            elif starting_with:
                adjectives = [a for a in ADJECTIVES if a[0] == starting_with]
                name = f"{rng.choice(adjectives)} {rng.choice(BAND_NOUNS)}"
            else:
                roll = rng.random()
                if roll < 0.30:
                    name = f"{rng.choice(ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
                elif roll < 0.45:
                    name = f"The {rng.choice(ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
                elif roll < 0.75:
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                    person = True
                elif roll < 0.83:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                    name = f"{first} {last} & the {rng.choice(BAND_NOUNS)}"
                elif roll < 0.97:
                    name = f"{rng.choice(WORD_PARTS)}{rng.choice(WORD_ENDS)}"
                else:
                    digit = rng.choice("0123456789")
                    name = f"{rng.choice(NUMBERS[digit])} {rng.choice(BAND_NOUNS)}"
            if attempt >= 20:  # the word lists are running out: tell namesakes apart
                name = f"{name} {rng.choice(CITIES)}"
            if name.lower() not in self.artist_names:
                break
        else:
            name = f"{name} {len(self.artists)}"
        self.artist_names.add(name.lower())
        sort_name = f"{name[4:]}, The" if name.startswith("The ") else name
        return name, sort_name, person

    def artist_slug(self, name: str) -> str:
        base = slugify(name) or "artist"
        slug, n = base, 1
        while slug in self.artist_slugs:
            n += 1
            slug = f"{base}-{n}"
        self.artist_slugs.add(slug)
        return slug

    # --- the generated world

    def generate_labels(self) -> list[tuple[int, int]]:
        """About 50 labels, each owned by one licensor; returns (label id, licensor id)."""
        words = list(LABEL_WORDS)
        self.rng.shuffle(words)
        owners = [licensor for licensor, count in GENERATED_LICENSORS for _ in range(count)]
        labels = []
        for i, licensor_id in enumerate(owners):
            word = words[i % len(words)]
            kind = LABEL_KINDS[(i // len(words) + i) % len(LABEL_KINDS)]
            label = Label(id=GENERATED_LABEL_IDS_FROM + i, name=f"{word} {kind}")
            self.labels.append(label)
            labels.append((label.id, licensor_id))
        return labels

    def generate_artists(self, count: int) -> list[int]:
        rng = self.rng
        # Names starting with every letter and digit come first, for A-Z browsing.
        firsts = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]
        ids = []
        for i in range(count):
            if i < len(firsts):
                name, sort_name, person = self.artist_name(starting_with=firsts[i])
            elif i - len(firsts) < len(FORCED_ARTIST_NAMES):
                name = FORCED_ARTIST_NAMES[i - len(firsts)]
                sort_name = f"{name[4:]}, The" if name.startswith("The ") else name
                person = False
                self.artist_names.add(name.lower())
            else:
                name, sort_name, person = self.artist_name()
            genres = rng.sample(GENRES, rng.choice((1, 1, 2, 2, 3)))
            since = rng.randint(1962, 2024)
            kind = "an artist" if person else "a band"
            bio = (
                f"{name}: {kind} from {rng.choice(CITIES)} playing "
                f"{GENRE_TAGS[genres[0]]}, releasing music since {since}."
            )
            artist = Artist(
                id=GENERATED_ARTIST_IDS_FROM + i,
                name=name,
                sort_name=sort_name,
                slug=self.artist_slug(name),
                bio=bio,
                popularity=self.popularity(ARTIST_POPULARITY_CAP),
            )
            self.artists.append(artist)
            self.artist_tags += [(artist.id, tag) for tag in genres]
            if since < 2020:
                self.artist_tags.append((artist.id, f"{since // 10 * 10}s"))
            ids.append(artist.id)
        return ids

    def pick(self, count: int, share: float, minimum: int, among: list[int]) -> set[int]:
        """An exact, seeded share of ``among`` (at least ``minimum``), so every case exists."""
        k = min(len(among), max(minimum, round(count * share)))
        return set(self.rng.sample(among, k))

    def plan_releases(self, count: int, n_tracks: int, artist_ids: list[int]) -> _Plan:
        rng = self.rng
        everything = list(range(count))

        # Types, then how many tracks each release has, adding up to exactly n_tracks.
        singles = self.pick(count, 0.25, 3, everything)
        videos = self.pick(count, 0.02, 1, [i for i in everything if i not in singles])
        types = [
            Release.Type.SINGLE if i in singles else Release.Type.VIDEO if i in videos else
            Release.Type.ALBUM
            for i in everything
        ]  # fmt: skip
        sizes = [rng.choice((1, 1, 2, 2, 3, 4)) if t == Release.Type.SINGLE else 1 for t in types]
        albums = [i for i, t in enumerate(types) if t == Release.Type.ALBUM]
        self.spread(sizes, albums, n_tracks - sum(sizes) + len(albums))

        # Who made them: every artist at least once, then the popular ones more often.
        order = artist_ids[:]
        rng.shuffle(order)
        spare = [a.id for a in self.artists if a.id in EXAMPLE_ARTISTS_WITHOUT_RELEASES]
        firsts = (order + spare)[:count]
        weights = [float(a.popularity) + 0.05 for a in self.artists[-len(artist_ids) :]]
        rest = rng.choices(artist_ids, cum_weights=list(accumulate(weights)), k=count)

        # Special cases, each an exact share so that even a small seed has all of them.
        restricted = self.pick(count, 0.05, 6, everything)
        not_sold_whole = self.pick(len(albums), 0.05, 2, [i for i in albums if sizes[i] >= 4])
        sold_whole = [i for i in everything if i not in not_sold_whole]
        # Tracks not sold on their own: only on releases that are sold as a whole.
        eligible = sum(sizes[i] for i in sold_whole)
        return _Plan(
            types=types,
            sizes=sizes,
            makers=firsts + rest[len(firsts) :],
            prerelease=self.pick(count, 0.02, 3, everything),
            restricted=restricted,
            gb_only=set(rng.sample(sorted(restricted), max(2, len(restricted) // 5))),
            explicit=self.pick(count, 0.10, 3, everything),
            not_streamable=self.pick(count, 0.10, 3, everything),
            no_ads=self.pick(count, 0.50, 3, everything),
            no_preview=self.pick(count, 0.05, 2, everything),
            not_sold_whole=not_sold_whole,
            two_discs=self.pick(len(albums), 0.05, 2, [i for i in albums if sizes[i] >= 8]),
            premium=self.pick(count, 0.30, 3, sold_whole),
            unsold_tracks=set(rng.sample(range(eligible), max(3, round(eligible * 0.03)))),
        )

    def generate_releases(
        self,
        count: int,
        n_tracks: int,
        artist_ids: list[int],
        label_ids: list[tuple[int, int]],
    ) -> None:
        plan = self.plan_releases(count, n_tracks, artist_ids)
        self.label_ids = label_ids
        self.label_names = {label.id: label.name for label in self.labels}
        self.popularity_of_artist = {a.id: float(a.popularity) for a in self.artists}
        for artist_id, tag in self.artist_tags:
            self.tags_of_artist.setdefault(artist_id, []).append(tag)
        for i in range(count):
            release = self.generated_release(i, plan)
            self.generated_tracks(release, i, plan)
            self.releases.append(release)
            if len(self.releases) >= CHUNK_RELEASES:
                self.save_catalogue()

    def generated_release(self, i: int, plan: _Plan) -> Release:
        rng = self.rng
        release_id = GENERATED_RELEASE_IDS_FROM + 1 + i
        kind, size, artist_id = plan.types[i], plan.sizes[i], plan.makers[i]
        # An artist mostly stays with one label.
        if artist_id not in self.label_of_artist or rng.random() < 0.15:
            self.label_of_artist[artist_id] = rng.choice(self.label_ids)
        label_id, licensor_id = self.label_of_artist[artist_id]

        if i in plan.prerelease:
            released = PRERELEASE_FROM + timedelta(days=rng.randint(0, 360))
        else:
            released = ANCHOR - timedelta(days=1 + int(40 * 365 * rng.random() ** 1.6))
        year = released.year
        streaming = None if i in plan.not_streamable else released
        if i in plan.gb_only:
            territories = GB_ONLY
        elif i in plan.restricted:
            dropped = set(rng.sample(COUNTRIES, rng.randint(1, 3)))
            territories = "," + ",".join(c for c in COUNTRIES if c not in dropped) + ","
        else:
            territories = EVERYWHERE

        if i < len(FORCED_RELEASE_TITLES):
            title = FORCED_RELEASE_TITLES[i]
        elif kind == Release.Type.SINGLE:
            title = self.track_title()
        else:
            title = self.album_title()

        if i in plan.not_sold_whole:
            standard = None
        elif kind == Release.Type.SINGLE:
            standard = SINGLE_PRICES[size]
        elif kind == Release.Type.VIDEO:
            standard = VIDEO_PRICE
        else:
            standard = rng.choice(SHORT_ALBUM_PRICES if size <= 6 else ALBUM_PRICES)
        premium = None
        if i in plan.premium:
            premium = PREMIUM_PRICES.get(standard) or rng.choice(PREMIUM_ALBUM_PRICES)

        popularity = min(
            RELEASE_POPULARITY_CAP,
            int(self.popularity_of_artist[artist_id] * 100 * rng.uniform(0.3, 1.2)),
        )
        pline = f"{year} {self.label_names[label_id]}"
        genres = [t for t in self.tags_of_artist.get(artist_id, ()) if t in GENRE_TAGS]
        tags = genres[: rng.randint(1, max(1, len(genres)))]
        if released < PRERELEASE_FROM:
            tags.append(f"{year // 10 * 10}s")
        self.release_tags += [(release_id, tag) for tag in dict.fromkeys(tags)]
        return Release(
            id=release_id,
            title=title,
            version="Explicit" if i in plan.explicit and rng.random() < 0.3 else "",
            type=kind,
            barcode=_barcode((i * 7919 + 1_000_003) % 10**9, upc=rng.random() < 0.3),
            year=year,
            explicit=i in plan.explicit,
            slug=self.unique_release_slug(title),
            artist_id=artist_id,
            label_id=label_id,
            licensor_id=licensor_id,
            popularity=_PERCENT[popularity],
            cline=pline,
            pline=pline,
            territories=territories,
            release_date=released,
            preview_date=(
                None if i in plan.no_preview else released - timedelta(days=rng.randint(0, 28))
            ),
            streaming_date=streaming,
            ad_supported_date=None if streaming is None or i in plan.no_ads else streaming,
            standard_tier_id=self.tier(standard),
            premium_tier_id=self.tier(premium),
            has_premium=premium is not None,
        )

    def generated_tracks(self, release: Release, i: int, plan: _Plan) -> None:
        """The release's tracks; sets its track count and duration from them."""
        rng = self.rng
        artist_id, size = release.artist_id, plan.sizes[i]
        if artist_id not in self.isrc_prefix_of_artist:
            self.isrc_prefix_of_artist[artist_id] = self.isrc_prefix(
                len(self.isrc_prefix_of_artist)
            )
            self.isrc_count_of_artist[artist_id] = 0
        isrc_prefix = f"{self.isrc_prefix_of_artist[artist_id]}{release.year % 100:02d}"
        is_single = release.type == Release.Type.SINGLE
        is_video = release.type == Release.Type.VIDEO
        first_disc = (size + 1) // 2 if i in plan.two_discs else size
        release_percent = int(release.popularity * 100)
        duration = 0
        for n in range(size):
            self.track_id += 1
            disc, number = (1, n + 1) if n < first_disc else (2, n - first_disc + 1)
            if is_single and n == 0:
                title = release.title
            else:
                title = next(self.forced_track_titles, None) or self.track_title()
            seconds = int(rng.triangular(90, 420, 215))
            duration += seconds
            if release.standard_tier_id is None:
                price = rng.choice(TRACK_PRICES)  # the only way to buy this release's music
            else:
                self.sold_whole_tracks_seen += 1
                if self.sold_whole_tracks_seen - 1 in plan.unsold_tracks:
                    price = None
                else:
                    price = VIDEO_PRICE if is_video else rng.choice(TRACK_PRICES)
            premium = TRACK_PREMIUM_PRICE if release.has_premium and price is not None else None
            self.isrc_count_of_artist[artist_id] += 1
            popularity = min(TRACK_POPULARITY_CAP, int(release_percent * rng.uniform(0.2, 1.3)))
            self.tracks.append(
                Track(
                    id=self.track_id,
                    release_id=release.id,
                    artist_id=artist_id,
                    title=title,
                    version=rng.choice(TRACK_VERSIONS) if rng.random() < 0.08 else "",
                    type="video" if is_video else "audio",
                    disc_number=disc,
                    number=number,
                    duration=seconds,
                    explicit=release.explicit and (n == 0 or rng.random() < 0.4),
                    isrc=f"{isrc_prefix}{self.isrc_count_of_artist[artist_id] % 100_000:05d}",
                    pline=release.pline,
                    popularity=_PERCENT[popularity],
                    standard_tier_id=self.tier(price),
                    premium_tier_id=self.tier(premium),
                )
            )
        release.track_count = size
        release.duration = duration

    def spread(self, sizes: list[int], albums: list[int], total: int) -> None:
        """Give the albums about 6 to 20 tracks each, adding up to exactly ``total``."""
        rng = self.rng
        weights = [rng.randint(6, 20) for _ in albums]
        scale = total / sum(weights)
        for album, weight in zip(albums, weights, strict=True):
            sizes[album] = max(1, int(weight * scale))
        missing = total - sum(sizes[i] for i in albums)
        step = 1 if missing > 0 else -1
        while missing:
            album = albums[rng.randrange(len(albums))]
            if step > 0 or sizes[album] > 1:
                sizes[album] += step
                missing -= step

    def isrc_prefix(self, index: int) -> str:
        """Country code and registrant for the index-th generated artist, never an example's."""
        countries = ("GB", "US", "DE", "FR", "SE", "NL")
        while True:
            prefix = countries[index % len(countries)] + _base26(index // len(countries))
            if prefix not in self.reserved_isrc_prefixes:
                self.reserved_isrc_prefixes.add(prefix)
                return prefix
            index += 1
