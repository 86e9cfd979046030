"""The reference's own examples: the artists, releases, tracks, labels, licensors and tags
that 7digital-api-1.2-reference.txt documents, with their ids, names, ISRCs and prices.

Which reference lines each record comes from, and the choices made where the reference
contradicts itself or is silent, are listed in ``docs/sandbox-seed.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

# The three playlist artists the reference names without an id (lines 5237-5265, 5430-5464).
INVENTED_EXAMPLE_ARTIST_IDS_FROM = 9_000_001

SAME = "same as release_date"


@dataclass(frozen=True)
class ExampleArtist:
    id: int
    name: str
    slug: str
    popularity: str
    sort_name: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExampleTrack:
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
class ExampleRelease:
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
    tracks: tuple[ExampleTrack, ...] = ()
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
    ExampleArtist(1, "Keane", "keane", "0.60", tags=("rock", "pop", "alternative", "2000s")),
    ExampleArtist(2, "Blink 182", "blink-182", "0.58", tags=("rock", "punk", "1990s")),
    ExampleArtist(
        14, "The Charlatans", "the-charlatans", "0.53", "Charlatans, The", ("rock", "indie-rock")
    ),
    ExampleArtist(20, "Coldplay", "coldplay", "0.81", tags=("rock", "pop", "2000s")),
    ExampleArtist(55, "Stereo MC's", "stereo-mcs-(2)", "0.35", tags=("hip-hop", "dance")),
    ExampleArtist(96, "Gabrielle", "gabrielle", "0.40", tags=("r-and-b", "pop")),
    ExampleArtist(169, "Nirvana", "nirvana", "0.72", tags=("rock", "grunge", "1990s")),
    ExampleArtist(222, "Maroon 5", "maroon-5", "0.81", tags=("rock", "pop", "2000s")),
    ExampleArtist(226, "Pink", "pink", "0.80", tags=("pop",)),
    ExampleArtist(276, "McFly", "mcfly", "0.45", tags=("pop",)),
    ExampleArtist(304, "Radiohead", "radiohead", "0.70", tags=("rock", "alternative", "1990s")),
    ExampleArtist(386, "Robbie Williams", "robbie-williams", "0.55", tags=("pop",)),
    ExampleArtist(1194, "Patti Smith", "patti-smith", "0.38", tags=("rock", "punk")),
    ExampleArtist(4617, "Skillet", "skillet", "0.33", tags=("rock", "metal")),
    ExampleArtist(5440, "Umberto Tozzi", "umberto-tozzi", "0.21", tags=("pop", "1980s")),
    ExampleArtist(5653, "Extremoduro", "extremoduro", "0.24", tags=("rock", "latin")),
    ExampleArtist(6018, "Aphex Twin", "aphex-twin", "0.50", tags=("electronic", "ambient")),
    ExampleArtist(6090, "Daniel Barenboim", "daniel-barenboim", "0.30", tags=("classical",)),
    ExampleArtist(7018, "Roxette", "roxette", "0.44", tags=("pop", "1990s")),
    ExampleArtist(17168, "P J Proby", "p-j-proby", "0.08", tags=("pop", "1960s")),
    ExampleArtist(49225, "Calvin Harris", "calvin-harris", "0.74", tags=("dance", "electronic")),
    ExampleArtist(60288, "Michel Camilo", "michel-camilo", "0.18", tags=("jazz", "latin")),
    ExampleArtist(144641, "P J Harvey", "p-j-harvey", "0.11", tags=("rock", "alternative")),
    ExampleArtist(329482, "Paloma Faith", "paloma-faith", "0.42", tags=("pop", "soul")),
    ExampleArtist(334462, "Sigma", "sigma", "0.60", tags=("drum-and-bass", "dance")),
    ExampleArtist(335480, "Cryonic Temple", "cryonic-temple", "0.05", tags=("metal",)),
    ExampleArtist(487026, "Ben Howard", "ben-howard", "0.99", tags=("folk", "singer-songwriter")),
    ExampleArtist(1221028, "alt-J", "alt-j-1", "0.66", tags=("indie-rock", "alternative")),
    ExampleArtist(
        1389406, "Pharrell Williams", "pharrell-williams", "0.75", tags=("hip-hop", "pop")
    ),
    ExampleArtist(1471729, "Pink Haze", "pink-haze", "0.28", tags=("rock",)),
    ExampleArtist(1518064, "SoundSense", "soundsense", "0.20", tags=("pop", "1980s")),
    ExampleArtist(
        2395637,
        "Calvin Harris feat. John Newman",
        "calvin-harris-feat-john-newman",
        "0.52",
        tags=("dance",),
    ),
    ExampleArtist(
        2460527,
        "Scott Walker + Sunn O)))",
        "scott-walker-plus-sunn-o",
        "0.98",
        tags=("experimental",),
    ),
    ExampleArtist(2753170, "Bicentennial Bear", "bicentennial-bear", "0.04", tags=("rock",)),
    ExampleArtist(FRANZ_FERDINAND, "Franz Ferdinand", "franz-ferdinand", "0.57", tags=("rock",)),
    ExampleArtist(MGMT, "MGMT", "mgmt", "0.56", tags=("indie-rock", "electronic")),
    ExampleArtist(
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
    ExampleRelease(
        1046, "No Surprises", 304, 227575, 18, "2003-03-01T00:00:00Z", "2.49", 3, 642,
        type="Single", barcode="0724388514453", year=1997, slug="no-surprises",
        popularity="0.48", cline=_WARNER_1998, pline=_WARNER_1998, premium_gbp="3.99",
        tags=("rock", "alternative", "1990s"),
        tracks=(
            ExampleTrack(9525, 1, "No Surprises", 229, "GBAYE9700386", "0.99", popularity="0.47"),
            ExampleTrack(9526, 2, "Palo Alto", 224, "GBAYE9800042", "0.99", popularity="0.31"),
            ExampleTrack(
                9527, 3, "How I Made My Millions", 189, "GBAYE9800043", "0.99", popularity="0.22"
            ),
        ),
    ),
    ExampleRelease(
        1047, "No Surprises", 304, 227575, 18, "2003-03-01T00:00:00Z", "2.49", 3, 795,
        type="Single", barcode="0724388514552", year=1997, slug="no-surprises-3",
        popularity="0.47", cline=_WARNER_1998, pline=_WARNER_1998, tags=("rock", "alternative"),
        fillers=(
            ("No Surprises", 229, "GBAYE9700386"),  # CD2 opens with CD1's recording
            "Airbag (Live in Berlin)",
            "Lucky (Live in Florence)",
        ),
    ),
    ExampleRelease(
        809798, "A Bad Dream", 1, 471977, 1, "2015-11-15T00:00:00Z", "0.99", 1, 307,
        type="Single", barcode="00602527390970", year=2010, slug="a-bad-dream-1",
        tags=("rock", "pop"), fillers=("A Bad Dream",),
    ),
    ExampleRelease(
        470, "AOL Session", 1, 465499, 1, "2015-11-15T00:00:00Z", "3.99", 6, 1404,
        type="Single", barcode="00602498672938", year=2004, slug="aol-session",
        tags=("rock", "pop", "2000s"),
    ),
    ExampleRelease(
        20, "Enema Of The State", 2, 464954, 1, "2015-11-14T00:00:00Z", "7.99", 12,
        barcode="00008811195021", year=1999, slug="enema-of-the-state-1-1",
        tags=("rock", "punk", "1990s"),
        tracks=(
            ExampleTrack(
                151, 5, "What's My Age Again?", 150, "USMC19959007", "5.49",
                version="Explicit", explicit=True, popularity="0.39",
            ),
            ExampleTrack(
                148, 8, "All The Small Things", 172, "USMC19959123", "5.49", popularity="0.41"
            ),
        ),
        fillers=_ENEMA_OF_THE_STATE,
    ),
    ExampleRelease(
        12345, "Yo, Minoria Absoluta", 5653, 556, 18, "2005-05-23T23:00:00Z", "8.49", 10, 2560,
        barcode="809274456564", year=2002, slug="yo-minoria-absoluta-1", tags=("rock", "latin"),
    ),
    ExampleRelease(
        12346, "The best of Umberto Tozzi", 5440, 430, 18, "2012-01-13T00:00:00Z", "8.49", 34,
        9488, barcode="809274726360", year=2002, slug="the-best-of-umberto-tozzi",
        tags=("pop", "1980s"),
    ),
    ExampleRelease(
        12347, "Bach, JS : Well-Tempered Clavier Book 1", 6090, 422, 18,
        "2006-08-29T00:00:00Z", "10.49", 48, 7482, barcode="825646155361", year=2004,
        slug="bach-well-tempered-clavier-book-1", streaming_date=None, ad_supported_date=None,
        tags=("classical",), fillers=_WELL_TEMPERED_CLAVIER,
    ),
    ExampleRelease(
        3563048, "This Is All Yours", 1221028, 25901, 48, "2014-09-22T00:00:00Z", "4.49", 14,
        3328, version="Explicit", barcode="5050954421883", year=2014, explicit=True,
        slug="this-is-all-yours", popularity="0.99", ad_supported_date=None,
        tags=("indie-rock", "alternative"),
    ),
    ExampleRelease(
        3814480, "Syro", 6018, 811, 228, "2014-09-21T00:00:00Z", "7.99", 12, 3871,
        barcode="0801061024734", year=2014, slug="syro", popularity="0.98",
        streaming_date=None, ad_supported_date=None, tags=("electronic",),
    ),
    ExampleRelease(
        155408, "North Country Echoes", 14, 227575, 18, "2004-05-10T00:00:00Z", "7.99", 11,
        barcode="0724357849029", year=2004, slug="north-country-echoes", popularity="0.36",
        tags=("rock", "pop", "electronic", "indie-rock", "2000s"),
    ),
    ExampleRelease(
        4987796, "Mighty Eagle", 335480, 119166, 68, "2015-12-17T00:00:00Z", "0.79", 1, 205,
        type="Single", barcode="7340065072028", year=2015, slug="mighty-eagle",
        tags=("rock",), fillers=("Mighty Eagle",),
    ),
    ExampleRelease(
        4947593, "Upset for the Ages (Single)", 2753170, 152250, 261, "2015-12-17T00:00:00Z",
        "1.98", 2, 360, barcode="7071676152105", year=2015, slug="upset-for-the-ages-single",
        streaming_date="2015-11-20T00:00:00Z", ad_supported_date="2015-11-20T00:00:00Z",
        tags=("rock",), fillers=("Upset for the Ages", "Upset for the Ages (Instrumental)"),
    ),
    ExampleRelease(
        1402423, "Nevermind", 169, 472015, 1, "2015-11-24T00:00:00Z", "8.49", 13, 2954,
        barcode="00602527856865", year=1991, slug="nevermind-4", tags=("rock",),
        fillers=_NEVERMIND,
    ),
    ExampleRelease(
        3490858, "Ghost Stories", 20, 227575, 18, "2015-03-23T00:00:00Z", "4.49", 10, 2562,
        barcode="825646305926", year=2014, slug="ghost-stories", streaming_date=None,
        ad_supported_date=None, tags=("rock",),
    ),
    ExampleRelease(
        282442, "On Fire", 60288, 1085, 2, "1989-10-02T23:00:00Z", "7.99", 9,
        barcode="074644529524", year=1989, slug="on-fire",
        preview_date="1989-10-02T00:00:00Z", tags=("jazz",),
        tracks=(
            ExampleTrack(
                3153161, 1, "Island Stomp", 320, "USSM18900815", None, popularity="0.25",
                pline="1994 Parlophone Records Sweden AB, a Warner Music Group Company",
            ),
        ),
    ),
    ExampleRelease(
        12134, "The Pop Hits", 7018, 226994, 18, "2003-05-31T23:00:00Z", "7.99", 20,
        barcode="0724358215557", year=2003, slug="the-pop-hits-12134", premium_gbp="10.49",
        tags=("pop", "1990s"),
        tracks=(
            ExampleTrack(
                123456, 9, "Sleeping in My Car (Single Version)", 214, "SEAMA9301032", "1.49",
                premium_gbp="1.49", version="Single Version", popularity="0.36",
                pline="\u2117 1994 Parlophone Music Sweden AB, a Warner Music Group Company",
            ),
        ),
    ),
    ExampleRelease(
        206, "Connected", 55, 466278, 1, "2015-11-15T00:00:00Z", "7.99", 12,
        barcode="00731451274329", year=1992, slug="connected", premium_gbp="10.49",
        tags=("hip-hop", "dance", "1990s"),
        tracks=(
            ExampleTrack(
                2146, 10, "Chicken Shake", 230, "GBAAN9290032", "5.49", premium_gbp="8.49"
            ),
        ),
    ),
    ExampleRelease(
        96, "Gabrielle", 96, 474673, 1, "2015-11-14T00:00:00Z", "7.99", 12,
        barcode="00042282885821", year=1996, slug="gabrielle-2", premium_gbp="10.49",
        tags=("r-and-b", "pop", "1990s"),
        tracks=(
            ExampleTrack(
                1347, 5, "Give Me A Little More Time", 295, "GBAQT9600013", "5.49",
                premium_gbp="8.49",
            ),
        ),
    ),
    ExampleRelease(
        3698566, "Changing", 334462, 487178, 1, "2015-09-11T23:00:00Z", "0.99", 1,
        type="Single", barcode="05037128211457", year=2014, slug="changing",
        popularity="0.90", preview_date="2015-09-11T00:00:00Z", ad_supported_date=None,
        tags=("drum-and-bass", "dance"),
        tracks=(
            ExampleTrack(38656894, 1, "Changing", 191, "GBSXS1400130", None, popularity="0.99"),
        ),
    ),
    ExampleRelease(
        3751479, "Blame", 2395637, 592, 2, "2014-09-06T23:00:00Z", "0.99", 1,
        type="Single", barcode="886444665278", year=2014, slug="blame", popularity="0.89",
        preview_date="2014-09-06T00:00:00Z", ad_supported_date=None, tags=("dance",),
        tracks=(
            ExampleTrack(
                39109566, 1, "Blame", 211, "GBARL1400567", None, popularity="0.98", artist=49225
            ),
        ),
    ),
    ExampleRelease(
        3157769, "Happy", 1389406, 24002, 2, "2013-12-17T00:00:00Z", "0.99", 1,
        type="Single", barcode="886444543491", year=2013,
        slug="happy-grus-theme-from-despicable-me-2", tags=("pop", "hip-hop"),
        tracks=(
            ExampleTrack(
                33576075, 1, 'Happy (From "Despicable Me 2")', 233, "USQ4E1300686", "0.99",
                popularity="0.68",
            ),
        ),
    ),
    ExampleRelease(
        2170865, "100% 80's - 100 Classic Hits", 1518064, 81377, 166, "2013-02-15T00:00:00Z",
        "12.99", 100, barcode="5054316160016", year=2013, slug="100-80s-100-classic-hits",
        ad_supported_date=None, tags=("pop", "1980s"),
        tracks=(
            ExampleTrack(
                23383867, 10, "Happy Hour", 139, "FR6V81605038", "12.99", popularity="0.65"
            ),
        ),
    ),
    ExampleRelease(
        302123, "Original Album Classics", 1194, 92, 2, "2008-06-15T23:00:00Z", "8.49", 10,
        barcode="886973232527", year=2008, slug="original-album-classics", tags=("rock",),
        tracks=(
            ExampleTrack(
                3544116, 2, "Gloria", 150, "USRC10301017", "0.99",
                version="Digitally Remastered 1996",
            ),
        ),
    ),
    ExampleRelease(
        569720, "Awake", 4617, 116, 18, "2013-10-21T13:00:00Z", "7.99", 12,
        barcode="075679983732", year=2009, slug="awake-569720", tags=("rock", "metal"),
        tracks=(ExampleTrack(6313215, 1, "Hero", 190, "USAT20901852", "0.99"),),
    ),
    ExampleRelease(
        662888, "Do You Want The Truth Or Something Beautiful?", 329482, 1085, 2,
        "2010-01-04T00:00:00Z", "2.49", 4, type="Single",
        version="Live From BBC 1's Radio Live Lounge", barcode="884977432688", year=2010,
        slug="do-you-want-the-truth-or-something-beautiful-2", taken_down=True,
        tags=("pop", "soul"),
        tracks=(
            ExampleTrack(
                7352778, 3, "Do You Want The Truth Or Something Beautiful?", 335,
                "GBARL0901537", "0.99", version="Jonny L Remix",
            ),
        ),
    ),
    ExampleRelease(
        496338, "No You Girls Remixes Part 2", FRANZ_FERDINAND, 900_000, 68,
        "2009-04-20T00:00:00Z", "2.49", 4, type="Single", version="Digital Download",
        barcode="5034202122664", year=2009, slug="no-you-girls-remixes-part-2",
        tags=("rock", "indie-rock"),
        tracks=(
            ExampleTrack(
                5495893, 1, "No You Girls", 331, "GBCEL0900061", "0.99",
                version="Trentmoller Remix",
            ),
        ),
    ),
    ExampleRelease(
        280218, "Oracula Spectacular", MGMT, 592, 2, "2008-03-03T00:00:00Z", "7.99", 10,
        barcode="886972401429", year=2007, slug="oracula-spectacular",
        tags=("indie-rock", "electronic"),
        tracks=(ExampleTrack(3121833, 5, "Kids", 302, "USSM10704609", "0.99"),),
    ),
    ExampleRelease(
        2766569, "Ice On The Dune", EMPIRE_OF_THE_SUN, 32, 13, "2013-06-14T00:00:00Z", "7.99",
        12, barcode="5099997271729", year=2013, slug="ice-on-the-dune", tags=("electronic",),
        tracks=(ExampleTrack(29675004, 3, "Lux", 81, "AUEI11300203", "0.99"),),
    ),
)  # fmt: skip

EXAMPLE_ARTIST_IDS = frozenset(artist.id for artist in EXAMPLE_ARTISTS)
EXAMPLE_RELEASE_IDS = frozenset(release.id for release in EXAMPLE_RELEASES)
EXAMPLE_TRACK_IDS = frozenset(track.id for release in EXAMPLE_RELEASES for track in release.tracks)
# Artists the reference shows without a release: the generated catalogue gives them some.
EXAMPLE_ARTISTS_WITHOUT_RELEASES = EXAMPLE_ARTIST_IDS - {r.artist for r in EXAMPLE_RELEASES}
