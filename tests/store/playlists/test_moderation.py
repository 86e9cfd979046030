"""Reports of public playlists and what staff do about them (issue 20): a customer
reports another's public playlist once; staff with the Staff group's permissions hide
it (private, changed as its owner) and restore it; editors cannot; the shop's own
playlists are not moderated from here."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from integrations.sevendigital import get_client
from store.playlists.models import PlaylistReport
from tests.conftest import pass_second_factor
from tests.store.conftest import make_customer

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]

CHANGELIST = "/admin/playlists/playlistreport/"


@pytest.fixture
def maker():
    client = Client()
    client.force_login(make_customer("maker@example.com"))
    return client


@pytest.fixture
def reader():
    client = Client()
    client.force_login(make_customer("reader@example.com"))
    return client


def _admin(email: str, group: str) -> Client:
    from accounts.models import User

    user = User.objects.create_user(email=email, password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def shared_playlist(maker) -> str:
    response = maker.post("/library/playlists/", {"name": "Loud", "visibility": "public"})
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_a_customer_reports_a_public_playlist_once(maker, reader):
    playlist_id = shared_playlist(maker)

    first = reader.post(
        f"/playlists/{playlist_id}/report", {"reason": "spam", "details": "Ads"}, follow=True
    )
    reader.post(f"/playlists/{playlist_id}/report", {"reason": "offensive"})

    assert "our staff will look at it" in first.content.decode()
    (report,) = PlaylistReport.objects.all()
    assert (report.reason, report.details, report.playlist_name) == ("spam", "Ads", "Loud")


def test_a_customer_cannot_report_their_own_playlist_nor_a_private_one(maker, reader):
    playlist_id = shared_playlist(maker)
    private = maker.post("/library/playlists/", {"name": "Mine"})["Location"].split("/")[-2]

    own = maker.post(f"/playlists/{playlist_id}/report", {"reason": "spam"}, follow=True)

    assert "your own playlist" in own.content.decode()
    assert reader.post(f"/playlists/{private}/report", {"reason": "spam"}).status_code == 404
    assert not PlaylistReport.objects.exists()


def test_staff_hide_a_reported_playlist_and_restore_it(maker, reader):
    playlist_id = shared_playlist(maker)
    reader.post(f"/playlists/{playlist_id}/report", {"reason": "offensive"})
    staff = _admin("staff@example.com", "Staff")
    report = PlaylistReport.objects.get()

    staff.post(CHANGELIST, {"action": "hide", "_selected_action": [report.pk]})

    assert Client().get(f"/playlists/{playlist_id}/").status_code == 404
    report.refresh_from_db()
    assert report.status == "hidden" and report.handled_by is not None
    staff.post(CHANGELIST, {"action": "restore", "_selected_action": [report.pk]})
    from django.core.cache import cache

    cache.clear()  # the public page keeps what it read for a minute
    assert Client().get(f"/playlists/{playlist_id}/").status_code == 200


def test_editors_cannot_see_or_act_on_reports(maker, reader):
    playlist_id = shared_playlist(maker)
    reader.post(f"/playlists/{playlist_id}/report", {"reason": "spam"})
    editor = _admin("editor@example.com", "Editors")
    report = PlaylistReport.objects.get()

    assert editor.get(CHANGELIST).status_code == 403
    editor.post(CHANGELIST, {"action": "hide", "_selected_action": [report.pk]})
    assert Client().get(f"/playlists/{playlist_id}/").status_code == 200


def test_the_shops_own_playlists_are_not_hidden_from_here(reader):
    shop = get_client().playlists.create(name="Editors pick", visibility="public")
    reader.post(f"/playlists/{shop.id}/report", {"reason": "other"})
    staff = _admin("staff@example.com", "Staff")

    response = staff.post(
        CHANGELIST,
        {"action": "hide", "_selected_action": [PlaylistReport.objects.get().pk]},
        follow=True,
    )

    assert "not changed from here" in response.content.decode()
    assert Client().get(f"/playlists/{shop.id}/").status_code == 200
