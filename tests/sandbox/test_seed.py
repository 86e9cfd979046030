"""The sandbox's seeded catalogue: deterministic, holding the reference's examples, consistent."""

from __future__ import annotations

import hashlib
import string
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from sandbox.models import Artist, Label, Licensor, PartnerUser, PriceTier, Release, Tag, Track
from sandbox.seed import (
    ANCHOR,
    EXAMPLE_ARTIST_IDS,
    EXAMPLE_RELEASE_IDS,
    EXAMPLE_TRACK_IDS,
    GENERATED_ARTIST_IDS_FROM,
    GENERATED_RELEASE_IDS_FROM,
    GENERATED_TRACK_IDS_FROM,
    seed,
)

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SMALL = 2_000
EVERYWHERE = ",GB,US,DE,FR,IE,CA,"
SEEDED_MODELS = (
    Licensor,
    Label,
    Tag,
    PriceTier,
    Artist,
    Release,
    Track,
    Artist.tags.through,
    Release.tags.through,
)


def digest() -> str:
    """One hash over every seeded row, in primary-key order."""
    sha = hashlib.sha256()
    for model in SEEDED_MODELS:
        for row in model.objects.order_by("pk").values_list():
            sha.update(repr(row).encode())
    return sha.hexdigest()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def gbp(tier: PriceTier | None) -> Decimal | None:
    return tier.gbp if tier else None


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One catalogue shared by the tests that only read it, rolled back after the module.

    Each test still runs in its own savepoint inside this transaction, so a test that
    reseeds leaves the shared catalogue as it found it.
    """
    with django_db_blocker.unblock(), transaction.atomic(using="sandbox"):
        yield seed(tracks=SMALL)
        transaction.set_rollback(True, using="sandbox")


def test_the_same_seed_gives_the_same_rows():
    seed(tracks=SMALL, seed=7)
    first = digest()
    seed(tracks=SMALL, seed=7)

    assert digest() == first


def test_another_seed_gives_another_catalogue():
    seed(tracks=SMALL, seed=7)
    first = digest()
    seed(tracks=SMALL, seed=8)

    assert digest() != first


def test_the_stats_count_what_was_saved(seeded):
    assert seeded.artists == Artist.objects.count()
    assert seeded.releases == Release.objects.count()
    assert seeded.tracks == Track.objects.count()
    assert seeded.price_tiers == PriceTier.objects.count()
    assert seeded.artist_tags == Artist.tags.through.objects.count()
    assert seeded.release_tags == Release.tags.through.objects.count()
    assert seeded.rows == sum(model.objects.count() for model in SEEDED_MODELS)
    assert seeded.as_dict()["rows"] == seeded.rows
    assert seeded.seconds > 0


def test_the_catalogue_grows_with_the_tracks_asked_for():
    small = seed(tracks=500)
    larger = seed(tracks=SMALL)

    assert small.tracks >= 500
    assert larger.tracks >= SMALL
    assert larger.releases - len(EXAMPLE_RELEASE_IDS) == SMALL // 10
    assert larger.releases > small.releases
    assert small.artists - len(EXAMPLE_ARTIST_IDS) >= 36  # one per letter and digit


def test_release_1046_has_its_documented_values(seeded):
    release = Release.objects.select_related(
        "artist", "label", "licensor", "standard_tier", "premium_tier"
    ).get(id=1046)

    assert release.title == "No Surprises"
    assert release.type == Release.Type.SINGLE
    assert release.barcode == "0724388514453"
    assert release.year == 1997
    assert release.slug == "no-surprises"
    assert release.cline == release.pline == "1998 Parlophone Records Ltd, a Warner Music Company"
    assert (release.artist.id, release.artist.name) == (304, "Radiohead")
    assert (release.label.id, release.label.name) == (227575, "Parlophone UK")
    assert (release.licensor.id, release.licensor.name) == (18, "Warner")
    assert release.duration == 642
    assert release.track_count == 3
    assert release.release_date == at("2003-03-01T00:00:00Z")
    assert release.streaming_date == release.ad_supported_date == at("2003-03-01T00:00:00Z")
    assert release.standard_tier.gbp == Decimal("2.49")
    assert release.has_premium
    assert release.premium_tier.gbp == Decimal("3.99")
    assert release.territories == EVERYWHERE


def test_release_1046_has_the_tracks_of_the_release_tracks_example(seeded):
    tracks = list(Track.objects.filter(release_id=1046).order_by("number"))

    assert [(t.id, t.title, t.number, t.duration) for t in tracks[:2]] == [
        (9525, "No Surprises", 1, 229),
        (9526, "Palo Alto", 2, 224),
    ]
    assert [t.isrc for t in tracks[:2]] == ["GBAYE9700386", "GBAYE9800042"]
    assert {gbp(t.standard_tier) for t in tracks} == {Decimal("0.99")}


def test_track_123456_follows_the_track_details_page(seeded):
    track = Track.objects.select_related("release__label", "standard_tier", "premium_tier").get(
        id=123456
    )

    assert track.title == "Sleeping in My Car (Single Version)"
    assert track.version == "Single Version"
    assert track.artist_id == 7018
    assert (track.number, track.disc_number, track.duration) == (9, 1, 214)
    assert track.isrc == "SEAMA9301032"
    assert track.pline == "\u2117 1994 Parlophone Music Sweden AB, a Warner Music Group Company"
    assert track.standard_tier.gbp == track.premium_tier.gbp == Decimal("1.49")
    assert (track.release.id, track.release.title) == (12134, "The Pop Hits")
    assert track.release.barcode == "0724358215557"
    assert (track.release.label.id, track.release.label.name) == (226994, "Parlophone Sweden")
    assert track.release.licensor_id == 18
    assert track.release.release_date == at("2003-05-31T23:00:00Z")


@pytest.mark.parametrize(
    ("track_id", "title", "release_id", "price"),
    [
        (3153161, "Island Stomp", 282442, None),
        (148, "All The Small Things", 20, Decimal("5.49")),
        (151, "What's My Age Again?", 20, Decimal("5.49")),
        (2146, "Chicken Shake", 206, Decimal("5.49")),
        (1347, "Give Me A Little More Time", 96, Decimal("5.49")),
        (38656894, "Changing", 3698566, None),
        (39109566, "Blame", 3751479, None),
        (33576075, 'Happy (From "Despicable Me 2")', 3157769, Decimal("0.99")),
        (23383867, "Happy Hour", 2170865, Decimal("12.99")),
    ],
)
def test_example_tracks_keep_their_release_and_price(seeded, track_id, title, release_id, price):
    track = Track.objects.select_related("standard_tier").get(id=track_id)

    assert track.title == title
    assert track.release_id == release_id
    assert gbp(track.standard_tier) == price


@pytest.mark.parametrize(
    ("release_id", "title", "price", "track_count", "duration"),
    [
        (809798, "A Bad Dream", Decimal("0.99"), 1, 307),
        (470, "AOL Session", Decimal("3.99"), 6, 1404),
        (12345, "Yo, Minoria Absoluta", Decimal("8.49"), 10, 2560),
        (12346, "The best of Umberto Tozzi", Decimal("8.49"), 34, 9488),
        (12347, "Bach, JS : Well-Tempered Clavier Book 1", Decimal("10.49"), 48, 7482),
        (1047, "No Surprises", Decimal("2.49"), 3, 795),
        (3563048, "This Is All Yours", Decimal("4.49"), 14, 3328),
        (3814480, "Syro", Decimal("7.99"), 12, 3871),
        (1402423, "Nevermind", Decimal("8.49"), 13, 2954),
        (3490858, "Ghost Stories", Decimal("4.49"), 10, 2562),
        (4987796, "Mighty Eagle", Decimal("0.79"), 1, 205),
        (4947593, "Upset for the Ages (Single)", Decimal("1.98"), 2, 360),
    ],
)
def test_example_releases_keep_their_price_and_length(
    seeded, release_id, title, price, track_count, duration
):
    release = Release.objects.select_related("standard_tier").get(id=release_id)

    assert release.title == title
    assert release.standard_tier.gbp == price
    assert (release.track_count, release.duration) == (track_count, duration)


def test_example_artists_have_their_documented_names(seeded):
    artists = {a.id: a for a in Artist.objects.filter(id__in=EXAMPLE_ARTIST_IDS)}

    assert set(artists) == EXAMPLE_ARTIST_IDS
    keane = artists[1]
    assert (keane.name, keane.sort_name, keane.slug, keane.bio) == ("Keane", "Keane", "keane", "")
    assert (artists[2].name, artists[2].slug) == ("Blink 182", "blink-182")
    assert artists[14].sort_name == "Charlatans, The"
    assert artists[226].name == "Pink"
    assert artists[304].name == "Radiohead"
    assert (artists[144641].name, artists[144641].popularity) == ("P J Harvey", Decimal("0.11"))
    assert artists[487026].name == "Ben Howard"
    assert artists[2460527].slug == "scott-walker-plus-sunn-o"


def test_example_tags_have_the_documented_texts(seeded):
    texts = dict(Tag.objects.values_list("id", "text"))

    assert {k: texts[k] for k in ("pop", "rock", "electronic", "alternative", "2000s")} == {
        "pop": "pop",
        "rock": "rock",
        "electronic": "electronic",
        "alternative": "alternative",
        "2000s": "2000s",
    }
    assert texts["indie-rock"] == "indie rock"
    assert len(texts) >= 40
    keane_tags = set(Artist.objects.get(id=1).tags.values_list("id", flat=True))
    assert keane_tags == {"rock", "pop", "alternative", "2000s"}
    assert set(Release.objects.get(id=155408).tags.values_list("id", flat=True)) == {
        "rock",
        "pop",
        "electronic",
        "indie-rock",
        "2000s",
    }


def test_charts_start_with_the_reference_examples(seeded):
    top_artists = list(Artist.objects.order_by("-popularity", "id").values_list("id", flat=True))
    top_releases = list(Release.objects.order_by("-popularity", "id").values_list("id", flat=True))
    top_tracks = list(Track.objects.order_by("-popularity", "id").values_list("id", flat=True))

    assert top_artists[:2] == [487026, 2460527]
    assert top_releases[:2] == [3563048, 3814480]
    assert top_tracks[:2] == [38656894, 39109566]


def test_every_release_counts_and_times_its_own_tracks(seeded):
    mismatched = (
        Release.objects.annotate(tracks_found=Count("tracks"), seconds=Sum("tracks__duration"))
        .exclude(track_count=F("tracks_found"), duration=F("seconds"))
        .values_list("id", flat=True)
    )

    assert list(mismatched) == []


def test_tracks_are_numbered_from_one_on_each_disc(seeded):
    two_disc_albums = Release.objects.filter(tracks__disc_number=2).distinct()
    assert two_disc_albums.exists()
    for release in two_disc_albums[:5]:
        for disc in (1, 2):
            numbers = list(
                release.tracks.filter(disc_number=disc)
                .order_by("number")
                .values_list("number", flat=True)
            )
            assert numbers == list(range(1, len(numbers) + 1))


def test_every_special_case_is_there_to_test_against(seeded):
    generated = Release.objects.filter(id__gte=GENERATED_RELEASE_IDS_FROM)

    assert generated.filter(territories=",GB,").exists()
    missing_a_country = generated.exclude(territories=EVERYWHERE).exclude(territories=",GB,")
    assert missing_a_country.exclude(territories__contains=",US,").exists()
    assert generated.filter(release_date__gte=datetime(2099, 1, 1, tzinfo=UTC)).exists()
    assert generated.filter(streaming_date=None).exists()
    assert generated.filter(ad_supported_date=None, streaming_date__isnull=False).exists()
    assert generated.filter(explicit=True).exists()
    assert generated.filter(type=Release.Type.VIDEO).exists()
    assert generated.filter(type=Release.Type.SINGLE).exists()
    assert generated.filter(standard_tier=None, type=Release.Type.ALBUM).exists()
    premium = generated.filter(has_premium=True)
    assert premium.exists()
    assert not premium.filter(premium_tier=None).exists()
    assert Track.objects.filter(release__in=premium).exclude(premium_tier=None).exists()
    assert Track.objects.filter(standard_tier=None, id__gte=GENERATED_TRACK_IDS_FROM).exists()
    # A release not sold as a whole still sells every one of its tracks.
    assert not Track.objects.filter(release__standard_tier=None, standard_tier=None).exists()
    assert Release.objects.get(id=662888).taken_down


def test_only_pre_releases_are_dated_after_the_anchor(seeded):
    future = Release.objects.filter(release_date__gt=ANCHOR)

    assert future.exists()
    assert not future.filter(release_date__year__lt=2099).exists()
    assert not Release.objects.filter(
        Q(streaming_date__gt=ANCHOR) & Q(release_date__lte=ANCHOR)
    ).exists()


def test_artist_names_start_with_every_letter_and_digit(seeded):
    firsts = {name[0].upper() for name in Artist.objects.values_list("sort_name", flat=True)}

    assert set(string.ascii_uppercase + string.digits) <= firsts
    names = list(Artist.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    the_bands = Artist.objects.filter(name__startswith="The ", id__gte=GENERATED_ARTIST_IDS_FROM)
    for name, sort_name in the_bands.values_list("name", "sort_name")[:10]:
        assert sort_name == f"{name[4:]}, The"


def test_artist_and_release_slugs_are_unique(seeded):
    for model in (Artist, Release):
        slugs = list(model.objects.values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs))


def test_search_targets_exist(seeded):
    assert Artist.objects.filter(name__icontains="pink").count() >= 3
    assert Release.objects.filter(title__icontains="love").count() >= 2
    assert Track.objects.filter(title__icontains="happy").count() >= 3


def test_generated_ids_stay_clear_of_the_examples(seeded):
    assert set(Track.objects.filter(id__in=EXAMPLE_TRACK_IDS).values_list("id", flat=True)) == (
        EXAMPLE_TRACK_IDS
    )
    assert not Artist.objects.exclude(id__in=EXAMPLE_ARTIST_IDS).filter(
        id__lt=GENERATED_ARTIST_IDS_FROM
    )
    assert not Release.objects.exclude(id__in=EXAMPLE_RELEASE_IDS).filter(
        id__lt=GENERATED_RELEASE_IDS_FROM
    )
    assert max(EXAMPLE_TRACK_IDS) < GENERATED_TRACK_IDS_FROM
    assert Release.objects.get(id=1046).title == "No Surprises"
    assert Track.objects.get(id=9525).release_id == 1046
    # An ISRC names one recording: releases may share it (CD1 and CD2 of "No Surprises"
    # both open with the same one), but never for two different songs.
    recordings = {}
    for isrc, title, duration in Track.objects.values_list("isrc", "title", "duration"):
        assert recordings.setdefault(isrc, (title, duration)) == (title, duration), isrc
    assert Track.objects.filter(isrc="GBAYE9700386").count() == 2


def test_example_prices_are_gbp_amounts_of_priced_tiers(seeded):
    tier = PriceTier.objects.get(code="gbp-2.49")

    assert tier.gbp == Decimal("2.49")
    assert tier.usd > tier.gbp
    assert tier.eur is not None and tier.cad is not None
    assert not PriceTier.objects.filter(Q(usd=None) | Q(eur=None) | Q(cad=None)).exists()


def test_reseeding_wipes_the_partner_users(seeded):
    PartnerUser.objects.create(consumer_key="key", user_id="someone", country="GB")

    seed(tracks=500)

    assert not PartnerUser.objects.exists()


def test_the_seedsandbox_command_prints_the_counts():
    out = StringIO()

    call_command("seedsandbox", "--tracks", "500", "--seed", "3", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Seeded the sandbox catalogue into 'sandbox' (seed 3) in ")
    assert lines[7].split() == ["tracks", f"{Track.objects.count():,}"]
    assert Release.objects.filter(id=1046).exists()


@pytest.mark.slow
def test_seeding_100000_tracks_takes_under_a_minute():
    stats = seed(tracks=100_000)

    assert stats.seconds < 60
    assert stats.artists >= 2_000
    assert stats.releases >= 10_000
    assert stats.tracks >= 100_000
