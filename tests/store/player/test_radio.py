"""Radio by genre (``/radio/<tag>/``): the station chooses from the tag's tracks open to
radio, serves them from 7digital's ``stream/catalogue`` at a URL that names no track,
allows 6 skips an hour (the server's count, from when it served each track), and logs
every track heard to ``catalogue/log`` with how it ended."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sandbox.models import ReceivedPlayLog
from sandbox.models import Release as SandboxRelease
from sandbox.models import Track as SandboxTrack
from store.player import radio
from store.playlogs import outbox
from store.playlogs.models import CataloguePlay, EndReason

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("fresh_catalogue"),
]

TAG = "rock"
BASE = f"/radio/{TAG}"


@pytest.fixture(autouse=True)
def _six_skips(settings):
    settings.RADIO_SKIPS_PER_HOUR = 6
    settings.STREAM_STARTS_PER_USER_PER_MINUTE = 20


def tune(client) -> dict:
    response = client.post(f"{BASE}/tune")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    return response.json()


def hear(client, on_air: dict) -> bytes:
    """Play the track on air from its first byte, as the audio element does."""
    response = client.get(on_air["src"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def state(client) -> dict:
    return client.session[radio.SESSION_KEY]


def started_ago(client, seconds: int) -> None:
    """The track on air was served ``seconds`` ago (its play too)."""
    session = client.session
    kept = session[radio.SESSION_KEY]
    moment = timezone.now() - timedelta(seconds=seconds)
    kept["started_at"] = moment.isoformat()
    session[radio.SESSION_KEY] = kept
    session.save()
    if kept.get("play"):
        CataloguePlay.objects.filter(pk=kept["play"]).update(played_at=moment)


def move_on(client, seconds: float = 0):
    return client.post(f"{BASE}/next", {"seconds": seconds})


def test_the_station_page_offers_the_radio_and_its_rules(client, sandbox_for_store):
    response = client.get(f"{BASE}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-radio-tune="{BASE}/tune"' in page
    assert "Play rock radio" in page
    assert "You can skip 6 tracks an hour" in page
    assert "cannot pick one, go back or play one again" in page


def test_the_tag_page_links_to_its_radio(client, sandbox_for_store):
    response = client.get(f"/tags/{TAG}/")

    assert f'href="{BASE}/"' in response.content.decode()


def test_an_unknown_tag_has_no_station(client, sandbox_for_store):
    assert client.get("/radio/no-such-genre/").status_code == 404
    assert client.post("/radio/no-such-genre/tune").json()["reason"] == "nothing"


def test_tuning_in_picks_a_track_of_the_tag_open_to_radio_here(client, sandbox_for_store):
    on_air = tune(client)

    track = SandboxTrack.objects.select_related("release").get(pk=on_air["track"]["id"])
    assert track.release.tags.filter(pk=TAG).exists()
    assert track.release.ad_supported_date <= timezone.now()
    assert ",GB," in track.release.territories
    assert on_air["track"]["title"] == track.title
    assert on_air["track"]["seconds"] == track.duration
    assert on_air["skipsLeft"] == 6
    assert on_air["src"] == f"{BASE}/stream?n=1"  # names no track


def test_the_stream_is_the_track_on_air_from_catalogue_streams(client, sandbox_for_store):
    on_air = tune(client)

    response = client.get(on_air["src"])
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mp4"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "private, no-store"
    assert len(body) == int(response["Content-Length"]) > 100_000
    asked = [e for e in sandbox_for_store.entries() if e["endpoint"] == "stream/catalogue"][-1]
    params = dict(asked["params"])
    assert params["trackId"] == str(on_air["track"]["id"])
    assert params["formatId"] == "56"
    assert "userId" not in params  # non-interactive radio: no user at 7digital


def test_no_stream_before_tuning_in(client, sandbox_for_store):
    response = client.get(f"{BASE}/stream")

    assert response.status_code == 409
    assert response.json()["reason"] == "not-tuned"


def test_a_play_is_written_once_when_the_track_is_served_from_its_first_byte(
    client, sandbox_for_store
):
    on_air = tune(client)
    assert client.head(on_air["src"]).status_code == 200
    middle = client.get(on_air["src"], HTTP_RANGE="bytes=1000-1999")
    assert middle.status_code == 206
    b"".join(middle.streaming_content)
    assert not CataloguePlay.objects.exists()  # a HEAD or a seek is not a play

    hear(client, on_air)
    hear(client, on_air)  # the browser fetching it again: still one play

    play = CataloguePlay.objects.get()
    assert play.track_id == on_air["track"]["id"]
    assert play.seconds_played == 0
    assert play.end_reason == EndReason.OTHER  # until the listener moves on
    assert play.track_seconds == on_air["track"]["seconds"]
    assert play.due_at >= play.played_at + timedelta(seconds=play.track_seconds)
    assert play.listener_id.startswith("device-")  # a visitor: the browser's device id
    assert play.format_id == 56 and play.country == "GB"


def test_a_customers_plays_are_logged_for_their_partner_user(client, listener):
    from accounts.selectors import partner_user_id_of

    hear(client, tune(client))

    play = CataloguePlay.objects.get()
    assert play.listener_id == partner_user_id_of(user=listener)
    assert play.user == listener


def test_moving_on_early_is_a_skip_whatever_the_player_says(client, sandbox_for_store):
    first = tune(client)
    hear(client, first)
    started_ago(client, 20)

    response = move_on(client, seconds=15)

    assert response.status_code == 200
    assert response.json()["skipsLeft"] == 5
    assert response.json()["track"]["id"] != first["track"]["id"]
    play = CataloguePlay.objects.get()
    assert play.end_reason == EndReason.USER_SKIPPED
    assert play.seconds_played == 15
    assert play.due_at <= timezone.now()  # settled: sent at once


def test_the_seconds_heard_never_pass_the_time_since_the_first_byte(client, sandbox_for_store):
    hear(client, tune(client))
    started_ago(client, 20)

    move_on(client, seconds=500)

    assert CataloguePlay.objects.get().seconds_played in (20, 21)


def test_a_track_heard_to_its_end_moves_on_without_a_skip(client, sandbox_for_store):
    first = tune(client)
    hear(client, first)
    length = first["track"]["seconds"]
    started_ago(client, length)

    response = move_on(client, seconds=length)

    assert response.json()["skipsLeft"] == 6
    play = CataloguePlay.objects.get()
    assert play.end_reason == EndReason.NATURAL_END
    assert play.seconds_played == length


def test_the_seventh_skip_in_an_hour_is_refused_and_the_track_plays_on(client, sandbox_for_store):
    tune(client)
    for _ in range(6):
        assert move_on(client).status_code == 200
    on_air = state(client)["track"]

    refused = move_on(client)

    assert refused.status_code == 429
    assert refused.json()["reason"] == "no-skips"
    assert "No skips left: 6 an hour" in refused.json()["error"]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert state(client)["track"] == on_air


def test_skips_come_back_an_hour_after_they_were_made(client, sandbox_for_store):
    tune(client)
    for _ in range(6):
        move_on(client)
    session = client.session
    an_hour_ago = timezone.now() - timedelta(hours=1, seconds=1)
    session[radio.SKIPS_KEY] = [an_hour_ago.isoformat()] * 6
    session.save()

    assert move_on(client).status_code == 200


def test_skips_are_counted_across_stations(client, sandbox_for_store):
    tune(client)
    for _ in range(6):
        move_on(client)

    client.post("/radio/pop/tune")
    refused = client.post("/radio/pop/next")

    assert refused.status_code == 429


def test_tuning_in_again_mid_track_joins_it_where_it_is(client, sandbox_for_store):
    first = tune(client)
    hear(client, first)
    started_ago(client, 40)

    again = tune(client)

    assert again["track"]["id"] == first["track"]["id"]
    assert again["at"] in (40, 41)
    assert again["skipsLeft"] == 6  # coming back is not a skip
    assert CataloguePlay.objects.count() == 1


def test_the_station_repeats_no_recent_track_nor_a_release_twice_in_a_row(
    client, sandbox_for_store
):
    heard = [tune(client)]
    for _ in range(5):
        started_ago(client, heard[-1]["track"]["seconds"])
        heard.append(move_on(client).json())

    ids = [item["track"]["id"] for item in heard]
    assert len(set(ids)) == len(ids)
    releases = [SandboxTrack.objects.get(pk=track).release_id for track in ids]
    assert all(one != two for one, two in itertools.pairwise(releases))


def test_a_track_7digital_will_not_serve_is_moved_on_from_without_a_skip(client, sandbox_for_store):
    on_air = tune(client)
    release = SandboxTrack.objects.get(pk=on_air["track"]["id"]).release
    SandboxRelease.objects.filter(pk=release.pk).update(
        ad_supported_date=timezone.now() + timedelta(days=30)
    )

    refused = client.get(on_air["src"])
    assert refused.status_code == 403
    assert refused.json()["reason"] == "not-on-radio"
    response = move_on(client)

    assert response.status_code == 200
    assert response.json()["skipsLeft"] == 6
    assert not CataloguePlay.objects.exists()


def test_a_report_raises_the_seconds_of_the_track_on_air(client, sandbox_for_store):
    hear(client, tune(client))
    started_ago(client, 30)

    assert client.post(f"{BASE}/report", {"seconds": 25.5}).status_code == 204
    assert client.post(f"{BASE}/report", {"seconds": 10}).status_code == 204  # the largest

    play = CataloguePlay.objects.get()
    assert play.seconds_played == 25
    assert play.end_reason == EndReason.OTHER
    assert client.post(f"{BASE}/report", {"seconds": "soon"}).status_code == 400


def test_radio_plays_reach_catalogue_log_with_how_they_ended(client, sandbox_for_store):
    hear(client, tune(client))
    started_ago(client, 20)
    move_on(client, seconds=19)

    result = outbox.playlogs_ship(kind="catalogue", seconds=30)

    assert result.delivered == 1
    logged = ReceivedPlayLog.objects.get(kind="catalogue")
    assert logged.end_reason == "userSkipped"
    assert logged.seconds_played == 19
    assert logged.user_id.startswith("device-")


def test_the_player_calls_need_post_and_the_csrf_token(sandbox_for_store):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{BASE}/tune").status_code == 403
    assert strict.get(f"{BASE}/tune").status_code == 405


def test_skips_unreadable_in_the_session_are_not_counted(settings):
    settings.RADIO_SKIPS_PER_HOUR = 6
    session = {radio.SKIPS_KEY: ["not a time", None, 5, datetime(2026, 1, 1).isoformat()]}

    assert radio.skips_left(session, timezone.now()) == 6


def test_switching_stations_and_back_is_no_free_skip(client, sandbox_for_store):
    rock = tune(client)
    hear(client, rock)
    started_ago(client, 30)

    client.post("/radio/pop/tune")
    back = tune(client)

    assert back["track"]["id"] == rock["track"]["id"]  # still on air: joined where it is
    assert back["at"] in (30, 31)
    assert back["skipsLeft"] == 6
    left = CataloguePlay.objects.get(track_id=rock["track"]["id"])
    assert left.end_reason == EndReason.OTHER and left.due_at <= timezone.now()


def test_a_7digital_outage_is_a_503_and_moving_on_costs_no_skip(client, sandbox_for_store):
    on_air = tune(client)
    sandbox_for_store.add_fault(kind="status", endpoint="stream/catalogue", status=503)

    refused = client.get(on_air["src"])
    assert refused.status_code == 503
    assert refused["Retry-After"]
    response = move_on(client)

    assert response.status_code == 200
    assert response.json()["skipsLeft"] == 6


def test_each_response_from_the_first_byte_is_counted_for_the_reconciliation(
    client, sandbox_for_store, stream_tally
):
    from store.playlogs.models import StreamResponseTally

    on_air = tune(client)
    client.head(on_air["src"])
    b"".join(client.get(on_air["src"], HTTP_RANGE="bytes=1000-1999").streaming_content)
    hear(client, on_air)
    stream_tally.flush()

    assert dict(StreamResponseTally.objects.values_list("source", "responses")) == {"catalogue": 1}
    assert CataloguePlay.objects.count() == 1


def test_visitors_from_one_address_start_a_limited_number_of_tracks_whatever_their_sessions(
    settings, sandbox_for_store, clock
):
    from django.test import Client

    from tests.store.conftest import make_customer

    settings.RADIO_STARTS_PER_ADDRESS_PER_MINUTE = 2
    here = {"REMOTE_ADDR": "203.0.113.9"}

    def start(client, **where):
        on_air = tune(client)
        return client.get(on_air["src"], **where)

    served = [start(Client(**here)) for _ in range(2)]  # a new session each time
    refused = start(Client(**here))
    elsewhere = start(Client(REMOTE_ADDR="198.51.100.4"))
    customer = Client(**here)
    customer.force_login(make_customer("radio@example.com"))
    signed_in = start(customer)

    assert [r.status_code for r in served] == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["reason"] == "too-many"
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 200
    assert signed_in.status_code == 200  # a customer is limited per account instead
    for response in (*served, elsewhere, signed_in):
        b"".join(response.streaming_content)
