"""The editors' studio (``/studio/playlists/``, issue 20): editors (with a second factor)
make a draft, fill it from the catalogue, order it, tag it, publish it for customers and
delete it; a stale page never overwrites another editor's newer change; staff who are
not editors, and customers, cannot reach it."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from integrations.sevendigital import get_client
from sevendigital import errors
from tests.conftest import pass_second_factor
from tests.store.conftest import make_customer

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]

STUDIO = "/studio/playlists/"


def member(email: str, group: str, *, second_factor: bool = True) -> Client:
    from accounts.models import User

    user = User.objects.create_user(email=email, password="x" * 12, is_staff=group == "Staff")
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    if second_factor:
        pass_second_factor(client, user)
    return client


@pytest.fixture
def editor():
    return member("editor@example.com", "Editors")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def draft(editor, name="Sunday morning") -> str:
    response = editor.post(STUDIO, {"name": name})
    assert response.status_code == 302, response.content[:300]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def seen(editor, playlist_id: str) -> str:
    return editor.get(f"{STUDIO}{playlist_id}/").context["seen"]


def titles(editor, playlist_id: str) -> list[str]:
    return [t.track_title for t in editor.get(f"{STUDIO}{playlist_id}/").context["playlist"].tracks]


def test_an_editor_makes_fills_orders_tags_and_publishes_a_playlist(editor):
    playlist_id = draft(editor)
    assert Client().get(f"/playlists/{playlist_id}/").status_code == 404  # a draft

    page = editor.get(f"{STUDIO}{playlist_id}/", {"q": "No Surprises"}).content.decode()
    assert re.search(r'name="track" value="9525"', page)
    for track in (9525, 9526, 9527):
        editor.post(
            f"{STUDIO}{playlist_id}/tracks/add", {"track": track, "seen": seen(editor, playlist_id)}
        )
    items = editor.get(f"{STUDIO}{playlist_id}/").context["playlist"].tracks
    editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[2].playlist_item_id}/move",
        {"direction": "up", "seen": seen(editor, playlist_id)},
    )
    editor.post(
        f"{STUDIO}{playlist_id}/details",
        {
            "seen": seen(editor, playlist_id),
            "name": "Sunday morning",
            "description": "Slow songs.",
            "tags": "chill, alternative",
            "home": "on",
        },
    )
    publish = {"publish": "1", "seen": seen(editor, playlist_id)}
    editor.post(f"{STUDIO}{playlist_id}/publish", publish)

    assert titles(editor, playlist_id) == ["No Surprises", "How I Made My Millions", "Palo Alto"]
    public = Client().get(f"/playlists/{playlist_id}/")
    assert public.status_code == 200
    assert "Slow songs." in public.content.decode()
    listed = Client().get("/playlists/", {"tag": "chill"}).content.decode()
    assert "Sunday morning" in listed
    kept = get_client().playlists.details(playlist_id)
    assert kept.annotations["home"] == "1" and kept.status == "published"


def test_a_stale_page_does_not_overwrite_a_newer_edit(editor):
    other = member("other.editor@example.com", "Editors")
    playlist_id = draft(editor, "First name")
    stale = seen(editor, playlist_id)
    other.post(
        f"{STUDIO}{playlist_id}/details",
        {"seen": seen(other, playlist_id), "name": "Second editor's name"},
    )

    response = editor.post(
        f"{STUDIO}{playlist_id}/details", {"seen": stale, "name": "Stale name"}, follow=True
    )

    assert "Another editor changed this playlist" in response.content.decode()
    assert get_client().playlists.details(playlist_id).name == "Second editor's name"
    for url, data in (
        (f"{STUDIO}{playlist_id}/tracks/add", {"track": 9525}),
        (f"{STUDIO}{playlist_id}/publish", {"publish": "1"}),
        (f"{STUDIO}{playlist_id}/delete", {"confirm": "yes"}),
    ):
        editor.post(url, {**data, "seen": stale})
    kept = get_client().playlists.get(playlist_id)
    assert (kept.tracks, kept.status) == ((), "draft")


def test_a_playlist_is_deleted_only_when_confirmed(editor):
    playlist_id = draft(editor)

    editor.post(f"{STUDIO}{playlist_id}/delete", {"seen": seen(editor, playlist_id)})
    assert editor.get(f"{STUDIO}{playlist_id}/").status_code == 200
    confirmed = {"seen": seen(editor, playlist_id), "confirm": "yes"}
    editor.post(f"{STUDIO}{playlist_id}/delete", confirmed)

    assert editor.get(f"{STUDIO}{playlist_id}/").status_code == 404


def test_a_customers_playlist_is_not_the_studios(editor):
    customer = Client()
    customer.force_login(make_customer("maker@example.com"))
    made = customer.post("/library/playlists/", {"name": "Mine", "visibility": "public"})
    playlist_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]

    assert editor.get(f"{STUDIO}{playlist_id}/").status_code == 404


def test_customers_and_staff_who_are_not_editors_cannot_reach_the_studio(editor):
    playlist_id = draft(editor)
    customer = Client()
    customer.force_login(make_customer("customer@example.com"))
    staff = member("staff@example.com", "Staff")

    for client in (customer, staff):
        assert client.get(STUDIO).status_code == 403
        assert client.post(STUDIO, {"name": "Sneaky"}).status_code == 403
        publish = client.post(
            f"{STUDIO}{playlist_id}/publish", {"publish": "1", "seen": seen(editor, playlist_id)}
        )
        assert publish.status_code == 403
    assert Client().get(STUDIO).status_code == 302  # a visitor: sign in first
    assert get_client().playlists.details(playlist_id).status == "draft"


def test_an_editor_without_a_second_factor_is_sent_to_set_one_up():
    unprotected = member("new.editor@example.com", "Editors", second_factor=False)

    response = unprotected.get(STUDIO)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


# -- the track list, changed in place (htmx) ------------------------------------------

HTMX = {"HX-Request": "true", "HX-Target": "studio-tracks-section"}


def filled(editor, tracks=(9525, 9526, 9527)) -> tuple[str, list[str]]:
    playlist_id = draft(editor)
    for track in tracks:
        editor.post(
            f"{STUDIO}{playlist_id}/tracks/add", {"track": track, "seen": seen(editor, playlist_id)}
        )
    items = editor.get(f"{STUDIO}{playlist_id}/").context["playlist"].tracks
    return playlist_id, [item.playlist_item_id for item in items]


def rendered_titles(response) -> list[str]:
    return re.findall(r'<span class="track-title">([^<]+)', response.content.decode())


def test_a_track_typed_to_a_new_position_moves_there_and_the_list_comes_back_alone(editor, sandbox):
    playlist_id, items = filled(editor)
    token = seen(editor, playlist_id)
    before = sandbox.entries()[-1]["id"]

    response = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[2]}/move",
        {"position": "1", "seen": token},
        headers=HTMX,
    )
    calls = [e["method"] for e in sandbox.entries(since=before)]

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith("\n<section") or page.lstrip().startswith("<section")
    assert "<html" not in page  # the list alone, for htmx to swap in
    assert rendered_titles(response) == ["How I Made My Millions", "No Surprises", "Palo Alto"]
    assert titles(editor, playlist_id) == ["How I Made My Millions", "No Surprises", "Palo Alto"]
    new_seen = re.search(r'data-seen="([^"]+)"', page).group(1)
    assert new_seen == seen(editor, playlist_id)  # the page's next change is not stale
    assert calls == ["GET", "POST"]  # the stale check and the move: nothing read after


def test_a_position_past_the_end_is_the_bottom_and_nonsense_is_refused_in_words(editor):
    playlist_id, items = filled(editor)

    editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/move",
        {"position": "99", "seen": seen(editor, playlist_id)},
        headers=HTMX,
    )
    refused = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/move",
        {"position": "first", "seen": seen(editor, playlist_id)},
        headers=HTMX,
    )

    assert titles(editor, playlist_id) == ["Palo Alto", "How I Made My Millions", "No Surprises"]
    assert refused.status_code == 400
    assert "a position from 1" in refused.content.decode()


def test_a_stale_move_changes_nothing_and_the_list_says_so(editor):
    playlist_id, items = filled(editor)
    stale = seen(editor, playlist_id)
    editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/move",
        {"direction": "down", "seen": stale},
    )  # another tab of the editor's, say

    response = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[2]}/move",
        {"position": "1", "seen": stale},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Another editor changed this playlist" in response.content.decode()
    assert rendered_titles(response) == ["Palo Alto", "No Surprises", "How I Made My Millions"]


def test_tracks_are_added_and_removed_in_place_with_a_word_for_each(editor):
    playlist_id, items = filled(editor, tracks=(9525,))

    added = editor.post(
        f"{STUDIO}{playlist_id}/tracks/add",
        {"track": 9526, "seen": seen(editor, playlist_id)},
        headers=HTMX,
    )
    removed = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/remove",
        {"seen": seen(editor, playlist_id)},
        headers=HTMX,
    )

    assert rendered_titles(added) == ["No Surprises", "Palo Alto"]
    assert "“Palo Alto” added." in added.content.decode()
    assert rendered_titles(removed) == ["Palo Alto"]
    assert "Removed." in removed.content.decode()


def test_each_studio_track_plays_from_the_studio(editor):
    playlist_id, _ = filled(editor, tracks=(9525,))

    page = editor.get(f"{STUDIO}{playlist_id}/").content.decode()

    assert re.search(r'<button type="button" class="play" data-preview-track="9525"', page)


def test_a_move_whose_order_is_not_kept_reads_the_tracks_and_still_lands_right(editor, sandbox):
    playlist_id, items = filled(editor)
    token = seen(editor, playlist_id)
    cache.clear()  # another process rendered the page, say: its order is not kept here
    before = sandbox.entries()[-1]["id"]

    response = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/move",
        {"position": "3", "seen": token},
        headers=HTMX,
    )

    assert [e["method"] for e in sandbox.entries(since=before)] == ["GET", "GET", "POST"]
    assert rendered_titles(response) == ["Palo Alto", "How I Made My Millions", "No Surprises"]


def test_the_public_page_keeps_its_list_yet_shows_an_editors_move_at_once(editor, settings):
    settings.CATALOGUE_FRAGMENT_SECONDS = 300  # as in production
    playlist_id, items = filled(editor)
    publish = {"publish": "1", "seen": seen(editor, playlist_id)}
    editor.post(f"{STUDIO}{playlist_id}/publish", publish)
    visitor = Client()

    def public_order() -> list[str]:
        page = visitor.get(f"/playlists/{playlist_id}/").content.decode()
        return re.findall(r'data-preview-track="(\d+)"', page)

    assert public_order() == ["9525", "9526", "9527"]
    again = visitor.get(f"/playlists/{playlist_id}/")
    rows = "catalogue/partials/track_row.html"
    assert rows not in {t.name for t in again.templates}  # the kept list: no row rendered
    editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[2]}/move",
        {"position": "1", "seen": seen(editor, playlist_id)},
        headers=HTMX,
    )

    assert public_order() == ["9527", "9525", "9526"]


# -- the order of the shop's tags ----------------------------------------------------


def tagged_playlists() -> None:
    for name, tags in (("One", ["rock", "chill"]), ("Two", ["jazz"])):
        get_client().playlists.create(name=name, visibility="public", status="published", tags=tags)


def public_tags() -> list[str]:
    page = Client().get("/playlists/").content.decode()
    nav = page.split('aria-label="Playlists by tag"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="tag"[^>]*>([^<]+)</a>', nav)[1:]  # after "All"


def test_editors_order_and_hide_tags_kept_by_the_shop_without_a_shop_id(editor, settings):
    from store.playlists.models import ShopTagOrder

    settings.SEVENDIGITAL_SHOP_ID = None
    tagged_playlists()
    form = editor.get(f"{STUDIO}tags/").content.decode()
    assert re.findall(r'name="tag-\d+" value="([^"]+)"', form) == ["chill", "jazz", "rock"]

    editor.post(
        f"{STUDIO}tags/",
        {
            "tag-0": "chill", "position-0": "3", "hidden-0": "on",
            "tag-1": "jazz", "position-1": "1",
            "tag-2": "rock", "position-2": "2",
        },
    )  # fmt: skip

    assert public_tags() == ["jazz", "rock"]
    assert list(ShopTagOrder.objects.values_list("name", "hidden")) == [
        ("jazz", False), ("rock", False), ("chill", True),
    ]  # fmt: skip
    assert Client().get("/playlists/", {"tag": "chill"}).status_code == 200  # still listed


def test_with_a_shop_id_the_tags_order_is_saved_at_7digital(editor, settings):
    from store.playlists.models import ShopTagOrder

    settings.SEVENDIGITAL_SHOP_ID = 34
    tagged_playlists()

    editor.post(
        f"{STUDIO}tags/",
        {"tag-0": "chill", "position-0": "2", "tag-1": "jazz", "position-1": "3",
         "tag-2": "rock", "position-2": "1"},
    )  # fmt: skip

    saved = [tag.name for tag in get_client().playlists.tags()]
    assert saved == ["rock", "chill", "jazz"]
    assert public_tags() == ["rock", "chill", "jazz"]
    assert not ShopTagOrder.objects.exists()


def test_only_editors_order_the_tags():
    customer = Client()
    customer.force_login(make_customer("tagger@example.com"))
    staff = member("staff.tags@example.com", "Staff")

    for client in (customer, staff):
        assert client.get(f"{STUDIO}tags/").status_code == 403
        assert client.post(f"{STUDIO}tags/", {"tag-0": "rock"}).status_code == 403


def test_editors_keep_annotations_of_their_own_beside_tags_and_home(editor):
    playlist_id = draft(editor)
    details = {"name": "Annotated", "tags": "rock", "home": "on"}

    editor.post(
        f"{STUDIO}{playlist_id}/details",
        {**details, "seen": seen(editor, playlist_id), "annotations": "mood = calm\nsponsor=Acme"},
    )
    first = get_client().playlists.details(playlist_id).annotations
    editor.post(
        f"{STUDIO}{playlist_id}/details",
        {**details, "seen": seen(editor, playlist_id), "annotations": "mood = calm"},
    )
    second = get_client().playlists.details(playlist_id).annotations
    refused = editor.post(
        f"{STUDIO}{playlist_id}/details",
        {**details, "seen": seen(editor, playlist_id), "annotations": "tags = jazz\nno sign"},
        follow=True,
    )

    assert first == {"mood": "calm", "sponsor": "Acme", "tags": "rock", "home": "1"}
    assert second == {"mood": "calm", "tags": "rock", "home": "1"}  # a line taken out: gone
    assert "Not saved" in refused.content.decode()
    assert get_client().playlists.details(playlist_id).annotations == second
    form = editor.get(f"{STUDIO}{playlist_id}/").context["form"]
    assert form.initial["annotations"] == "mood = calm"  # tags and home have their fields


def test_ticked_search_results_are_added_together_in_one_call(editor, sandbox):
    playlist_id = draft(editor)
    token = seen(editor, playlist_id)
    before = sandbox.entries()[-1]["id"]

    response = editor.post(
        f"{STUDIO}{playlist_id}/tracks/add",
        {"tracks": ["9527", "9525", "9526"], "seen": token},
        headers=HTMX,
    )

    assert rendered_titles(response) == ["How I Made My Millions", "No Surprises", "Palo Alto"]
    assert "3 tracks added." in response.content.decode()
    calls = [
        (e["method"], e["endpoint"].replace(playlist_id, "{id}"))
        for e in sandbox.entries(since=before)
        if e["endpoint"] != "track/details/batch"  # once, unless the catalogue kept them
    ]
    assert calls == [("GET", "playlists/{id}/details"), ("POST", "playlists/{id}/tracks")]
    nothing = editor.post(
        f"{STUDIO}{playlist_id}/tracks/add", {"seen": seen(editor, playlist_id)}, headers=HTMX
    )
    assert nothing.status_code == 400 and "Choose a track" in nothing.content.decode()


def test_adding_nonsense_or_while_7digital_is_away_says_so_and_adds_nothing(editor):
    playlist_id = draft(editor)
    url = f"{STUDIO}{playlist_id}/tracks/add"

    huge = editor.post(
        url, {"tracks": ["9" * 30, "x"], "seen": seen(editor, playlist_id)}, headers=HTMX
    )
    unknown = editor.post(
        url, {"track": "424242424", "seen": seen(editor, playlist_id)}, headers=HTMX
    )
    token = seen(editor, playlist_id)
    away_error = errors.APIConnectionError("7digital did not answer")
    with mock.patch("store.playlists.studio_views.tracks_get_many", side_effect=away_error):
        away = editor.post(url, {"track": "9525", "seen": token}, headers=HTMX)

    assert (huge.status_code, unknown.status_code, away.status_code) == (400, 400, 503)
    assert "did not answer" in away.content.decode()
    assert titles(editor, playlist_id) == []


def test_a_tag_sent_twice_is_placed_once(editor, settings):
    from store.playlists.models import ShopTagOrder

    settings.SEVENDIGITAL_SHOP_ID = None
    tagged_playlists()

    response = editor.post(
        f"{STUDIO}tags/",
        {"tag-0": "rock", "position-0": "1", "tag-1": "rock", "position-1": "2"},
    )

    assert response.status_code == 302
    assert list(ShopTagOrder.objects.values_list("name", flat=True)) == ["rock", "chill", "jazz"]


def test_a_refused_change_leaves_the_page_stale_for_the_details_too(editor):
    other = member("third.editor@example.com", "Editors")
    playlist_id, items = filled(editor)
    stale = seen(editor, playlist_id)
    other.post(
        f"{STUDIO}{playlist_id}/details",
        {"seen": seen(other, playlist_id), "name": "Theirs"},
    )

    refused = editor.post(
        f"{STUDIO}{playlist_id}/tracks/{items[0]}/move",
        {"direction": "down", "seen": stale},
        headers=HTMX,
    )

    assert "data-problem" in refused.content.decode()  # reorder.js keeps the page's "seen"
    assert "Another editor changed this playlist" in refused.content.decode()
