"""Every endpoint of the 1.2 reference the storefront uses is reachable through the client.

Each row: the call, then the HTTP method, path and parameters 7digital expects
(the reference's index of endpoints by line is in shared/reference/README.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from sevendigital import CatalogueLog, SubscriptionLog
from sevendigital.models import PlaylistTrack

TRACK = PlaylistTrack(track_id="5495893", track_title="No You Girls", release_id="496338")
WHEN = datetime(2014, 3, 13, 11, 39, 28, tzinfo=UTC)

CASES = [
    # (id, call, method, path, expected params)
    ("status", lambda c: c.status.get(), "GET", "/1.2/status", {}),
    (
        "artist/browse",
        lambda c: c.artists.browse("p", page=2),
        "GET",
        "/1.2/artist/browse",
        {"letter": "p", "page": "2"},
    ),
    (
        "artist/chart",
        lambda c: c.artists.chart(page_size=5),
        "GET",
        "/1.2/artist/chart",
        {"pageSize": "5"},
    ),
    (
        "artist/details",
        lambda c: c.artists.details(1),
        "GET",
        "/1.2/artist/details",
        {"artistId": "1"},
    ),
    (
        "artist/releases",
        lambda c: c.artists.releases(1, type="album"),
        "GET",
        "/1.2/artist/releases",
        {
            "artistId": "1",
            "type": "album",
            "usageTypes": "download,subscriptionstreaming,adsupportedstreaming",
        },
    ),
    (
        "artist/search",
        lambda c: c.artists.search("pink", sort="popularity desc"),
        "GET",
        "/1.2/artist/search",
        {"q": "pink", "sort": "popularity desc"},
    ),
    (
        "artist/toptracks",
        lambda c: c.artists.top_tracks(2),
        "GET",
        "/1.2/artist/toptracks",
        {"artistId": "2"},
    ),
    ("artist/tags", lambda c: c.artists.tags(1), "GET", "/1.2/artist/tags", {"artistId": "1"}),
    (
        "artist/bytag/top",
        lambda c: c.artists.by_tag_top(["rock", "pop"]),
        "GET",
        "/1.2/artist/bytag/top",
        {"tags": "rock,pop"},
    ),
    ("release/chart", lambda c: c.releases.chart(), "GET", "/1.2/release/chart", {}),
    (
        "release/details",
        lambda c: c.releases.details(1046, image_size=350),
        "GET",
        "/1.2/release/details",
        {"releaseId": "1046", "imageSize": "350"},
    ),
    (
        "release/details/batch",
        lambda c: c.releases.details_batch([12345, 12346], package_ids=[2, 9]),
        "GET",
        "/1.2/release/details/batch",
        {"releaseIds": "12345,12346", "showErrors": "true", "packageIds": "2,9"},
    ),
    (
        "release/search",
        lambda c: c.releases.search("no surprises", type=["album", "single"]),
        "GET",
        "/1.2/release/search",
        {"q": "no surprises", "type": "album,single"},
    ),
    (
        "release/tracks",
        lambda c: c.releases.tracks(1046),
        "GET",
        "/1.2/release/tracks",
        {"releaseId": "1046"},
    ),
    (
        "release/tags",
        lambda c: c.releases.tags(1046),
        "GET",
        "/1.2/release/tags",
        {"releaseId": "1046"},
    ),
    (
        "release/bytag/new",
        lambda c: c.releases.by_tag_new("rock"),
        "GET",
        "/1.2/release/bytag/new",
        {"tags": "rock"},
    ),
    (
        "release/bytag/top",
        lambda c: c.releases.by_tag_top("rock"),
        "GET",
        "/1.2/release/bytag/top",
        {"tags": "rock"},
    ),
    ("track/chart", lambda c: c.tracks.chart(), "GET", "/1.2/track/chart", {}),
    (
        "track/details",
        lambda c: c.tracks.details(3153161),
        "GET",
        "/1.2/track/details",
        {"trackId": "3153161"},
    ),
    (
        "track/details/batch",
        lambda c: c.tracks.details_batch([1, 2]),
        "GET",
        "/1.2/track/details/batch",
        {"trackIds": "1,2"},
    ),
    (
        "track/search",
        lambda c: c.tracks.search("happy", explicit=False),
        "GET",
        "/1.2/track/search",
        {"q": "happy", "explicit": "false"},
    ),
    ("tag", lambda c: c.tags.list(), "GET", "/1.2/tag", {}),
    ("user/create", lambda c: c.users.create("u-1"), "GET", "/1.2/user/create", {"userId": "u-1"}),
    (
        "user/details",
        lambda c: c.users.details("u-1"),
        "GET",
        "/1.2/user/details",
        {"userId": "u-1"},
    ),
    (
        "user/deliveritem",
        lambda c: c.purchasing.deliver_item(
            "u-1",
            release_id=415019,
            track_id=4648051,
            package_id=2,
            transaction_id="t-1",
            retail_price=Decimal("0.99"),
            post_code="12345",
            country="US",
        ),
        "GET",
        "/1.2/user/deliveritem",
        {
            "releaseId": "415019",
            "trackId": "4648051",
            "packageId": "2",
            "transactionId": "t-1",
            "retailPrice": "0.99",
            "postCode": "12345",
            "country": "US",
        },
    ),
    (
        "user/purchase/release",
        lambda c: c.refunds.release("u-1", purchase_id=49193524, release_id=87654),
        "GET",
        "/1.2/user/purchase/49193524/release/87654",
        {"userId": "u-1"},
    ),
    (
        "user/purchase/track",
        lambda c: c.refunds.track("u-1", purchase_id=49193524, track_id=87654),
        "GET",
        "/1.2/user/purchase/49193524/track/87654",
        {"userId": "u-1"},
    ),
    (
        "user/locker",
        lambda c: c.locker.get("u-1", sort="purchaseDate desc", release_id=5),
        "GET",
        "/1.2/user/locker",
        {"sort": "purchaseDate desc", "releaseId": "5"},
    ),
    (
        "user/unlimitedStreaming GET",
        lambda c: c.subscriptions.get("u-1"),
        "GET",
        "/1.2/user/unlimitedStreaming",
        {"userId": "u-1"},
    ),
    (
        "user/unlimitedStreaming/offline GET",
        lambda c: c.subscriptions.offline_status("u-1", client_id="dev-1"),
        "GET",
        "/1.2/user/unlimitedStreaming/offline",
        {"clientId": "dev-1"},
    ),
    (
        "user/unlimitedStreaming/offline POST",
        lambda c: c.subscriptions.set_offline("u-1", client_id="dev-1", enabled=True),
        "POST",
        "/1.2/user/unlimitedStreaming/offline",
        {"userId": "u-1"},
    ),
    (
        "user/offlineclients",
        lambda c: c.subscriptions.offline_clients("u-1"),
        "GET",
        "/1.2/user/offlineclients",
        {"userId": "u-1"},
    ),
    (
        "playlists GET",
        lambda c: c.playlists.list(visibility="public", tags=["rock"]),
        "GET",
        "/1.2/playlists",
        {"visibility": "public", "tags": "rock"},
    ),
    (
        "playlists POST",
        lambda c: c.playlists.create(name="party time", tracks=[TRACK]),
        "POST",
        "/1.2/playlists",
        {},
    ),
    ("playlists/{id} GET", lambda c: c.playlists.get("p1"), "GET", "/1.2/playlists/p1", {}),
    (
        "playlists/{id} POST",
        lambda c: c.playlists.replace("p1", name="x"),
        "POST",
        "/1.2/playlists/p1",
        {},
    ),
    (
        "playlists/{id} DELETE",
        lambda c: c.playlists.delete("p1", user="u-1"),
        "DELETE",
        "/1.2/playlists/p1",
        {"userId": "u-1"},
    ),
    (
        "playlists/{id}/details GET",
        lambda c: c.playlists.details("p1"),
        "GET",
        "/1.2/playlists/p1/details",
        {},
    ),
    (
        "playlists/{id}/details POST",
        lambda c: c.playlists.update_details("p1", visibility="Public"),
        "POST",
        "/1.2/playlists/p1/details",
        {},
    ),
    (
        "playlists/{id}/tracks GET",
        lambda c: c.playlists.tracks("p1", page_size=2),
        "GET",
        "/1.2/playlists/p1/tracks",
        {"pageSize": "2"},
    ),
    (
        "playlists/{id}/tracks POST",
        lambda c: c.playlists.add_tracks("p1", [TRACK]),
        "POST",
        "/1.2/playlists/p1/tracks",
        {},
    ),
    (
        "playlists/{id}/tracks/{id} DELETE",
        lambda c: c.playlists.remove_track("p1", "i1"),
        "DELETE",
        "/1.2/playlists/p1/tracks/i1",
        {},
    ),
    (
        "playlists/{id}/tracks/{id}/move",
        lambda c: c.playlists.move_track("p1", "i1", after="i0"),
        "POST",
        "/1.2/playlists/p1/tracks/i1/move",
        {},
    ),
    ("playlists/tags GET", lambda c: c.playlists.tags(), "GET", "/1.2/playlists/tags", {}),
    (
        "playlists/tags POST",
        lambda c: c.playlists.save_tags([("Rock", False)], shop_id=34),
        "POST",
        "/1.2/playlists/tags",
        {},
    ),
    (
        "playlists/{id}/favourites PUT",
        lambda c: c.playlists.favourite("p1", "123"),
        "PUT",
        "/1.2/playlists/p1/favourites/123",
        {},
    ),
    (
        "playlists/{id}/favourites DELETE",
        lambda c: c.playlists.unfavourite("p1", "123"),
        "DELETE",
        "/1.2/playlists/p1/favourites/123",
        {},
    ),
    (
        "user/playlists",
        lambda c: c.playlists.for_user("u-1"),
        "GET",
        "/1.2/user/playlists",
        {"userId": "u-1"},
    ),
    (
        "user/playlists/groups GET",
        lambda c: c.playlists.groups("u-1"),
        "GET",
        "/1.2/user/playlists/groups",
        {"userId": "u-1"},
    ),
    (
        "user/playlists/groups POST",
        lambda c: c.playlists.create_group(user="u-1", name="Mix", playlist_ids=["p1"]),
        "POST",
        "/1.2/user/playlists/groups",
        {"userId": "u-1"},
    ),
    (
        "user/playlists/groups/{id} GET",
        lambda c: c.playlists.group("g1", user="u-1"),
        "GET",
        "/1.2/user/playlists/groups/g1",
        {},
    ),
    (
        "user/playlists/groups/{id} POST",
        lambda c: c.playlists.add_to_group("g1", user="u-1", playlist_ids=["p2"]),
        "POST",
        "/1.2/user/playlists/groups/g1",
        {},
    ),
    (
        "user/playlists/groups/{id} PUT",
        lambda c: c.playlists.replace_group("g1", user="u-1", name="Mix", playlist_ids=[]),
        "PUT",
        "/1.2/user/playlists/groups/g1",
        {},
    ),
    (
        "user/playlists/groups/{id} DELETE",
        lambda c: c.playlists.delete_group("g1", user="u-1"),
        "DELETE",
        "/1.2/user/playlists/groups/g1",
        {},
    ),
    (
        "catalogue/log",
        lambda c: c.logging.catalogue(
            [CatalogueLog(1, 2, 50, WHEN, 12, "ua", "135")], country="US"
        ),
        "POST",
        "/1.2/catalogue/log",
        {"country": "US"},
    ),
    (
        "user/subscription/log",
        lambda c: c.logging.subscription(
            "u-1", [SubscriptionLog(1, 2, 50, WHEN, 12, "ua")], country="GB"
        ),
        "POST",
        "/1.2/user/subscription/log",
        {"country": "GB", "userId": "u-1"},
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "method", "path", "params"), CASES, ids=[c[0] for c in CASES]
)
def test_the_client_calls_the_documented_endpoint(
    client, transport, name, call, method, path, params
):
    transport.reply(
        '<response status="ok" version="1.2"><playlist id="p1"><name>x</name>'
        '</playlist><playlistGroup id="g1"><name>x</name></playlistGroup>'
        '<release id="1"><title>x</title></release><track id="1"><title>x</title>'
        '</track><artist id="1"><name>x</name></artist></response>'
    )
    try:
        call(client)
    except Exception as exc:  # only the request matters here, not the canned answer
        assert "holds no" in str(exc), exc
    sent = transport.last
    parts = urlsplit(sent.url)
    assert sent.method == method
    assert parts.path == path
    sent_params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if sent.body and "x-www-form-urlencoded" in str(sent.headers.get("Content-Type")):
        body = sent.body.decode() if isinstance(sent.body, bytes) else sent.body
        sent_params.update({k: v[0] for k, v in parse_qs(body).items()})
    for key, value in params.items():
        assert sent_params.get(key) == value, f"{key}: {sent_params.get(key)!r} != {value!r}"
    assert "country" in sent_params


def test_move_track_sends_pos_in_a_form_body(client, transport):
    transport.reply_fixture("playlists_id_tracks_id_move_post.xml")
    client.playlists.move_track("p1", "i1", after=None)
    assert transport.last.body in ("country=GB&pos=0", b"country=GB&pos=0")


def test_playlist_tracks_are_sent_as_the_json_the_reference_shows(client, transport):
    import json

    transport.reply_fixture("playlists_id_tracks_post.xml")
    client.playlists.add_tracks(
        "p1",
        [
            PlaylistTrack(
                track_id="3121833",
                track_title="Kids",
                artist_appears_as="MGMT",
                release_id="280218",
                release_title="Oracula Spectacular",
                release_artist_appears_as="MGMT",
                source="local",
                audio_url="file://a.specific.file.location.mp3",
            )
        ],
    )
    sent = json.loads(transport.last.body)
    # shape of the example request at reference line 5505
    assert sent == [
        {
            "trackId": "3121833",
            "trackTitle": "Kids",
            "trackVersion": "",
            "artistAppearsAs": "MGMT",
            "releaseId": "280218",
            "releaseTitle": "Oracula Spectacular",
            "releaseArtistAppearsAs": "MGMT",
            "releaseVersion": "",
            "source": "local",
            "audioUrl": "file://a.specific.file.location.mp3",
        }
    ]
