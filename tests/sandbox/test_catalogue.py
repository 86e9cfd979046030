"""Our client drives every catalogue endpoint against the sandbox, in XML and in JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sandbox.models import Release, Track
from sevendigital import errors

from .conftest import make_client

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("seeded_catalogue"),
]


@pytest.fixture(params=["xml", "json"])
def client(request):
    return make_client(response_format=request.param)


# -- the reference's own entities ---------------------------------------------------


def test_release_1046_has_the_documented_details_and_prices(client):
    release = client.releases.details(1046)
    assert release.title == "No Surprises"
    assert release.type == "Single"
    assert release.barcode == "0724388514453"
    assert release.artist.name == "Radiohead"
    assert release.label.name == "Parlophone UK"
    assert release.licensor.name == "Warner"
    standard = release.download.package(2)
    assert standard.price.currency == "GBP"
    assert standard.price.amount == Decimal("2.49")
    assert standard.formats[0].id == 17
    assert release.download.release_date == datetime(2003, 3, 1, tzinfo=UTC)


def test_prices_and_currency_follow_the_country(client):
    gb = client.releases.details(1046).download.package(2).price
    us = client.releases.details(1046, country="US").download.package(2).price
    de = client.releases.details(1046, country="DE").download.package(2).price
    assert (gb.currency, us.currency, de.currency) == ("GBP", "USD", "EUR")
    assert us.amount is not None and us.amount > 0


def test_an_item_not_licensed_in_a_country_is_not_found_there(client):
    release = (
        Release.objects.filter(territories__contains=",GB,", taken_down=False)
        .exclude(territories__contains=",FR,")
        .first()
    )
    assert release is not None, "the seed has releases unavailable in some countries"
    assert client.releases.details(release.id, country="GB").id == release.id
    with pytest.raises(errors.NotFound) as caught:
        client.releases.details(release.id, country="FR")
    assert caught.value.code == 2001


def test_usage_types_select_the_availability_blocks(client):
    full = client.releases.details(1046)
    download_only = client.releases.details(1046, usage_types=["download"])
    assert full.subscription_streaming is not None
    assert download_only.download is not None
    assert download_only.subscription_streaming is None
    assert download_only.ad_supported_streaming is None


def test_pre_release_items_carry_future_dates(client):
    future = Release.objects.filter(release_date__gt=datetime.now(UTC)).first()
    assert future is not None, "the seed has pre-release items"
    release = client.releases.details(future.id, country=future.territories.strip(",")[:2])
    assert release.download.release_date > datetime.now(UTC)


def test_a_track_not_sold_separately_has_a_nil_price(client):
    track = Track.objects.filter(
        standard_tier__isnull=True, release__territories__contains=",GB,"
    ).first()
    assert track is not None
    price = client.tracks.details(track.id).price
    assert price is not None and not price.sold_separately


def test_the_image_size_is_honoured_and_checked(client):
    assert client.releases.details(1046, image_size=350).image.endswith("_350.jpg")
    with pytest.raises(errors.InvalidParameter):
        client.releases.details(1046, image_size=351)


# -- artists ------------------------------------------------------------------------


def test_artist_details_and_browse(client):
    assert client.artists.details(1).name == "Keane"
    page = client.artists.browse("k")
    assert page.total_items >= 1
    assert all((a.sort_name or a.name).lower().startswith("k") for a in page)


def test_artist_releases_filter_by_type(client):
    artist = Release.objects.filter(type="Single").values_list("artist_id", flat=True).first()
    singles = client.artists.releases(artist, type="single", page_size=50)
    assert len(singles) >= 1
    assert {r.type for r in singles} == {"Single"}


def test_artist_search_sorts_by_score_name_or_popularity(client):
    by_score = client.artists.search("pink", page_size=50)
    assert by_score[0].item.name.lower() == "pink"
    scores = [r.score for r in by_score]
    assert scores == sorted(scores, reverse=True)
    by_name = client.artists.search("pink", sort="name asc", page_size=50)
    names = [r.item.sort_name for r in by_name]
    assert names == sorted(names)
    by_popularity = client.artists.search("pink", sort="popularity desc", page_size=50)
    popularity = [r.item.popularity for r in by_popularity]
    assert popularity == sorted(popularity, reverse=True)


def test_artist_top_tracks_are_the_most_popular(client):
    tracks = client.artists.top_tracks(2, page_size=5)
    assert len(tracks) >= 1
    popularity = [t.popularity for t in tracks]
    assert popularity == sorted(popularity, reverse=True)
    assert all(t.artist.id == 2 for t in tracks)


def test_artist_tags_and_artists_by_tag(client):
    tags = client.artists.tags(1)
    assert {t.id for t in tags} >= {"rock"}
    top = client.artists.by_tag_top("rock")
    assert len(top) >= 1


# -- releases and tracks ------------------------------------------------------------


def test_release_tracks_are_in_disc_and_track_order(client):
    tracks = client.releases.tracks(1046)
    assert tracks[0].title == "No Surprises"
    order = [(t.disc_number, t.number) for t in tracks]
    assert order == sorted(order)


def test_batch_details_keep_the_order_and_report_errors(client):
    batch = client.releases.details_batch([12347, 999_999_999, 1046, 12345])
    assert [r.id for r in batch] == [12347, 1046, 12345]
    assert [(e.item_id, e.code) for e in batch.errors] == [(999_999_999, 2001)]


def test_batch_requests_over_500_ids_are_refused_by_the_sandbox(http_session):
    ids = ",".join(str(i) for i in range(501))
    response = http_session.get(
        "http://sandbox.test/1.2/release/details/batch",
        params={
            "releaseIds": ids,
            "country": "GB",
            "usageTypes": "download",
            "oauth_consumer_key": "sandbox-key",
        },
    )
    assert response.status_code == 400
    assert 'code="1003"' in response.text


def test_release_search_filters_by_type_and_package(client):
    singles = client.releases.search("no surprises", type="single")
    assert len(singles) >= 1 and {r.item.type for r in singles} == {"Single"}
    premium = client.releases.search("a", package_ids=[9], page_size=20)
    assert all(r.item.download.package(9) is not None for r in premium)


def test_track_search_covers_title_artist_release_and_isrc(client):
    track = Track.objects.select_related("release", "artist").get(id=123456)
    for query in (track.title, track.isrc):
        ids = [r.item.id for r in client.tracks.search(query, page_size=50)]
        assert track.id in ids, query
    by_release = client.tracks.search(track.release.title, page_size=50)
    assert any(r.item.release.id == track.release_id for r in by_release)


def test_track_search_can_exclude_explicit_tracks(client):
    explicit = Track.objects.filter(explicit=True, release__territories__contains=",GB,").first()
    assert explicit is not None
    everything = [r.item.id for r in client.tracks.search(explicit.title, page_size=50)]
    clean = client.tracks.search(explicit.title, explicit=False, page_size=50)
    assert explicit.id in everything
    assert explicit.id not in [r.item.id for r in clean]
    assert all(not r.item.explicit for r in clean)


def test_charts_rank_by_popularity_with_positions(client):
    for chart in (
        client.releases.chart(page_size=10),
        client.tracks.chart(page_size=10),
        client.artists.chart(page_size=10),
    ):
        assert [i.position for i in chart] == list(range(1, 11))
        assert chart.from_date < chart.to_date
        assert all(i.change in ("New", "Up", "Down", "NonMover") for i in chart)
    releases = client.releases.chart(page_size=10)
    popularity = [i.item.popularity for i in releases]
    assert popularity == sorted(popularity, reverse=True)


def test_tags_list_and_releases_by_tag(client):
    tags = client.tags.list(page_size=50)
    assert "rock" in {t.id for t in tags}
    newest = client.releases.by_tag_new("rock", page_size=10)
    dates = [r.download.release_date for r in newest]
    assert dates == sorted(dates, reverse=True)
    top = client.releases.by_tag_top("rock", page_size=10)
    popularity = [r.popularity for r in top]
    assert popularity == sorted(popularity, reverse=True)
    assert client.releases.tags(1046) is not None


def test_the_status_endpoint_gives_the_server_time(client):
    assert abs((client.status.get().server_time - datetime.now(UTC)).total_seconds()) < 5


# -- paging -------------------------------------------------------------------------


def test_paging_defaults_to_10_and_caps_at_50(client):
    default = client.tracks.search("e")
    assert default.total_items > 50
    assert default.page_size == 10 and len(default) == 10
    page = client.tracks.search("e", page_size=500)
    assert page.page_size == 50 and len(page) == 50


def test_a_page_past_the_end_is_1003(client):
    total = client.artists.browse("k").total_items
    with pytest.raises(errors.ParameterOutOfRange):
        client.artists.browse("k", page=total + 1)


def test_missing_and_bad_parameters_get_the_documented_codes(client):
    with pytest.raises(errors.MissingParameter):
        client.requestor.request("GET", "api", "1.2/artist/details")
    with pytest.raises(errors.InvalidParameter):
        client.requestor.request("GET", "api", "1.2/artist/details", params={"artistId": "x"})
    with pytest.raises(errors.InvalidEnumeration):
        client.requestor.request(
            "GET", "api", "1.2/release/details", params={"releaseId": 1046, "usageTypes": "radio"}
        )


@pytest.mark.parametrize("endpoint,name", [("release", "releaseIds"), ("track", "trackIds")])
def test_a_batch_id_larger_than_any_id_is_an_invalid_value(http_session, endpoint, name):
    response = http_session.get(
        f"http://sandbox.test/1.2/{endpoint}/details/batch",
        params={
            name: f"1046,{2**63}",
            "country": "GB",
            "usageTypes": "download",
            "oauth_consumer_key": "sandbox-key",
        },
    )
    assert response.status_code == 400
    assert 'code="1002"' in response.text
    assert "you must supply a comma-separated list of ids" in response.text
