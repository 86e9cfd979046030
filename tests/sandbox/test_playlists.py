"""The sandbox's playlists (reference lines 5224-6410), through the project's own client
in XML and in JSON, and by hand where a client would not send it: stateful per consumer
key and owner, private playlists hidden from others, the list's filters, tracks moved
with ``pos``, favourites and the shop's tag order (docs/sandbox-playlists.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.conf import settings
from requests_oauthlib import OAuth1

from sandbox.models import PartnerUser
from sandbox.state import state
from sevendigital import SevenDigital, errors
from sevendigital.models.playlists import PlaylistTrack

from .conftest import SANDBOX_URL, make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NOW = datetime(2026, 12, 1, 9, 30, 15, 123000, tzinfo=UTC)
ALICE, BOB = "alice-7", "bob-7"
PLAYLISTS = f"{SANDBOX_URL}/1.2/playlists"


@pytest.fixture(autouse=True)
def clock():
    state.set_now(NOW)


@pytest.fixture(autouse=True)
def users():
    for user_id in (ALICE, BOB):
        PartnerUser.objects.create(
            consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=user_id, country="GB"
        )


@pytest.fixture(params=["xml", "json"])
def client(request) -> SevenDigital:
    return make_client(response_format=request.param)


def track(n: int, **more) -> PlaylistTrack:
    return PlaylistTrack(
        track_id=str(9000 + n),
        track_title=f"Song {n}",
        artist_appears_as="Radiohead",
        release_id="1046",
        release_title="No Surprises",
        **more,
    )


def signed() -> OAuth1:
    return OAuth1(settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET)


def titles(playlist) -> list[str]:
    return [t.track_title for t in playlist.tracks]


# -- one playlist -----------------------------------------------------------------------


def test_a_partner_playlist_is_made_with_its_tracks_and_read_back_whole(client):
    made = client.playlists.create(
        name="Chill", description="Laid back", tracks=[track(1), track(2)],
        annotations={"mood": "calm"},
    )  # fmt: skip

    read = client.playlists.get(made.id)

    assert len(made.id) == 24
    assert (read.name, read.description, read.status, read.visibility) == (
        "Chill", "Laid back", "published", "Private",
    )  # fmt: skip
    assert titles(read) == ["Song 1", "Song 2"]
    assert all(t.playlist_item_id and len(t.playlist_item_id) == 24 for t in read.tracks)
    assert read.tracks[0].source == "7digital" and read.tracks[0].release_id == "1046"
    assert read.annotations == {"mood": "calm"}
    assert read.last_updated == NOW  # to the millisecond, as the reference writes it


def test_a_description_over_500_characters_is_cut(http_session):
    response = http_session.post(
        PLAYLISTS,
        params={"country": "GB"},
        json={"name": "Long", "description": "x" * 501},
        headers={"Accept": "application/json"},
        auth=signed(),
    )

    assert response.status_code == 200, response.text
    assert len(response.json()["playlist"]["description"]) == 500


def test_tracks_are_added_removed_and_moved_and_the_same_track_may_come_twice(client):
    playlist = client.playlists.create(name="Order", tracks=[track(1), track(2)])
    playlist = client.playlists.add_tracks(playlist.id, [track(3), track(1)])
    first, second, third, again = (t.playlist_item_id for t in playlist.tracks)

    assert titles(playlist) == ["Song 1", "Song 2", "Song 3", "Song 1"]
    assert len({first, again}) == 2
    assert titles(client.playlists.move_track(playlist.id, third, after=None)) == [
        "Song 3", "Song 1", "Song 2", "Song 1",
    ]  # fmt: skip
    assert titles(client.playlists.move_track(playlist.id, third, after=second)) == [
        "Song 1", "Song 2", "Song 3", "Song 1",
    ]  # fmt: skip
    assert titles(client.playlists.remove_track(playlist.id, again)) == [
        "Song 1", "Song 2", "Song 3",
    ]  # fmt: skip
    with pytest.raises(errors.NotFound):
        client.playlists.remove_track(playlist.id, again)


def test_moves_up_and_down_a_list_with_gaps_keep_every_other_track_in_order(client):
    import random

    playlist = client.playlists.create(name="Long", tracks=[track(n) for n in range(1, 13)])
    ids = [t.playlist_item_id for t in playlist.tracks]
    for gone in (ids[3], ids[7]):  # removals leave gaps in the positions kept
        client.playlists.remove_track(playlist.id, gone)
        ids.remove(gone)
    expected = list(ids)
    rng = random.Random(20)
    for _ in range(25):
        moving = rng.choice(expected)
        expected.remove(moving)
        to = rng.randrange(len(expected) + 1)
        after = expected[to - 1] if to else None
        expected.insert(to, moving)
        answer = client.playlists.move_track(playlist.id, moving, after=after)
        assert [t.playlist_item_id for t in answer.tracks] == expected


def test_a_move_after_an_unknown_item_is_refused_and_changes_nothing(client):
    playlist = client.playlists.create(name="Order", tracks=[track(1), track(2)])
    first = playlist.tracks[0].playlist_item_id

    with pytest.raises(errors.InvalidParameter):
        client.playlists.move_track(playlist.id, first, after="f" * 24)

    assert titles(client.playlists.get(playlist.id)) == ["Song 1", "Song 2"]


def test_tracks_are_paged_up_to_500_a_page(client):
    playlist = client.playlists.create(name="Many", tracks=[track(n) for n in range(12)])

    second = client.playlists.tracks(playlist.id, page=2, page_size=5)
    big = client.playlists.tracks(playlist.id, page_size=900)

    assert [t.track_title for t in second.items] == [f"Song {n}" for n in range(5, 10)]
    assert second.total_items == 12
    assert all(t.playlist_item_id for t in second.items)  # <track id> or playlistItemId
    assert big.page_size == 500 and len(big.items) == 12


def test_details_change_what_they_name_and_leave_the_tracks(client):
    playlist = client.playlists.create(name="Old", tracks=[track(1)])

    client.playlists.update_details(playlist.id, name="New", visibility="public")

    read = client.playlists.get(playlist.id)
    assert (read.name, read.visibility, titles(read)) == ("New", "Public", ["Song 1"])


def test_a_replace_puts_the_whole_playlist_anew(client):
    playlist = client.playlists.create(name="Old", tracks=[track(1), track(2)])

    client.playlists.replace(playlist.id, name="Offline edits", tracks=[track(3)])

    assert titles(client.playlists.get(playlist.id)) == ["Song 3"]


def test_a_deleted_playlist_is_gone(client):
    playlist = client.playlists.create(name="Gone")

    client.playlists.delete(playlist.id)

    with pytest.raises(errors.NotFound):
        client.playlists.get(playlist.id)


# -- who may read and change ------------------------------------------------------------


def test_a_private_user_playlist_is_hidden_from_other_users_and_the_partner(client):
    mine = client.playlists.create(name="Mine", user=ALICE)

    assert client.playlists.get(mine.id, user=ALICE).name == "Mine"
    for other in (BOB, None):
        with pytest.raises(errors.NotFound):
            client.playlists.get(mine.id, user=other)
        with pytest.raises(errors.NotFound):
            client.playlists.add_tracks(mine.id, [track(1)], user=other)


def test_a_public_user_playlist_is_read_by_others_and_changed_by_its_owner_only(client):
    shared = client.playlists.create(name="Shared", user=ALICE, visibility="public")

    assert client.playlists.get(shared.id, user=BOB).name == "Shared"
    with pytest.raises(errors.NotAvailable):
        client.playlists.add_tracks(shared.id, [track(1)], user=BOB)
    with pytest.raises(errors.NotAvailable):
        client.playlists.delete(shared.id)  # the partner, without the user


def test_a_partner_playlist_is_changed_by_the_partner_not_as_a_user(client):
    editorial = client.playlists.create(name="Editorial", visibility="public")

    with pytest.raises(errors.NotAvailable):
        client.playlists.update_details(editorial.id, user=ALICE, name="Mine now")
    assert client.playlists.get(editorial.id, user=ALICE).name == "Editorial"


def test_acting_for_a_user_needs_a_signed_request(http_session, client):
    mine = client.playlists.create(name="Mine", user=ALICE)

    response = http_session.get(
        f"{PLAYLISTS}/{mine.id}",
        params={"country": "GB", "userId": ALICE, "oauth_consumer_key": "sandbox-key"},
    )

    assert response.status_code == 401
    assert "signed" in response.text


# -- the lists --------------------------------------------------------------------------


def test_the_list_shows_published_and_unstatused_partner_playlists_unless_asked(client):
    client.playlists.create(name="Live", status="published", visibility="public")
    client.playlists.create(name="Draft", status="draft", visibility="public")
    client.playlists.replace(
        client.playlists.create(name="x").id, name="No status"
    )  # a replace without a status leaves none
    client.playlists.create(name="Custom", status="review")
    client.playlists.create(name="Alice's", user=ALICE, visibility="public")

    default = {p.name for p in client.playlists.list().items}
    either = {p.name for p in client.playlists.list(status=["draft", "review"]).items}

    assert default == {"Live", "No status"}
    assert either == {"Draft", "Custom"}


def test_the_list_filters_by_visibility_name_and_every_tag_given(client):
    client.playlists.create(name="Rock Pop", visibility="public", annotations={"tags": "rock, pop"})
    client.playlists.create(name="Rock", visibility="public", annotations={"tags": "rock"})
    client.playlists.create(name="Secret rock", annotations={"tags": "Rock"})

    def names(**filters):
        return {p.name for p in client.playlists.list(**filters).items}

    assert names(tags=["rock"]) == {"Rock Pop", "Rock", "Secret rock"}
    assert names(tags=["rock", "pop"]) == {"Rock Pop"}  # ANDed
    assert names(visibility="public", tags=["ROCK"]) == {"Rock Pop", "Rock"}
    assert names(visibility="private") == {"Secret rock"}
    assert names(q="pop") == {"Rock Pop"}


def test_a_user_sees_all_their_playlists_whatever_the_visibility_filter(client):
    client.playlists.create(name="Private one", user=ALICE)
    client.playlists.create(name="Public one", user=ALICE, visibility="public")
    client.playlists.create(name="Editorial", visibility="public")

    theirs = {p.name for p in client.playlists.list(user=ALICE, visibility="public").items}
    own = client.playlists.for_user(ALICE)
    seen_by_bob = {p.name for p in client.playlists.list(owner=ALICE).items}

    assert theirs == {"Private one", "Public one"}
    assert {p.name for p in own.items} == {"Private one", "Public one"}
    assert all(p.track_count == 0 for p in own.items)
    assert seen_by_bob == {"Public one"}


def test_the_list_is_paged_and_counts_tracks(client):
    for n in range(3):
        client.playlists.create(name=f"P{n}", visibility="public", tracks=[track(n)] * n)

    page = client.playlists.list(page=1, page_size=2)

    assert page.total_items == 3 and len(page.items) == 2
    assert {p.name: p.track_count for p in client.playlists.list().items} == {
        "P0": 0, "P1": 1, "P2": 2,
    }  # fmt: skip


# -- favourites and tags ----------------------------------------------------------------


def test_users_favourite_partner_playlists_and_the_list_finds_them(client):
    editorial = client.playlists.create(name="Editorial", visibility="public")
    other = client.playlists.create(name="Other", visibility="public")

    client.playlists.favourite(editorial.id, ALICE)
    client.playlists.favourite(editorial.id, ALICE)  # again: still one

    assert [p.name for p in client.playlists.list(favourited_by=ALICE).items] == ["Editorial"]
    client.playlists.unfavourite(editorial.id, ALICE)
    assert client.playlists.list(favourited_by=ALICE).items == ()
    assert other.id


def test_a_user_playlist_cannot_be_favourited_nor_by_an_unknown_user(client):
    theirs = client.playlists.create(name="Alice's", user=ALICE, visibility="public")
    editorial = client.playlists.create(name="Editorial", visibility="public")

    with pytest.raises(errors.NotAvailable):
        client.playlists.favourite(theirs.id, BOB)
    with pytest.raises(errors.NotFound):
        client.playlists.favourite(editorial.id, "nobody")


def test_tags_come_alphabetically_until_a_shop_saves_their_order(client):
    client.playlists.create(name="A", annotations={"tags": "rock,pop"})
    client.playlists.create(name="B", annotations={"tags": "dance"})

    assert [t.name for t in client.playlists.tags()] == ["dance", "pop", "rock"]

    client.playlists.save_tags([("rock", False), ("dance", True)], shop_id=34)

    assert [t.name for t in client.playlists.tags()] == ["rock", "dance", "pop"]


def test_saving_tags_needs_a_shop(http_session):
    response = http_session.post(
        f"{PLAYLISTS}/tags",
        params={"country": "GB"},
        json={"tags": [{"name": "rock"}]},
        headers={"Accept": "application/json"},
        auth=signed(),
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 1001


# -- bad requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", 1002),
        (json.dumps({"description": "no name"}), 1001),
        (json.dumps({"name": "x", "visibility": "friends"}), 1006),
        (json.dumps({"name": "x", "tracks": {"trackId": "1"}}), 1002),
        (json.dumps({"name": "x", "tracks": [{"trackTitle": "t" * 256}]}), 1002),
        (json.dumps(["a", "list"]), 1002),
    ],
)
def test_a_bad_body_gets_a_clear_error_and_makes_nothing(http_session, body, code):
    response = http_session.post(
        PLAYLISTS,
        params={"country": "GB"},
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        auth=signed(),
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    from sandbox.models import Playlist

    assert not Playlist.objects.exists()


def test_the_xml_answer_has_the_reference_shape(http_session, client):
    playlist = client.playlists.create(
        name="Shape", tracks=[track(1)], annotations={"key": "value"}
    )

    whole = http_session.get(
        f"{PLAYLISTS}/{playlist.id}", params={"country": "GB"}, auth=signed()
    ).text
    listed = http_session.get(
        f"{PLAYLISTS}/{playlist.id}/tracks", params={"country": "GB"}, auth=signed()
    ).text

    item = playlist.tracks[0].playlist_item_id
    assert f'<playlist id="{playlist.id}">' in whole
    assert f"<playlistItemId>{item}</playlistItemId>" in whole
    assert "<visibility>Private</visibility>" in whole
    assert '<annotation key="key">value</annotation>' in whole
    assert "<lastUpdated>2026-12-01T09:30:15.123Z</lastUpdated>" in whole
    assert f'<track id="{item}">' in listed and "<totalItems>1</totalItems>" in listed


def test_the_clients_tags_travel_as_the_tags_annotation_and_filter_the_list(client):
    made = client.playlists.create(name="Tagged", tags=["Rock", "indie, pop"])

    read = client.playlists.get(made.id)

    assert read.annotations == {"tags": "Rock,indie pop"}
    assert [t.name for t in read.tags] == ["Rock", "indie pop"]
    assert [p.name for p in client.playlists.list(tags=["rock", "indie pop"]).items] == ["Tagged"]


# -- groups -----------------------------------------------------------------------------


def test_a_user_groups_playlists_adds_replaces_and_deletes_the_group(client):
    one = client.playlists.create(name="One", user=ALICE, tracks=[track(1)])
    two = client.playlists.create(name="Two", user=ALICE)
    editorial = client.playlists.create(name="Editorial", visibility="public")

    made = client.playlists.create_group(user=ALICE, name="My mix", playlist_ids=[one.id])
    added = client.playlists.add_to_group(
        made.id, user=ALICE, playlist_ids=[two.id, one.id, editorial.id]
    )

    assert made.name == "My mix" and made.playlist_count == 1
    assert [p.name for p in added.playlists] == ["One", "Two", "Editorial"]  # no repeat
    assert added.playlists[0].track_count == 1
    replaced = client.playlists.replace_group(
        made.id, user=ALICE, name="Renamed", playlist_ids=[editorial.id]
    )
    assert (replaced.name, [p.name for p in replaced.playlists]) == ("Renamed", ["Editorial"])
    assert [g.name for g in client.playlists.groups(ALICE).items] == ["Renamed"]
    client.playlists.delete_group(made.id, user=ALICE)
    with pytest.raises(errors.NotFound):
        client.playlists.group(made.id, user=ALICE)


def test_a_group_leaves_out_ids_that_name_nothing_it_may_read(client):
    mine = client.playlists.create(name="Mine", user=ALICE)
    bobs_private = client.playlists.create(name="Bob's", user=BOB)
    gone = client.playlists.create(name="Gone", user=ALICE)
    group = client.playlists.create_group(
        user=ALICE, name="Mix", playlist_ids=[mine.id, bobs_private.id, gone.id, "f" * 24]
    )
    client.playlists.delete(gone.id, user=ALICE)

    read = client.playlists.group(group.id, user=ALICE)

    assert [p.name for p in read.playlists] == ["Mine"]
    assert read.playlist_count == 1


def test_another_users_group_is_not_found(client):
    group = client.playlists.create_group(user=ALICE, name="Alice's")

    with pytest.raises(errors.NotFound):
        client.playlists.group(group.id, user=BOB)
    with pytest.raises(errors.NotFound):
        client.playlists.delete_group(group.id, user=BOB)
    assert client.playlists.group(group.id, user=ALICE).name == "Alice's"


def test_a_body_too_large_to_read_is_refused_in_7digitals_shape(http_session, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "big", "tracks": [{"trackTitle": "x" * 200}] * 100})

    response = http_session.post(
        PLAYLISTS,
        params={"country": "GB"},
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        auth=signed(),
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == 1003
