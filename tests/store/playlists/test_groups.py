"""A customer's playlist groups (``/library/playlists/groups/``, issue 20): made from
their own playlists and their favourites, added to, taken from, renamed and deleted,
every call acting as the customer's own 7digital user; another customer reaches none."""

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

GROUPS = "/library/playlists/groups/"


def group_of(response) -> str:
    assert response.status_code == 302, response.content[:300]
    return re.search(r"/groups/([0-9a-f]{24})/", response["Location"]).group(1)


def names(client, group_id: str) -> list[str]:
    return [p.name for p in client.get(f"{GROUPS}{group_id}/").context["group"].playlists]


def test_a_customer_groups_their_playlists_and_a_favourite(alice):
    evening, morning = make(alice, "Evening"), make(alice, "Morning")
    shop = get_client().playlists.create(name="Shop picks", visibility="public", status="published")
    alice.post(f"/playlists/{shop.id}/favourite", {"on": "1"})

    library = alice.get("/library/playlists/").content.decode()
    assert f'value="{shop.id}"' in library  # a favourite may be chosen
    group_id = group_of(alice.post(GROUPS, {"name": "Weekdays", "playlists": [evening, shop.id]}))
    alice.post(f"{GROUPS}{group_id}/add", {"playlists": [morning]})

    assert names(alice, group_id) == ["Evening", "Shop picks", "Morning"]
    page = alice.get(f"{GROUPS}{group_id}/").content.decode()
    assert f'href="/library/playlists/{evening}/"' in page  # their own: the library page
    assert f'href="/playlists/{shop.id}/"' in page  # the shop's: its public page
    assert "Weekdays" in alice.get("/library/playlists/").content.decode()


def test_a_playlist_is_taken_out_the_group_renamed_and_deleted(alice):
    evening, morning = make(alice, "Evening"), make(alice, "Morning")
    group_id = group_of(alice.post(GROUPS, {"name": "Days", "playlists": [evening, morning]}))

    alice.post(f"{GROUPS}{group_id}/remove", {"playlist": evening})
    alice.post(f"{GROUPS}{group_id}/rename", {"name": "Mornings"})
    assert names(alice, group_id) == ["Morning"]
    assert alice.get(f"{GROUPS}{group_id}/").context["group"].name == "Mornings"

    alice.post(f"{GROUPS}{group_id}/delete", {})  # not confirmed: kept
    assert alice.get(f"{GROUPS}{group_id}/").status_code == 200
    gone = alice.post(f"{GROUPS}{group_id}/delete", {"confirm": "yes"}, follow=True)
    assert "Group deleted" in gone.content.decode()
    assert alice.get(f"{GROUPS}{group_id}/").status_code == 404
    assert alice.get(f"/library/playlists/{morning}/").status_code == 200  # still theirs


def test_another_customers_playlist_cannot_be_put_in_a_group(alice, bob):
    theirs = make(bob, "Bobs", visibility="public")
    mine = make(alice, "Mine")

    refused = alice.post(GROUPS, {"name": "Sneaky", "playlists": [mine, theirs]}, follow=True)

    assert "was not made" in refused.content.decode()
    assert get_client().playlists.groups(partner_of("alice@example.com")).items == ()


def test_another_customer_reaches_none_of_a_group_by_any_url(alice, bob):
    mine, bobs = make(alice, "Mine"), make(bob, "Bobs")
    group_id = group_of(alice.post(GROUPS, {"name": "Alices", "playlists": [mine]}))
    base = f"{GROUPS}{group_id}"

    assert bob.get(f"{base}/").status_code == 404
    for url, data in (
        (f"{base}/add", {"playlists": [bobs]}),
        (f"{base}/remove", {"playlist": mine}),
        (f"{base}/rename", {"name": "Bobs now"}),
        (f"{base}/delete", {"confirm": "yes"}),
    ):
        assert bob.post(url, data).status_code == 404, url
    assert names(alice, group_id) == ["Mine"]
    assert alice.get(f"{base}/").context["group"].name == "Alices"
    assert Client().get(f"{base}/").status_code == 302  # a visitor: sign in first


def test_group_changes_need_a_post_with_the_csrf_token(alice):
    group_id = group_of(alice.post(GROUPS, {"name": "Any"}))
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = alice.cookies

    assert strict.post(f"{GROUPS}{group_id}/delete", {"confirm": "yes"}).status_code == 403
    assert alice.get(f"{GROUPS}{group_id}/delete").status_code == 405
    assert alice.get(f"{GROUPS}{group_id}/").status_code == 200


def test_a_favourite_gone_private_meanwhile_makes_no_group_and_no_error(alice):
    shop = get_client().playlists.create(name="Soon gone", visibility="public", status="published")
    alice.post(f"/playlists/{shop.id}/favourite", {"on": "1"})
    get_client().playlists.update_details(shop.id, visibility="private", status="draft")

    response = alice.post(GROUPS, {"name": "Late", "playlists": [shop.id]}, follow=True)

    assert response.status_code == 200
    assert "The group was not made" in response.content.decode()  # no longer a choice
    assert get_client().playlists.groups(partner_of("alice@example.com")).items == ()


def test_a_playlist_7digital_refuses_in_a_new_group_makes_no_group_and_no_error(alice):
    from unittest import mock

    from store.playlists.services import PlaylistNotFound

    mine = make(alice, "Mine")
    with mock.patch(
        "store.playlists.services.customer_group_create", side_effect=PlaylistNotFound(mine)
    ):
        response = alice.post(GROUPS, {"name": "Late", "playlists": [mine]}, follow=True)

    assert response.status_code == 200
    assert "no longer there: nothing was made" in response.content.decode()
