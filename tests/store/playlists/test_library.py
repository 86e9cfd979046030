"""A customer's own playlists (``/library/playlists/``, issue 20): made, filled from a
track's page, reordered, renamed, shared and deleted, every call acting as the
customer's own 7digital user; another customer reaches none of it, whatever the URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from integrations.sevendigital import get_client
from tests.store.playlists.conftest import make, partner_of

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]

TRACKS = (9525, 9526, 9527)  # "No Surprises", "Palo Alto", "How I Made My Millions"


def add(client, playlist_id: str, track: int):
    return client.post("/library/playlists/add/", {"track": track, "playlist": playlist_id})


def order(client, playlist_id: str) -> list[str]:
    playlist = client.get(f"/library/playlists/{playlist_id}/").context["playlist"]
    return [t.track_title for t in playlist.tracks]


def items(client, playlist_id: str) -> list[str]:
    playlist = client.get(f"/library/playlists/{playlist_id}/").context["playlist"]
    return [t.playlist_item_id for t in playlist.tracks]


def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get("/library/playlists/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_customer_makes_a_playlist_and_fills_it_from_track_pages(alice):
    playlist_id = make(alice, "Evening")

    for track in TRACKS:
        assert add(alice, playlist_id, track).status_code == 302

    assert order(alice, playlist_id) == ["No Surprises", "Palo Alto", "How I Made My Millions"]
    listed = alice.get("/library/playlists/").content.decode()
    assert "Evening" in listed and "3 tracks" in listed
    kept = get_client().playlists.get(playlist_id, user=partner_of("alice@example.com"))
    assert kept.tracks[0].release_id == "1046" and kept.tracks[0].artist_appears_as


def test_a_track_goes_to_a_new_playlist_named_on_the_way(alice):
    response = alice.post("/library/playlists/add/", {"track": 9525, "new_name": "Quick one"})

    assert response.status_code == 302
    playlist_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert order(alice, playlist_id) == ["No Surprises"]


def test_tracks_move_up_and_down_and_are_removed(alice):
    playlist_id = make(alice)
    for track in TRACKS:
        add(alice, playlist_id, track)
    first, second, third = items(alice, playlist_id)

    alice.post(f"/library/playlists/{playlist_id}/tracks/{third}/move", {"direction": "up"})
    assert order(alice, playlist_id) == ["No Surprises", "How I Made My Millions", "Palo Alto"]
    alice.post(f"/library/playlists/{playlist_id}/tracks/{first}/move", {"direction": "down"})
    assert order(alice, playlist_id) == ["How I Made My Millions", "No Surprises", "Palo Alto"]
    alice.post(f"/library/playlists/{playlist_id}/tracks/{third}/move", {"direction": "up"})
    assert order(alice, playlist_id)[0] == "How I Made My Millions"  # first already: unchanged
    alice.post(f"/library/playlists/{playlist_id}/tracks/{second}/remove")
    assert order(alice, playlist_id) == ["How I Made My Millions", "No Surprises"]


def test_a_playlist_is_renamed_shared_and_deleted(alice):
    playlist_id = make(alice, "Old name")

    alice.post(f"/library/playlists/{playlist_id}/rename", {"name": "New name"})
    alice.post(f"/library/playlists/{playlist_id}/visibility", {"visibility": "public"})

    page = alice.get(f"/library/playlists/{playlist_id}/").content.decode()
    assert "New name" in page and f"/playlists/{playlist_id}/" in page
    assert Client().get(f"/playlists/{playlist_id}/").status_code == 200  # the share link
    gone = alice.post(f"/library/playlists/{playlist_id}/delete", follow=True)
    assert "New name" not in gone.content.decode().split("</ul>", 1)[-1]  # out of the list


def test_a_blank_name_is_refused_with_words(alice):
    response = alice.post("/library/playlists/", {"name": "   "})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_another_customer_reaches_none_of_it_by_any_url(alice, bob, visibility):
    playlist_id = make(alice, "Alices mix", visibility=visibility)
    add(alice, playlist_id, 9525)
    (item,) = items(alice, playlist_id)
    base = f"/library/playlists/{playlist_id}"

    assert bob.get(f"{base}/").status_code == 404
    for url, data in (
        (f"{base}/rename", {"name": "Bob's now"}),
        (f"{base}/visibility", {"visibility": "private"}),
        (f"{base}/tracks/{item}/move", {"direction": "down"}),
        (f"{base}/tracks/{item}/remove", {}),
        (f"{base}/delete", {}),
        ("/library/playlists/add/", {"track": 9526, "playlist": playlist_id}),
    ):
        assert bob.post(url, data).status_code == 404, url
    assert order(alice, playlist_id) == ["No Surprises"]
    assert "Alices mix" in alice.get(f"{base}/").content.decode()
    assert "Alices mix" not in bob.get("/library/playlists/").content.decode()


def test_changes_need_a_post_with_the_csrf_token(alice):
    playlist_id = make(alice)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = alice.cookies

    assert strict.post(f"/library/playlists/{playlist_id}/delete").status_code == 403
    assert alice.get(f"/library/playlists/{playlist_id}/delete").status_code == 405


def test_when_7digital_fails_nothing_changes_and_the_customer_is_told(alice, sandbox):
    playlist_id = make(alice)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = alice.post(f"/library/playlists/{playlist_id}/rename", {"name": "x"}, follow=True)

    assert "unavailable at the moment" in response.content.decode()


def test_the_track_page_offers_to_add_it_to_a_playlist(client):
    page = client.get("/tracks/9525/").content.decode()

    assert 'href="/library/playlists/add/?track=9525"' in page


def test_a_customer_favourites_the_shops_playlist_and_finds_it_in_the_library(alice, bob):
    shop = get_client().playlists.create(name="Editors pick", visibility="public")

    response = alice.post(f"/playlists/{shop.id}/favourite", {"on": "1"}, follow=True)

    assert "Added to your favourites" in response.content.decode()
    assert 'aria-pressed="true"' in alice.get(f"/playlists/{shop.id}/").content.decode()
    assert "Editors pick" in alice.get("/library/playlists/").content.decode()
    assert "Editors pick" not in bob.get("/library/playlists/").content.decode()
    alice.post(f"/playlists/{shop.id}/favourite", {"on": "0"})
    assert "Editors pick" not in alice.get("/library/playlists/").content.decode()


def test_the_heart_follows_each_change_and_costs_no_call_on_every_view(alice, sandbox):
    shop = get_client().playlists.create(name="Hearts", visibility="public")
    page = f"/playlists/{shop.id}/"

    assert 'aria-pressed="false"' in alice.get(page).content.decode()
    before = sandbox.entries()[-1]["id"]
    alice.get(page)
    alice.get(page)
    assert sandbox.entries(since=before) == []  # the favourites were read once
    alice.post(f"/playlists/{shop.id}/favourite", {"on": "1"})
    assert 'aria-pressed="true"' in alice.get(page).content.decode()
    alice.post(f"/playlists/{shop.id}/favourite", {"on": "0"})
    assert 'aria-pressed="false"' in alice.get(page).content.decode()


def test_a_customers_public_playlist_cannot_be_a_favourite(alice, bob):
    playlist_id = make(alice, "Shared", visibility="public")

    response = bob.post(f"/playlists/{playlist_id}/favourite", {"on": "1"}, follow=True)

    assert "Only the shop's own playlists" in response.content.decode().replace("&#x27;", "'")


def test_a_visitor_is_asked_to_sign_in_to_favourite(client):
    shop = get_client().playlists.create(name="Editors pick", visibility="public")

    page = client.get(f"/playlists/{shop.id}/").content.decode()
    response = client.post(f"/playlists/{shop.id}/favourite", {"on": "1"})

    assert f'href="/accounts/login/?next=/playlists/{shop.id}/"' in page
    assert "favourite-button" not in page  # no form that would come back as a GET
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_playlist_is_exported_as_xspf_and_m3u_with_isrc_artist_and_length(alice, bob):
    from defusedxml import ElementTree

    playlist_id = make(alice, "Take away")
    add(alice, playlist_id, 9525)

    xspf = alice.get(f"/library/playlists/{playlist_id}/export.xspf")
    m3u = alice.get(f"/library/playlists/{playlist_id}/export.m3u")

    assert xspf["Content-Type"].startswith("application/xspf+xml")
    assert xspf["Content-Disposition"] == 'attachment; filename="Take away.xspf"'
    ns = {"x": "http://xspf.org/ns/0/"}
    track = ElementTree.fromstring(xspf.content).find("x:trackList/x:track", ns)
    assert track.find("x:title", ns).text == "No Surprises"
    assert track.find("x:creator", ns).text == "Radiohead"
    assert track.find("x:identifier", ns).text.startswith("urn:isrc:GB")
    assert track.find("x:location", ns).text.endswith("/tracks/9525/")
    text = m3u.content.decode()
    assert text.startswith("#EXTM3U\n#PLAYLIST:Take away\n#EXTINF:229,Radiohead - No Surprises")
    assert "#EXT-X-ISRC:GB" in text
    assert bob.get(f"/library/playlists/{playlist_id}/export.xspf").status_code == 404


def test_a_deleted_playlist_can_be_brought_back_until_it_is_gone_at_7digital(
    alice, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from store.playlists import deletions, tasks
    from store.playlists.models import PlaylistDeletion

    settings.PLAYLIST_UNDO_SECONDS = 10
    keep, lose = make(alice, "Keep me"), make(alice, "Lose me")
    with (
        mock.patch.object(tasks.playlist_deletion_send, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        deleted = alice.post(f"/library/playlists/{keep}/delete", follow=True)
        alice.post(f"/library/playlists/{lose}/delete")

    page = deleted.content.decode()
    assert "“Keep me” deleted." in page and f"/library/playlists/{keep}/undo" in page
    assert queued.call_args.kwargs["countdown"] == 10
    listed = alice.get("/library/playlists/").content.decode()
    assert "Keep me" not in listed.split("New playlist")[0]
    alice.post(f"/library/playlists/{keep}/undo")
    assert "Keep me" in alice.get("/library/playlists/").content.decode()

    for deletion in PlaylistDeletion.objects.all():  # the task, once due
        PlaylistDeletion.objects.filter(pk=deletion.pk).update(
            due_at=timezone.now() - timedelta(seconds=1)
        )
        deletions.playlist_deletion_send(deletion_id=deletion.pk)

    assert not PlaylistDeletion.objects.exists()
    assert alice.get(f"/library/playlists/{lose}/").status_code == 404
    assert alice.get(f"/library/playlists/{keep}/").status_code == 200
    assert "Too late" in alice.post(f"/library/playlists/{lose}/undo", follow=True).content.decode()


def test_a_deletion_that_7digital_refuses_for_now_is_sent_again_by_the_sweep(
    alice, sandbox, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from store.playlists import deletions, tasks
    from store.playlists.models import PlaylistDeletion

    playlist_id = make(alice, "Stubborn")
    with (
        mock.patch.object(tasks.playlist_deletion_send, "apply_async"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alice.post(f"/library/playlists/{playlist_id}/delete")
    PlaylistDeletion.objects.update(due_at=timezone.now() - timedelta(minutes=2))
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    deletion = PlaylistDeletion.objects.get()
    deletions.playlist_deletion_send(deletion_id=deletion.pk)
    assert PlaylistDeletion.objects.get().attempts == 1  # kept: tried again later

    sandbox.clear_faults()
    with mock.patch.object(tasks.playlist_deletion_send, "delay") as resent:
        assert deletions.playlist_deletions_sweep() == 1
    deletions.playlist_deletion_send(deletion_id=resent.call_args.args[0])
    assert not PlaylistDeletion.objects.exists()
    assert alice.get(f"/library/playlists/{playlist_id}/").status_code == 404


def test_a_name_typed_makes_a_new_playlist_even_with_one_chosen(alice):
    existing = make(alice, "Existing")

    response = alice.post(
        "/library/playlists/add/", {"track": 9525, "playlist": existing, "new_name": "Fresh"}
    )

    fresh = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert fresh != existing
    assert order(alice, fresh) == ["No Surprises"] and order(alice, existing) == []


# -- "add to playlist" on every track row, in place (htmx) ----------------------------

ROW_MENU = {"HX-Request": "true"}


def test_track_rows_offer_a_plus_that_is_the_same_for_every_visitor(client, alice):
    track_page = client.get("/tracks/9525/").content.decode()
    release_url = re.search(r'href="(/releases/\d+/)"', track_page).group(1)

    for url in (release_url, "/search/?q=No+Surprises&kind=track"):
        visitor = Client().get(url).content.decode()
        assert 'class="row-add" href="/library/playlists/add/?track=9525"' in visitor, url
        assert 'hx-get="/library/playlists/add/?track=9525"' in visitor, url


def test_the_plus_opens_a_menu_of_this_customers_playlists_only(alice, bob):
    mine = make(alice, "Alices mix")
    make(bob, "Bobs secret")

    menu = alice.get("/library/playlists/add/", {"track": 9525}, headers=ROW_MENU)

    page = menu.content.decode()
    assert menu.status_code == 200 and "<html" not in page
    assert f'<option value="{mine}">Alices mix</option>' in page
    assert "Bobs secret" not in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_visitors_plus_asks_them_to_sign_in_in_the_row(client):
    menu = client.get("/library/playlists/add/", {"track": 9525}, headers=ROW_MENU)

    assert menu.status_code == 200  # not a redirect, which htmx would follow into the row
    assert "Sign in" in menu.content.decode() and "<html" not in menu.content.decode()
    assert client.get("/library/playlists/add/", {"track": 9525}).status_code == 302


def test_the_menu_adds_the_track_in_place_and_says_where(alice):
    playlist_id = make(alice, "Evening")

    answer = alice.post(
        "/library/playlists/add/", {"track": 9525, "playlist": playlist_id}, headers=ROW_MENU
    )
    new = alice.post(
        "/library/playlists/add/", {"track": 9526, "new_name": "Night"}, headers=ROW_MENU
    )
    nothing = alice.post("/library/playlists/add/", {"track": 9526}, headers=ROW_MENU)

    assert answer.status_code == 200
    assert "“No Surprises” added to “Evening”." in answer.content.decode()
    assert order(alice, playlist_id) == ["No Surprises"]
    assert "added to “Night”" in new.content.decode()
    assert "Choose a playlist, or name a new one." in nothing.content.decode()
    assert '<option value="' in nothing.content.decode()  # the menu again, to choose


def test_the_menu_cannot_add_to_another_customers_playlist(alice, bob):
    theirs = make(bob, "Bobs", visibility="public")

    refused = alice.post(
        "/library/playlists/add/", {"track": 9525, "playlist": theirs}, headers=ROW_MENU
    )

    assert refused.status_code == 404
    assert order(bob, theirs) == []


def test_a_boosted_link_to_the_add_page_gets_the_whole_page_not_the_rows_menu(alice):
    boosted = alice.get(
        "/library/playlists/add/",
        {"track": 9525},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    menu = alice.get("/library/playlists/add/", {"track": 9525}, headers=ROW_MENU)

    assert (
        "<html" in boosted.content.decode()
        and "Or a new playlist named" in boosted.content.decode()
    )
    assert "<html" not in menu.content.decode()
    assert "HX-Request" in menu["Vary"]


def test_tracks_move_to_a_typed_place_in_place_and_another_customer_cannot(alice, bob):
    playlist_id = make(alice)
    for track in TRACKS:
        add(alice, playlist_id, track)
    third = items(alice, playlist_id)[2]
    url = f"/library/playlists/{playlist_id}/tracks/{third}/move"

    moved = alice.post(url, {"position": "1"}, headers=ROW_MENU)
    refused = alice.post(url, {"position": "top"}, headers=ROW_MENU)

    page = moved.content.decode()
    assert "<html" not in page and 'id="library-tracks-section"' in page
    assert re.findall(r'<span class="track-title">([^<]+)', page) == [
        "How I Made My Millions", "No Surprises", "Palo Alto",
    ]  # fmt: skip
    assert order(alice, playlist_id) == ["How I Made My Millions", "No Surprises", "Palo Alto"]
    assert refused.status_code == 400 and "a position from 1" in refused.content.decode()
    assert bob.post(url, {"position": "3"}, headers=ROW_MENU).status_code == 404
    assert order(alice, playlist_id)[0] == "How I Made My Millions"
