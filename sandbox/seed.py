"""The sandbox's deterministic catalogue: the reference's own examples plus a generated world.

``seed()`` wipes the sandbox database back to its seeded state and rebuilds it. The same
``seed`` and ``tracks`` give byte-identical rows on every run and every machine: all
randomness comes from one ``random.Random(seed)``, never the global generator, and no
value depends on the clock.

Sizes
    ``tracks`` generated tracks (at least 400), a tenth as many releases and a fifth of
    those in artists (at least 40 of each), on top of the examples. Releases and their
    tracks are saved and forgotten 2,000 releases at a time, so a million tracks fit.

Dates
    Generated dates count back from a fixed anchor, ``ANCHOR`` (2026-01-01T00:00:00Z).
    Pre-release items must stay in the future whenever the sandbox runs, yet "now" would
    break determinism, so they are dated in 2099 (``PRERELEASE_FROM`` onwards).

Ids
    Example entities keep the reference's ids. Generated ids start above every example
    id: artists at 10,000,000, releases at 20,000,000, tracks at 50,000,000 (track
    examples reach 39,109,566). Tracks added to complete an example release (its other
    numbers, so that ``trackCount`` and ``duration`` add up) start at 45,000,000, and the
    three playlist artists the reference names without an id get 9,000,001-9,000,003.

Popularity
    Generated popularity is skewed (most items near 0, a few high) and capped below the
    values given to the reference's chart examples (artists at 0.79, releases and tracks
    at 0.95), so charts and ``artist/bytag/top`` start with the example's items.

Prices
    A tier's code is ``gbp-<amount>``; its USD, EUR and CAD amounts are derived from the
    GBP amount (``_local_price``). Where the reference gives a GBP price, the item's tier
    has exactly that amount; a ``sevendigitalPrice`` of ``xsi:nil`` (not sold on its own)
    is a null ``standard_tier``.

Reset
    The catalogue tables and ``PartnerUser`` are flushed (TRUNCATE ... RESTART IDENTITY
    CASCADE on PostgreSQL, DELETE on SQLite), so any sandbox table that points at them
    (a locker, a purchase) is emptied too: reseeding means back to the seeded state.

Example entities and where they come from
-----------------------------------------
Line numbers are 1-based, in ``7digital-api-1.2-reference.txt`` unless marked TD
(``7digital-api-1.2-track-details.txt``). Where two examples disagree, the XML example
wins, except for track 123456 and its release, which follow TD as the issue asks.

===============  ===========================================  ==============================
entity           name                                         reference lines
===============  ===========================================  ==============================
artist 1         Keane (tags rock, pop, alternative, 2000s)   567-577, 609-723, 3679-3703
artist 2         Blink 182                                    936-1079
artist 14        The Charlatans (sortName "Charlatans, The")  120-128
artist 20        Coldplay (rock, pop, 2000s; 0.81)            3749-3774, 4228-4338
artist 55        Stereo MC's                                  2959-3126
artist 96        Gabrielle                                    2959-3126
artist 169       Nirvana                                      4228-4338
artist 222       Maroon 5 (rock, pop, 2000s; 0.81)            3749-3774
artist 226       Pink (0.8)                                   867-895
artist 276       McFly                                        527-560 (JSON only)
artist 304       Radiohead                                    142-205, 1449-1503, 2194-2330
artist 386       Robbie Williams                              527-560 (JSON only)
artist 1194      Patti Smith                                  5079-5139
artist 4617      Skillet                                      5140-5226
artist 5440      Umberto Tozzi                                1578-1729
artist 5653      Extremoduro                                  1578-1729
artist 6018      Aphex Twin                                   1252-1361
artist 6090      Daniel Barenboim                             1578-1729
artist 7018      Roxette                                      TD 6-95
artist 17168     P J Proby                                    447-466
artist 49225     Calvin Harris                                2495-2634
artist 60288     Michel Camilo                                229-296
artist 144641    P J Harvey (0.11)                            447-466
artist 329482    Paloma Faith                                 4969-5011
artist 334462    Sigma                                        2495-2634
artist 335480    Cryonic Temple                               3846-3962
artist 487026    Ben Howard (artist chart #1)                 494-526
artist 1221028   alt-J                                        1252-1361
artist 1389406   Pharrell Williams                            3335-3484
artist 1471729   Pink Haze (0.28)                             867-895
artist 1518064   SoundSense                                   3335-3484
artist 2395637   Calvin Harris feat. John Newman              2495-2634
artist 2460527   Scott Walker + Sunn O))) (artist chart #2)   494-526
artist 2753170   Bicentennial Bear                            3846-3962
artist 9000001+  Franz Ferdinand, MGMT, Empire Of The Sun     5237-5265, 5430-5464 (no ids)
release 1046     No Surprises (2.49, premium 3.99)            142-205, 1449-1503, 1932-2051
release 1047     No Surprises (second CD single)              1932-2051
release 809798   A Bad Dream                                  609-723
release 470      AOL Session                                  609-723
release 20       Enema Of The State                           936-1079
release 12345    Yo, Minoria Absoluta                         1578-1729
release 12346    The best of Umberto Tozzi                    1578-1729
release 12347    Bach, JS : Well-Tempered Clavier Book 1      1578-1729
release 3563048  This Is All Yours (release chart #1)         1252-1361
release 3814480  Syro (release chart #2)                      1252-1361
release 155408   tags rock, pop, electronic, indie-rock,      3799-3830 (only id and tags
                 2000s                                        are documented)
release 4987796  Mighty Eagle                                 3846-3962
release 4947593  Upset for the Ages (Single)                  3846-3962
release 1402423  Nevermind                                    4228-4338
release 3490858  Ghost Stories                                4228-4338
release 282442   On Fire                                      229-296
release 12134    The Pop Hits                                 TD 6-95, 2802-2869
release 206      Connected                                    2959-3126
release 96       Gabrielle                                    2959-3126
release 3698566  Changing                                     2495-2634
release 3751479  Blame                                        2495-2634
release 3157769  Happy                                        3335-3484
release 2170865  100% 80's - 100 Classic Hits                 3335-3484
release 302123   Original Album Classics                      5079-5139
release 569720   Awake                                        5140-5226
release 662888   Do You Want The Truth...? (taken down)       4969-5066
release 496338   No You Girls Remixes Part 2                  5300-5323, 5430-5464
release 280218   Oracula Spectacular                          5430-5464
release 2766569  Ice On The Dune                              5237-5265
track 9525       No Surprises (0.99)                          2194-2330
track 9526       Palo Alto (0.99)                             2194-2330
track 3153161    Island Stomp (not sold separately)           229-296
track 123456     Sleeping in My Car (Single Version)          TD 6-95, 2792-2869
track 148        All The Small Things (5.49)                  936-1079
track 151        What's My Age Again? (5.49)                  936-1079
track 2146       Chicken Shake (5.49, premium 8.49)           2959-3126
track 1347       Give Me A Little More Time (5.49 / 8.49)     2959-3126
track 38656894   Changing (chart #1, not sold separately)     2495-2634
track 39109566   Blame (chart #2, not sold separately)        2495-2634
track 33576075   Happy (From "Despicable Me 2") (0.99)        3335-3484
track 23383867   Happy Hour (12.99)                           3335-3484
track 3544116    Gloria                                       5079-5139
track 6313215    Hero                                         5140-5226
track 7352778    Do You Want The Truth... (Jonny L Remix)     4969-5011
track 5495893    No You Girls (Trentmoller Remix)             5300-5323, 5430-5464
track 3121833    Kids                                         5430-5464
track 29675004   Lux                                          5237-5265
tags             pop, rock, electronic, alternative, 2000s,   3655-3672, 3679-3703,
                 indie-rock                                   3804-3830
label 32         Capitol Records                              317-319
licensor 13      EMI                                          320-322
===============  ===========================================  ==============================

Choices where the reference contradicts itself or is silent:

* Tag ``electronic`` has the text "electronic" (line 3818); the tag list at line 3666
  gives it the text "rock", a copy slip.
* Release 1046's popularity is 0.48 (release/search, line 1964); release/details says 0.
* Release 20's track count and duration are those of its 12 tracks; the toptracks
  example embeds it with ``duration 0`` and a nil ``trackCount``.
* Track 9527 "How I Made My Millions" completes release 1046 (642 s - 229 - 224 = 189 s);
  its id and ISRC are invented. Other tracks completing example releases are invented
  too, with real titles only where they are common knowledge.
* Whatever the reference leaves out is invented, plausibly: popularity where no example
  shows it, barcodes, years and prices of the releases only seen embedded in a track,
  the ISRCs and durations of the playlist and locker tracks, tags other than the
  documented ones, and the title and artist of release 155408.
* The reference's formats other than 17, 33 and 45 (``MP3 256`` 48, ``PDF`` 10) are not
  modelled: ``sandbox.models.PACKAGES`` fixes the formats of each package.
* Not seeded, because the reference gives nothing but an id: release 123456 (logs and
  media examples pair it with track 123456, which track/details puts on release 12134),
  track 4648051 / release 415019 (user/deliveritem), track 87654 / release 87654
  (user/purchase), track 54825860 / release 5424335 (catalogue/log JSON), and artist
  314018 ">P J Harvey" (artist/browse JSON, a corrupted copy of 144641).
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

from .models import Artist, Label, Licensor, PartnerUser, PriceTier, Release, Tag, Track

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
INVENTED_EXAMPLE_ARTIST_IDS_FROM = 9_000_001

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


# --- The reference's examples ------------------------------------------------------

SAME = "same as release_date"


@dataclass(frozen=True)
class _ExampleArtist:
    id: int
    name: str
    slug: str
    popularity: str
    sort_name: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ExampleTrack:
    id: int
    number: int
    title: str
    duration: int
    isrc: str
    gbp: str | None  # None: not sold separately
    premium_gbp: str | None = None
    version: str = ""
    explicit: bool = False
    popularity: str = "0.30"
    pline: str = ""
    artist: int | None = None  # None: the release's artist


# A filler is a title, or a (title, seconds) pair, for a number the reference leaves out;
# or (title, seconds, ISRC) for a recording that another release also carries: the same
# recording keeps its ISRC on every release.
Filler = str | tuple[str, int] | tuple[str, int, str]


@dataclass(frozen=True)
class _ExampleRelease:
    id: int
    title: str
    artist: int
    label: int
    licensor: int
    release_date: str
    gbp: str | None  # None: not sold as a whole
    track_count: int
    duration: int | None = None  # None: the reference does not say
    type: str = "Album"
    version: str = ""
    barcode: str = ""
    year: int | None = None
    explicit: bool = False
    slug: str = ""
    popularity: str = "0"
    cline: str = ""
    pline: str = ""
    preview_date: str | None = SAME
    streaming_date: str | None = SAME
    ad_supported_date: str | None = SAME
    premium_gbp: str | None = None
    tags: tuple[str, ...] = ()
    taken_down: bool = False
    tracks: tuple[_ExampleTrack, ...] = ()
    fillers: tuple[Filler, ...] = ()


EXAMPLE_TAGS = {
    "pop": "pop",
    "rock": "rock",
    "electronic": "electronic",
    "alternative": "alternative",
    "2000s": "2000s",
    "indie-rock": "indie rock",
}

EXAMPLE_LICENSORS = {
    1: "Universal",
    2: "Sony Music",
    13: "EMI",
    18: "Warner",
    48: "Vital",
    68: "Kontor",
    166: "Believe",
    228: "Warp Records",
    261: "Phonofile",
}

EXAMPLE_LABELS = {
    32: "Capitol Records",
    92: "Arista",
    116: "Atlantic Records",
    422: "Warner Classics International",
    430: "CGD/EastWest Italy",
    556: "DRO/EastWest Spain",
    592: "Columbia",
    811: "Warp Records",
    1085: "Epic",
    24002: "Sony Music Entertainment",
    25901: "Infectious",
    81377: "BPM Digital Ltd",
    119166: "DISTROSONG",
    152250: "IndiGoBoom",
    226994: "Parlophone Sweden",
    227575: "Parlophone UK",
    464954: "(P) 1999 Geffen Records",
    465499: "(P) 2004 Universal Island Records Ltd. A Universal Music Company.",
    466278: "(P) 1992 Island Records, a division of Universal Music Operations Limited",
    471977: "(P) 2010 Universal Island Records Ltd. A Universal Music Company.",
    472015: "(P) 2011 Geffen Records",
    474673: "(P) 1996 Go! Discs Ltd.",
    487178: "(P) 2014 All Around The World Limited",
    # Invented: the playlist examples name Franz Ferdinand's release without its label.
    900_000: "Domino Recording Co",
}

FRANZ_FERDINAND, MGMT, EMPIRE_OF_THE_SUN = range(INVENTED_EXAMPLE_ARTIST_IDS_FROM, 9_000_004)

EXAMPLE_ARTISTS = (
    _ExampleArtist(1, "Keane", "keane", "0.60", tags=("rock", "pop", "alternative", "2000s")),
    _ExampleArtist(2, "Blink 182", "blink-182", "0.58", tags=("rock", "punk", "1990s")),
    _ExampleArtist(
        14, "The Charlatans", "the-charlatans", "0.53", "Charlatans, The", ("rock", "indie-rock")
    ),
    _ExampleArtist(20, "Coldplay", "coldplay", "0.81", tags=("rock", "pop", "2000s")),
    _ExampleArtist(55, "Stereo MC's", "stereo-mcs-(2)", "0.35", tags=("hip-hop", "dance")),
    _ExampleArtist(96, "Gabrielle", "gabrielle", "0.40", tags=("r-and-b", "pop")),
    _ExampleArtist(169, "Nirvana", "nirvana", "0.72", tags=("rock", "grunge", "1990s")),
    _ExampleArtist(222, "Maroon 5", "maroon-5", "0.81", tags=("rock", "pop", "2000s")),
    _ExampleArtist(226, "Pink", "pink", "0.80", tags=("pop",)),
    _ExampleArtist(276, "McFly", "mcfly", "0.45", tags=("pop",)),
    _ExampleArtist(304, "Radiohead", "radiohead", "0.70", tags=("rock", "alternative", "1990s")),
    _ExampleArtist(386, "Robbie Williams", "robbie-williams", "0.55", tags=("pop",)),
    _ExampleArtist(1194, "Patti Smith", "patti-smith", "0.38", tags=("rock", "punk")),
    _ExampleArtist(4617, "Skillet", "skillet", "0.33", tags=("rock", "metal")),
    _ExampleArtist(5440, "Umberto Tozzi", "umberto-tozzi", "0.21", tags=("pop", "1980s")),
    _ExampleArtist(5653, "Extremoduro", "extremoduro", "0.24", tags=("rock", "latin")),
    _ExampleArtist(6018, "Aphex Twin", "aphex-twin", "0.50", tags=("electronic", "ambient")),
    _ExampleArtist(6090, "Daniel Barenboim", "daniel-barenboim", "0.30", tags=("classical",)),
    _ExampleArtist(7018, "Roxette", "roxette", "0.44", tags=("pop", "1990s")),
    _ExampleArtist(17168, "P J Proby", "p-j-proby", "0.08", tags=("pop", "1960s")),
    _ExampleArtist(49225, "Calvin Harris", "calvin-harris", "0.74", tags=("dance", "electronic")),
    _ExampleArtist(60288, "Michel Camilo", "michel-camilo", "0.18", tags=("jazz", "latin")),
    _ExampleArtist(144641, "P J Harvey", "p-j-harvey", "0.11", tags=("rock", "alternative")),
    _ExampleArtist(329482, "Paloma Faith", "paloma-faith", "0.42", tags=("pop", "soul")),
    _ExampleArtist(334462, "Sigma", "sigma", "0.60", tags=("drum-and-bass", "dance")),
    _ExampleArtist(335480, "Cryonic Temple", "cryonic-temple", "0.05", tags=("metal",)),
    _ExampleArtist(487026, "Ben Howard", "ben-howard", "0.99", tags=("folk", "singer-songwriter")),
    _ExampleArtist(1221028, "alt-J", "alt-j-1", "0.66", tags=("indie-rock", "alternative")),
    _ExampleArtist(
        1389406, "Pharrell Williams", "pharrell-williams", "0.75", tags=("hip-hop", "pop")
    ),
    _ExampleArtist(1471729, "Pink Haze", "pink-haze", "0.28", tags=("rock",)),
    _ExampleArtist(1518064, "SoundSense", "soundsense", "0.20", tags=("pop", "1980s")),
    _ExampleArtist(
        2395637,
        "Calvin Harris feat. John Newman",
        "calvin-harris-feat-john-newman",
        "0.52",
        tags=("dance",),
    ),
    _ExampleArtist(
        2460527,
        "Scott Walker + Sunn O)))",
        "scott-walker-plus-sunn-o",
        "0.98",
        tags=("experimental",),
    ),
    _ExampleArtist(2753170, "Bicentennial Bear", "bicentennial-bear", "0.04", tags=("rock",)),
    _ExampleArtist(FRANZ_FERDINAND, "Franz Ferdinand", "franz-ferdinand", "0.57", tags=("rock",)),
    _ExampleArtist(MGMT, "MGMT", "mgmt", "0.56", tags=("indie-rock", "electronic")),
    _ExampleArtist(
        EMPIRE_OF_THE_SUN, "Empire Of The Sun", "empire-of-the-sun", "0.48", tags=("electronic",)
    ),
)

_ENEMA_OF_THE_STATE = (
    ("Dumpweed", 143),
    ("Don't Leave Me", 149),
    ("Aliens Exist", 191),
    ("Going Away to College", 178),
    ("Dysentery Gary", 165),
    ("Adam's Song", 249),
    ("The Party Song", 140),
    ("Mutt", 202),
    ("Wendy Clear", 170),
    ("Anthem", 218),
)
_NEVERMIND = (
    ("Smells Like Teen Spirit", 301),
    ("In Bloom", 254),
    ("Come as You Are", 219),
    ("Breed", 183),
    ("Lithium", 257),
    ("Polly", 177),
    ("Territorial Pissings", 142),
    ("Drain You", 223),
    ("Lounge Act", 156),
    ("Stay Away", 212),
    ("On a Plain", 196),
    ("Something in the Way", 232),
    "Endless, Nameless",
)
_KEYS = (
    "C major", "C minor", "C-sharp major", "C-sharp minor", "D major", "D minor",
    "E-flat major", "D-sharp minor", "E major", "E minor", "F major", "F minor",
    "F-sharp major", "F-sharp minor", "G major", "G minor", "A-flat major", "G-sharp minor",
    "A major", "A minor", "B-flat major", "B-flat minor", "B major", "B minor",
)  # fmt: skip
_WELL_TEMPERED_CLAVIER = tuple(
    f"Prelude and Fugue No. {n} in {key}, BWV {845 + n}: {part}"
    for n, key in enumerate(_KEYS, start=1)
    for part in ("Prelude", "Fugue")
)

_WARNER_1998 = "1998 Parlophone Records Ltd, a Warner Music Company"

EXAMPLE_RELEASES = (
    _ExampleRelease(
        1046, "No Surprises", 304, 227575, 18, "2003-03-01T00:00:00Z", "2.49", 3, 642,
        type="Single", barcode="0724388514453", year=1997, slug="no-surprises",
        popularity="0.48", cline=_WARNER_1998, pline=_WARNER_1998, premium_gbp="3.99",
        tags=("rock", "alternative", "1990s"),
        tracks=(
            _ExampleTrack(9525, 1, "No Surprises", 229, "GBAYE9700386", "0.99", popularity="0.47"),
            _ExampleTrack(9526, 2, "Palo Alto", 224, "GBAYE9800042", "0.99", popularity="0.31"),
            _ExampleTrack(
                9527, 3, "How I Made My Millions", 189, "GBAYE9800043", "0.99", popularity="0.22"
            ),
        ),
    ),
    _ExampleRelease(
        1047, "No Surprises", 304, 227575, 18, "2003-03-01T00:00:00Z", "2.49", 3, 795,
        type="Single", barcode="0724388514552", year=1997, slug="no-surprises-3",
        popularity="0.47", cline=_WARNER_1998, pline=_WARNER_1998, tags=("rock", "alternative"),
        fillers=(
            ("No Surprises", 229, "GBAYE9700386"),  # CD2 opens with CD1's recording
            "Airbag (Live in Berlin)",
            "Lucky (Live in Florence)",
        ),
    ),
    _ExampleRelease(
        809798, "A Bad Dream", 1, 471977, 1, "2015-11-15T00:00:00Z", "0.99", 1, 307,
        type="Single", barcode="00602527390970", year=2010, slug="a-bad-dream-1",
        tags=("rock", "pop"), fillers=("A Bad Dream",),
    ),
    _ExampleRelease(
        470, "AOL Session", 1, 465499, 1, "2015-11-15T00:00:00Z", "3.99", 6, 1404,
        type="Single", barcode="00602498672938", year=2004, slug="aol-session",
        tags=("rock", "pop", "2000s"),
    ),
    _ExampleRelease(
        20, "Enema Of The State", 2, 464954, 1, "2015-11-14T00:00:00Z", "7.99", 12,
        barcode="00008811195021", year=1999, slug="enema-of-the-state-1-1",
        tags=("rock", "punk", "1990s"),
        tracks=(
            _ExampleTrack(
                151, 5, "What's My Age Again?", 150, "USMC19959007", "5.49",
                version="Explicit", explicit=True, popularity="0.39",
            ),
            _ExampleTrack(
                148, 8, "All The Small Things", 172, "USMC19959123", "5.49", popularity="0.41"
            ),
        ),
        fillers=_ENEMA_OF_THE_STATE,
    ),
    _ExampleRelease(
        12345, "Yo, Minoria Absoluta", 5653, 556, 18, "2005-05-23T23:00:00Z", "8.49", 10, 2560,
        barcode="809274456564", year=2002, slug="yo-minoria-absoluta-1", tags=("rock", "latin"),
    ),
    _ExampleRelease(
        12346, "The best of Umberto Tozzi", 5440, 430, 18, "2012-01-13T00:00:00Z", "8.49", 34,
        9488, barcode="809274726360", year=2002, slug="the-best-of-umberto-tozzi",
        tags=("pop", "1980s"),
    ),
    _ExampleRelease(
        12347, "Bach, JS : Well-Tempered Clavier Book 1", 6090, 422, 18,
        "2006-08-29T00:00:00Z", "10.49", 48, 7482, barcode="825646155361", year=2004,
        slug="bach-well-tempered-clavier-book-1", streaming_date=None, ad_supported_date=None,
        tags=("classical",), fillers=_WELL_TEMPERED_CLAVIER,
    ),
    _ExampleRelease(
        3563048, "This Is All Yours", 1221028, 25901, 48, "2014-09-22T00:00:00Z", "4.49", 14,
        3328, version="Explicit", barcode="5050954421883", year=2014, explicit=True,
        slug="this-is-all-yours", popularity="0.99", ad_supported_date=None,
        tags=("indie-rock", "alternative"),
    ),
    _ExampleRelease(
        3814480, "Syro", 6018, 811, 228, "2014-09-21T00:00:00Z", "7.99", 12, 3871,
        barcode="0801061024734", year=2014, slug="syro", popularity="0.98",
        streaming_date=None, ad_supported_date=None, tags=("electronic",),
    ),
    _ExampleRelease(
        155408, "North Country Echoes", 14, 227575, 18, "2004-05-10T00:00:00Z", "7.99", 11,
        barcode="0724357849029", year=2004, slug="north-country-echoes", popularity="0.36",
        tags=("rock", "pop", "electronic", "indie-rock", "2000s"),
    ),
    _ExampleRelease(
        4987796, "Mighty Eagle", 335480, 119166, 68, "2015-12-17T00:00:00Z", "0.79", 1, 205,
        type="Single", barcode="7340065072028", year=2015, slug="mighty-eagle",
        tags=("rock",), fillers=("Mighty Eagle",),
    ),
    _ExampleRelease(
        4947593, "Upset for the Ages (Single)", 2753170, 152250, 261, "2015-12-17T00:00:00Z",
        "1.98", 2, 360, barcode="7071676152105", year=2015, slug="upset-for-the-ages-single",
        streaming_date="2015-11-20T00:00:00Z", ad_supported_date="2015-11-20T00:00:00Z",
        tags=("rock",), fillers=("Upset for the Ages", "Upset for the Ages (Instrumental)"),
    ),
    _ExampleRelease(
        1402423, "Nevermind", 169, 472015, 1, "2015-11-24T00:00:00Z", "8.49", 13, 2954,
        barcode="00602527856865", year=1991, slug="nevermind-4", tags=("rock",),
        fillers=_NEVERMIND,
    ),
    _ExampleRelease(
        3490858, "Ghost Stories", 20, 227575, 18, "2015-03-23T00:00:00Z", "4.49", 10, 2562,
        barcode="825646305926", year=2014, slug="ghost-stories", streaming_date=None,
        ad_supported_date=None, tags=("rock",),
    ),
    _ExampleRelease(
        282442, "On Fire", 60288, 1085, 2, "1989-10-02T23:00:00Z", "7.99", 9,
        barcode="074644529524", year=1989, slug="on-fire",
        preview_date="1989-10-02T00:00:00Z", tags=("jazz",),
        tracks=(
            _ExampleTrack(
                3153161, 1, "Island Stomp", 320, "USSM18900815", None, popularity="0.25",
                pline="1994 Parlophone Records Sweden AB, a Warner Music Group Company",
            ),
        ),
    ),
    _ExampleRelease(
        12134, "The Pop Hits", 7018, 226994, 18, "2003-05-31T23:00:00Z", "7.99", 20,
        barcode="0724358215557", year=2003, slug="the-pop-hits-12134", premium_gbp="10.49",
        tags=("pop", "1990s"),
        tracks=(
            _ExampleTrack(
                123456, 9, "Sleeping in My Car (Single Version)", 214, "SEAMA9301032", "1.49",
                premium_gbp="1.49", version="Single Version", popularity="0.36",
                pline="\u2117 1994 Parlophone Music Sweden AB, a Warner Music Group Company",
            ),
        ),
    ),
    _ExampleRelease(
        206, "Connected", 55, 466278, 1, "2015-11-15T00:00:00Z", "7.99", 12,
        barcode="00731451274329", year=1992, slug="connected", premium_gbp="10.49",
        tags=("hip-hop", "dance", "1990s"),
        tracks=(
            _ExampleTrack(
                2146, 10, "Chicken Shake", 230, "GBAAN9290032", "5.49", premium_gbp="8.49"
            ),
        ),
    ),
    _ExampleRelease(
        96, "Gabrielle", 96, 474673, 1, "2015-11-14T00:00:00Z", "7.99", 12,
        barcode="00042282885821", year=1996, slug="gabrielle-2", premium_gbp="10.49",
        tags=("r-and-b", "pop", "1990s"),
        tracks=(
            _ExampleTrack(
                1347, 5, "Give Me A Little More Time", 295, "GBAQT9600013", "5.49",
                premium_gbp="8.49",
            ),
        ),
    ),
    _ExampleRelease(
        3698566, "Changing", 334462, 487178, 1, "2015-09-11T23:00:00Z", "0.99", 1,
        type="Single", barcode="05037128211457", year=2014, slug="changing",
        popularity="0.90", preview_date="2015-09-11T00:00:00Z", ad_supported_date=None,
        tags=("drum-and-bass", "dance"),
        tracks=(
            _ExampleTrack(38656894, 1, "Changing", 191, "GBSXS1400130", None, popularity="0.99"),
        ),
    ),
    _ExampleRelease(
        3751479, "Blame", 2395637, 592, 2, "2014-09-06T23:00:00Z", "0.99", 1,
        type="Single", barcode="886444665278", year=2014, slug="blame", popularity="0.89",
        preview_date="2014-09-06T00:00:00Z", ad_supported_date=None, tags=("dance",),
        tracks=(
            _ExampleTrack(
                39109566, 1, "Blame", 211, "GBARL1400567", None, popularity="0.98", artist=49225
            ),
        ),
    ),
    _ExampleRelease(
        3157769, "Happy", 1389406, 24002, 2, "2013-12-17T00:00:00Z", "0.99", 1,
        type="Single", barcode="886444543491", year=2013,
        slug="happy-grus-theme-from-despicable-me-2", tags=("pop", "hip-hop"),
        tracks=(
            _ExampleTrack(
                33576075, 1, 'Happy (From "Despicable Me 2")', 233, "USQ4E1300686", "0.99",
                popularity="0.68",
            ),
        ),
    ),
    _ExampleRelease(
        2170865, "100% 80's - 100 Classic Hits", 1518064, 81377, 166, "2013-02-15T00:00:00Z",
        "12.99", 100, barcode="5054316160016", year=2013, slug="100-80s-100-classic-hits",
        ad_supported_date=None, tags=("pop", "1980s"),
        tracks=(
            _ExampleTrack(
                23383867, 10, "Happy Hour", 139, "FR6V81605038", "12.99", popularity="0.65"
            ),
        ),
    ),
    _ExampleRelease(
        302123, "Original Album Classics", 1194, 92, 2, "2008-06-15T23:00:00Z", "8.49", 10,
        barcode="886973232527", year=2008, slug="original-album-classics", tags=("rock",),
        tracks=(
            _ExampleTrack(
                3544116, 2, "Gloria", 150, "USRC10301017", "0.99",
                version="Digitally Remastered 1996",
            ),
        ),
    ),
    _ExampleRelease(
        569720, "Awake", 4617, 116, 18, "2013-10-21T13:00:00Z", "7.99", 12,
        barcode="075679983732", year=2009, slug="awake-569720", tags=("rock", "metal"),
        tracks=(_ExampleTrack(6313215, 1, "Hero", 190, "USAT20901852", "0.99"),),
    ),
    _ExampleRelease(
        662888, "Do You Want The Truth Or Something Beautiful?", 329482, 1085, 2,
        "2010-01-04T00:00:00Z", "2.49", 4, type="Single",
        version="Live From BBC 1's Radio Live Lounge", barcode="884977432688", year=2010,
        slug="do-you-want-the-truth-or-something-beautiful-2", taken_down=True,
        tags=("pop", "soul"),
        tracks=(
            _ExampleTrack(
                7352778, 3, "Do You Want The Truth Or Something Beautiful?", 335,
                "GBARL0901537", "0.99", version="Jonny L Remix",
            ),
        ),
    ),
    _ExampleRelease(
        496338, "No You Girls Remixes Part 2", FRANZ_FERDINAND, 900_000, 68,
        "2009-04-20T00:00:00Z", "2.49", 4, type="Single", version="Digital Download",
        barcode="5034202122664", year=2009, slug="no-you-girls-remixes-part-2",
        tags=("rock", "indie-rock"),
        tracks=(
            _ExampleTrack(
                5495893, 1, "No You Girls", 331, "GBCEL0900061", "0.99",
                version="Trentmoller Remix",
            ),
        ),
    ),
    _ExampleRelease(
        280218, "Oracula Spectacular", MGMT, 592, 2, "2008-03-03T00:00:00Z", "7.99", 10,
        barcode="886972401429", year=2007, slug="oracula-spectacular",
        tags=("indie-rock", "electronic"),
        tracks=(_ExampleTrack(3121833, 5, "Kids", 302, "USSM10704609", "0.99"),),
    ),
    _ExampleRelease(
        2766569, "Ice On The Dune", EMPIRE_OF_THE_SUN, 32, 13, "2013-06-14T00:00:00Z", "7.99",
        12, barcode="5099997271729", year=2013, slug="ice-on-the-dune", tags=("electronic",),
        tracks=(_ExampleTrack(29675004, 3, "Lux", 81, "AUEI11300203", "0.99"),),
    ),
)  # fmt: skip

EXAMPLE_ARTIST_IDS = frozenset(artist.id for artist in EXAMPLE_ARTISTS)
EXAMPLE_RELEASE_IDS = frozenset(release.id for release in EXAMPLE_RELEASES)
EXAMPLE_TRACK_IDS = frozenset(track.id for release in EXAMPLE_RELEASES for track in release.tracks)
# Artists the reference shows without a release: the generated catalogue gives them some.
_EXAMPLE_ARTISTS_WITHOUT_RELEASES = EXAMPLE_ARTIST_IDS - {r.artist for r in EXAMPLE_RELEASES}

# --- Words the generated world is made of -------------------------------------------

GENRE_TAGS = {
    "rock": "rock", "pop": "pop", "electronic": "electronic", "alternative": "alternative",
    "indie-rock": "indie rock", "jazz": "jazz", "classical": "classical",
    "hip-hop": "hip-hop", "r-and-b": "r&b", "soul": "soul", "funk": "funk", "folk": "folk",
    "country": "country", "blues": "blues", "metal": "metal", "punk": "punk",
    "reggae": "reggae", "latin": "latin", "dance": "dance", "house": "house",
    "techno": "techno", "ambient": "ambient", "soundtrack": "soundtrack", "world": "world",
    "singer-songwriter": "singer-songwriter", "acoustic": "acoustic", "gospel": "gospel",
    "disco": "disco", "grunge": "grunge", "britpop": "britpop", "chillout": "chillout",
    "experimental": "experimental", "drum-and-bass": "drum & bass",
}  # fmt: skip
DECADE_TAGS = {
    "1960s": "1960s", "1970s": "1970s", "1980s": "1980s", "1990s": "1990s",
    "2000s": "2000s", "2010s": "2010s", "2020s": "2020s",
}  # fmt: skip
GENRES = tuple(GENRE_TAGS)

ADJECTIVES = (
    "Amber", "Ancient", "Atomic", "Autumn", "Black", "Blue", "Bright", "Broken", "Burning",
    "Cosmic", "Crimson", "Crystal", "Dancing", "Dark", "Distant", "Dusty", "Echo", "Electric",
    "Emerald", "Empty", "Endless", "Fading", "Falling", "Flying", "Frozen", "Gentle", "Ghost",
    "Glass", "Golden", "Happy", "Heavy", "Hidden", "Hollow", "Honey", "Hungry", "Icy", "Idle",
    "Indigo", "Iron", "Ivory", "Jade", "Jolly", "Jumping", "Kinetic", "Kind", "Lazy", "Little",
    "Lonely", "Lost", "Lucky", "Lunar", "Magic", "Marble", "Midnight", "Mighty", "Modern",
    "Neon", "Nervous", "Northern", "Oblique", "Ocean", "Open", "Orange", "Painted", "Paper",
    "Pink", "Plastic", "Purple", "Quiet", "Quick", "Quantum", "Radiant", "Rainy", "Restless",
    "Rusty", "Scarlet", "Secret", "Silent", "Silver", "Sleepy", "Solar", "Southern", "Static",
    "Strange", "Sweet", "Tender", "Thunder", "Tiny", "Twin", "Ultra", "Union", "Urban",
    "Velvet", "Violet", "Vivid", "Wandering", "Wild", "Winter", "Wooden", "Xenon", "Yellow",
    "Young", "Zealous", "Zero", "Zigzag",
)  # fmt: skip
BAND_NOUNS = (
    "Anchors", "Angels", "Arrows", "Astronauts", "Bandits", "Bears", "Bells", "Birds",
    "Blossoms", "Bones", "Brothers", "Cats", "Chairs", "Circles", "Clouds", "Comets",
    "Cowboys", "Crows", "Daggers", "Diamonds", "Doves", "Dreamers", "Drifters", "Drums",
    "Eagles", "Echoes", "Engines", "Feathers", "Flames", "Foxes", "Gardens", "Ghosts",
    "Giants", "Harbours", "Hearts", "Horses", "Hunters", "Islands", "Jackals", "Jets",
    "Keys", "Kings", "Kites", "Lanterns", "Lions", "Machines", "Magnets", "Mirrors", "Monks",
    "Moons", "Motels", "Mountains", "Needles", "Nomads", "Oceans", "Orchids", "Owls",
    "Painters", "Pilots", "Pirates", "Planets", "Poets", "Queens", "Rabbits", "Radios",
    "Ravens", "Rebels", "Rivers", "Robots", "Rockets", "Sailors", "Satellites", "Shadows",
    "Sisters", "Skies", "Sparks", "Strangers", "Swans", "Tigers", "Towers", "Trains",
    "Travellers", "Tulips", "Vandals", "Voices", "Wanderers", "Waves", "Whales", "Wolves",
    "Wonders", "Youths", "Zebras",
)  # fmt: skip
FIRST_NAMES = (
    "Ada", "Alice", "Amir", "Anna", "Ben", "Billie", "Carlos", "Chloe", "Daniel", "Dara",
    "Eddie", "Elena", "Ella", "Emil", "Fatima", "Felix", "Frida", "George", "Grace", "Hana",
    "Harry", "Ines", "Isaac", "Ivy", "Jack", "Jamal", "Jonas", "Jules", "Kai", "Karin",
    "Kenji", "Lars", "Layla", "Leo", "Lina", "Luca", "Maya", "Marcus", "Mia", "Nadia",
    "Nico", "Nina", "Noah", "Olive", "Omar", "Oscar", "Paula", "Pedro", "Priya", "Quentin",
    "Quinn", "Rafael", "Rosa", "Ruby", "Sam", "Sara", "Sofia", "Theo", "Tom", "Ulla",
    "Uma", "Valentina", "Victor", "Wanda", "Will", "Xander", "Ximena", "Yara", "Yusuf",
    "Zoe", "Zane",
)  # fmt: skip
SURNAMES = (
    "Abbott", "Adler", "Bakker", "Banks", "Barros", "Bell", "Berg", "Blake", "Brandt",
    "Brooks", "Carter", "Castillo", "Chen", "Cole", "Costa", "Cruz", "Dahl", "Diaz", "Doyle",
    "Dubois", "Ellis", "Evans", "Falk", "Ferreira", "Fischer", "Flynn", "Fox", "Garcia",
    "Gray", "Hale", "Hansen", "Hart", "Hayes", "Holm", "Hughes", "Ito", "Jensen", "Jones",
    "Kane", "Keller", "Khan", "Klein", "Lane", "Larsen", "Lopez", "Lund", "Marsh", "Meyer",
    "Moreau", "Murphy", "Nash", "Nilsson", "Novak", "Okafor", "Olsen", "Ortiz", "Park",
    "Patel", "Pearce", "Quinn", "Reed", "Reyes", "Rossi", "Russo", "Ryan", "Santos",
    "Schmidt", "Silva", "Stone", "Sato", "Torres", "Turner", "Vance", "Varga", "Voss",
    "Walsh", "Weber", "West", "Wolfe", "Young", "Yilmaz", "Zimmer",
)  # fmt: skip
WORD_PARTS = (
    "Moon", "Sun", "Star", "Sky", "Fire", "Ice", "Neon", "Echo", "Dust", "Glow", "Wave",
    "Bolt", "Drift", "Haze", "Lune", "Nova", "Pulse", "Rift", "Sonic", "Tide", "Vox",
)  # fmt: skip
WORD_ENDS = ("beat", "fall", "field", "light", "line", "ment", "ray", "scape", "tone", "wave")
NUMBERS = {
    "0": ("0", "00"), "1": ("1", "10", "101", "1000"), "2": ("2", "21", "2000"),
    "3": ("3", "33", "3rd"), "4": ("4", "44", "45"), "5": ("5", "55", "5th"),
    "6": ("6", "66"), "7": ("7", "77", "7th"), "8": ("8", "80", "808"), "9": ("9", "99", "911"),
}  # fmt: skip
TITLE_ADJECTIVES = (
    "Happy", "Pink", "Blue", "Golden", "Silver", "Broken", "Electric", "Midnight", "Wild",
    "Quiet", "Lonely", "Secret", "Endless", "Burning", "Frozen", "Hidden", "Little", "Lost",
    "Northern", "Paper", "Restless", "Sweet", "Velvet", "Yellow", "Young", "Crimson",
    "Distant", "Empty", "Fading", "Gentle", "Heavy", "Invisible", "Last", "Modern", "Neon",
    "Open", "Perfect", "Rainy", "Strange", "Tender", "Violet", "Wasted", "Bitter", "Dirty",
    "Easy", "First", "Holy", "Lazy", "Magic", "Naked", "Only", "Quick", "Red", "Sad", "True",
)  # fmt: skip
TITLE_NOUNS = (
    "Love", "Heart", "Summer", "Rain", "River", "Night", "Morning", "City", "Fire", "Dream",
    "Light", "Road", "Sky", "Ocean", "Window", "Highway", "Garden", "Mirror", "Shadow",
    "Star", "Moon", "Sun", "Train", "Radio", "Party", "Letter", "Echo", "Island", "Mountain",
    "Song", "Story", "Kiss", "Storm", "Wave", "Winter", "Autumn", "Spring", "Stranger",
    "Angel", "Ghost", "Heaven", "Home", "Horizon", "Memory", "Paradise", "Satellite",
    "Signal", "Thunder", "Daylight", "Diamond", "Fever", "Freedom", "Gold", "Harbour",
    "Honey", "Lullaby", "Machine", "Rhythm", "Smile", "Sunday", "Tomorrow", "Water", "World",
)  # fmt: skip
TITLE_OPENERS = (
    "Chasing", "Dancing in the", "Waiting for the", "Dreaming of", "Falling into the",
    "Running from the", "Singing in the", "Holding on to the", "Looking for the",
    "Back to the", "Under the", "Beyond the", "Take Me to the", "All About the",
    "Lost in the", "Love in the", "Don't Forget the", "Here Comes the", "Hold the",
)  # fmt: skip
ALBUM_FRAMES = (
    "{} Sessions", "Songs from the {}", "Live at the {}", "The {} Tapes", "Tales of {}",
    "{} Years", "Return of the {}", "{} and Other Stories",
)  # fmt: skip
TRACK_VERSIONS = (
    "Radio Edit", "Remastered", "Live", "Acoustic", "Extended Mix", "Demo", "Instrumental",
    "Single Version", "Album Version", "Club Mix",
)  # fmt: skip
CITIES = (
    "London", "Manchester", "Glasgow", "Dublin", "Bristol", "Leeds", "New York", "Chicago",
    "Austin", "Nashville", "Los Angeles", "Seattle", "Toronto", "Montreal", "Berlin",
    "Hamburg", "Cologne", "Paris", "Lyon", "Marseille", "Cork", "Vancouver", "Detroit",
    "Atlanta", "Brighton", "Sheffield", "Munich", "Bordeaux", "Galway", "Halifax",
)  # fmt: skip
LABEL_WORDS = (
    "Northern", "Harbour", "Blue Lantern", "Copper", "Driftwood", "Ember", "Foxglove",
    "Granite", "Hollow Oak", "Iris", "Juniper", "Kestrel", "Lighthouse", "Meridian",
    "Nightjar", "Orbit", "Pinewood", "Quarry", "Redwing", "Saltmarsh", "Tidewater",
    "Umbra", "Vantage", "Westway", "Yardbird", "Zenith", "Cobalt", "Skyline", "Bramble",
    "Starling",
)  # fmt: skip
LABEL_KINDS = ("Records", "Recordings", "Music", "Sound", "Audio")

# Search targets the sandbox's own tests and the browser journeys can rely on.
FORCED_ARTIST_NAMES = ("Pink Lanterns", "The Happy Strangers", "Love Engine")
FORCED_RELEASE_TITLES = ("Love on the Radio", "Happy Accidents", "Pink Moon Rising")
FORCED_TRACK_TITLES = ("Happy Hour Blues", "Love Me Tomorrow", "Pink Skies", "Endless Love")

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

    def add_example_release(self, example: _ExampleRelease) -> None:
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

    def filler_durations(self, example: _ExampleRelease, fillers: list[Filler]) -> list[int]:
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
        spare = [a.id for a in self.artists if a.id in _EXAMPLE_ARTISTS_WITHOUT_RELEASES]
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
