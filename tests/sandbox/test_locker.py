"""The sandbox's ``user/locker`` (reference lines 4960-5080) through the project's client,
in XML and JSON: what a customer bought, per release, with downloads left and URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from sandbox.models import Download, Purchase
from sandbox.models import Release as SandboxRelease
from sandbox.state import state
from sevendigital import errors

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
USER = "buyer-1"
START = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture(params=["xml", "json"])
def client(request, sandbox_client, sandbox_json_client, seeded_catalogue):
    chosen = sandbox_client if request.param == "xml" else sandbox_json_client
    chosen.users.create(USER, country="GB")
    return chosen


def _releases(count: int, exclude: int = NO_SURPRISES) -> list[SandboxRelease]:
    return list(
        SandboxRelease.objects.filter(territories__contains=",GB,", taken_down=False)
        .exclude(id=exclude)
        .order_by("id")[:count]
    )


def _buy(client, release_id: int, *, track_id: int | None = None, days: int = 0, **options):
    state.set_now(START + timedelta(days=days))
    return client.purchasing.deliver_item(
        USER,
        release_id=release_id,
        track_id=track_id,
        transaction_id=f"t-{release_id}-{track_id}-{days}",
        country="GB",
        **options,
    )


def test_an_empty_locker(client):
    locker = client.locker.get(USER, country="GB")

    assert locker.total_items == 0
    assert locker.releases == ()


def test_a_bought_release_is_in_the_locker_with_every_track_and_its_formats(client):
    purchase = _buy(client, NO_SURPRISES)
    release = SandboxRelease.objects.get(id=NO_SURPRISES)

    (entry,) = client.locker.get(USER, country="GB").releases

    assert entry.release.id == NO_SURPRISES
    assert entry.release.title == release.title
    assert entry.available is True
    assert [t.track.id for t in entry.tracks] == list(
        release.tracks.order_by("disc_number", "number").values_list("id", flat=True)
    )
    first = entry.tracks[0]
    assert first.purchase_id == purchase.id
    assert first.purchase_date == START
    assert first.complete_album_purchase is True
    assert first.remaining_downloads == release.licensor.download_limit
    assert [(u.format.id, u.format.description) for u in first.download_urls] == [
        (17, "MP3 320"),
        (33, "AAC 320"),
    ]
    assert "/media/user/downloadtrack?" in first.download_urls[0].url
    assert f"trackId={first.track.id}" in first.download_urls[0].url
    assert first.can_download


def test_a_bought_track_is_in_the_locker_alone(client):
    track = SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number").last()
    _buy(client, NO_SURPRISES, track_id=track.id)

    (entry,) = client.locker.get(USER, country="GB").releases

    assert [t.track.id for t in entry.tracks] == [track.id]
    assert entry.tracks[0].complete_album_purchase is False


def test_the_premium_package_downloads_in_its_own_format(client):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(has_premium=True)
    _buy(client, NO_SURPRISES, package_id=9)

    (entry,) = client.locker.get(USER, country="GB").releases

    assert [u.format.id for u in entry.tracks[0].download_urls] == [45]


def test_downloads_count_down_to_none_left(client):
    purchase = _buy(client, NO_SURPRISES)
    release = SandboxRelease.objects.get(id=NO_SURPRISES)
    track = release.tracks.order_by("number").first()
    limit = release.licensor.download_limit
    sale = Purchase.objects.get(id=purchase.id)
    Download.objects.bulk_create(
        Download(purchase=sale, track=track, format_id=17, downloaded_at=START)
        for _ in range(limit)
    )

    (entry,) = client.locker.get(USER, country="GB").releases
    counted = {t.track.id: t.remaining_downloads for t in entry.tracks}

    assert counted[track.id] == 0
    assert not next(t for t in entry.tracks if t.track.id == track.id).can_download
    assert all(left == limit for tid, left in counted.items() if tid != track.id)


def test_a_refunded_sale_leaves_the_locker(client):
    purchase = _buy(client, NO_SURPRISES)
    client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)

    assert client.locker.get(USER, country="GB").total_items == 0


def test_a_taken_down_release_stays_without_downloads(client, settings):
    _buy(client, NO_SURPRISES)
    settings.ROOT_URLCONF = "sandbox.urls"
    answer = Client().post(
        f"/_sandbox/releases/{NO_SURPRISES}/takedown",
        {"taken_down": True},
        content_type="application/json",
    )
    assert answer.json() == {"release": NO_SURPRISES, "taken_down": True}

    (entry,) = client.locker.get(USER, country="GB").releases

    assert entry.available is False
    assert all(t.download_urls == () for t in entry.tracks)
    assert all(t.remaining_downloads is None and t.purchase_id == 0 for t in entry.tracks)
    assert not any(t.can_download for t in entry.tracks)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("releaseTitle asc", "by_title"),
        ("releaseTitle desc", "by_title_reversed"),
        ("purchaseDate asc", "bought"),
        ("purchaseDate desc", "bought_reversed"),
        ("artistName asc", "by_artist"),
    ],
)
def test_the_locker_sorts_as_asked(client, sort, expected):
    releases = _releases(3)
    for days, release in enumerate(releases):
        _buy(client, release.id, days=days)
    orders = {
        "by_title": sorted(releases, key=lambda r: (r.title.lower(), r.id)),
        "bought": releases,
        "by_artist": sorted(releases, key=lambda r: (r.artist.name.lower(), r.id)),
    }
    orders["by_title_reversed"] = orders["by_title"][::-1]
    orders["bought_reversed"] = orders["bought"][::-1]

    locker = client.locker.get(USER, country="GB", sort=sort)

    assert [e.release.id for e in locker.releases] == [r.id for r in orders[expected]]


def test_the_locker_pages_by_release(client):
    for days, release in enumerate(_releases(5)):
        _buy(client, release.id, days=days)

    second = client.locker.get(USER, country="GB", page=2, page_size=2, sort="purchaseDate asc")

    assert (second.page, second.page_size, second.total_items) == (2, 2, 5)
    assert [e.release.id for e in second.releases] == [r.id for r in _releases(5)[2:4]]
    with pytest.raises(errors.ParameterOutOfRange):
        client.locker.get(USER, country="GB", page=4, page_size=2)


def test_the_locker_filters_by_release_track_and_purchase(client):
    other = _releases(1)[0]
    first = _buy(client, NO_SURPRISES)
    _buy(client, other.id, days=1)
    track = SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number").first()

    by_release = client.locker.get(USER, country="GB", release_id=NO_SURPRISES)
    assert [e.release.id for e in by_release.releases] == [NO_SURPRISES]
    by_track = client.locker.get(USER, country="GB", release_id=NO_SURPRISES, track_id=track.id)
    assert [t.track.id for t in by_track.releases[0].tracks] == [track.id]
    by_purchase = client.locker.get(USER, country="GB", purchase_id=first.id)
    assert [e.release.id for e in by_purchase.releases] == [NO_SURPRISES]
    assert client.locker.get(USER, country="GB", release_id=999_999_999).total_items == 0
    with pytest.raises(errors.NotFound):
        client.locker.get(USER, country="GB", purchase_id=999_999_999)


def test_one_users_locker_is_not_anothers(client):
    _buy(client, NO_SURPRISES)
    client.users.create("buyer-2", country="GB")

    assert client.locker.get("buyer-2", country="GB").total_items == 0
    purchase_id = Purchase.objects.get().id
    with pytest.raises(errors.NotFound):
        client.locker.get("buyer-2", country="GB", purchase_id=purchase_id)


def test_the_takedown_switch_answers_clearly(settings, seeded_catalogue):
    settings.ROOT_URLCONF = "sandbox.urls"
    http = Client()

    missing = http.post(
        "/_sandbox/releases/999999999/takedown", {}, content_type="application/json"
    )
    assert missing.status_code == 404
    refused = http.post(
        f"/_sandbox/releases/{NO_SURPRISES}/takedown",
        {"taken_down": "yes"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    back = http.post(
        f"/_sandbox/releases/{NO_SURPRISES}/takedown",
        {"taken_down": False},
        content_type="application/json",
    )
    assert back.json()["taken_down"] is False
