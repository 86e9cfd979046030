"""Importing a playlist (issue 20): XSPF, M3U and CSV files become a new playlist of
the customer's, each track found by the shop's own track page, its ISRC, or its artist
and title; what is not found is listed, never guessed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sandbox.models import Track as SandboxTrack
from store.playlists import imports
from tests.store.conftest import make_customer

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]


@pytest.fixture
def alice(client):
    client.force_login(make_customer("alice@example.com"))
    return client


def upload(client, filename: str, content: str | bytes, **data):
    body = content.encode() if isinstance(content, str) else content
    return client.post(
        "/library/playlists/import/", {"file": SimpleUploadedFile(filename, body), **data}
    )


def imported_titles(client, response) -> list[str]:
    playlist_id = response.context["playlist"].id
    page = client.get(f"/library/playlists/{playlist_id}/")
    return [t.track_title for t in page.context["playlist"].tracks]


@pytest.mark.parametrize("kind", ["xspf", "m3u"])
def test_an_exported_playlist_comes_back_exactly(alice, kind):
    made = alice.post("/library/playlists/", {"name": "Round trip"})
    playlist_id = made["Location"].rstrip("/").rsplit("/", 1)[-1]
    for track in (9527, 9525):
        alice.post("/library/playlists/add/", {"track": track, "playlist": playlist_id})
    exported = alice.get(f"/library/playlists/{playlist_id}/export.{kind}").content

    response = upload(alice, f"back.{kind}", exported)

    assert response.status_code == 200, response.content[:500]
    assert imported_titles(alice, response) == ["How I Made My Millions", "No Surprises"]
    assert response.context["playlist"].name == "Round trip"
    assert response.context["missing"] == []


def test_a_csv_is_matched_by_isrc_or_artist_and_title_and_the_rest_reported(alice):
    palo_alto = SandboxTrack.objects.get(pk=9526)
    csv = (
        "Title,Artist,ISRC\n"
        f",,{palo_alto.isrc}\n"
        "No Surprises,radiohead,\n"
        "A Song Nobody Recorded,Nobody,\n"
    )

    response = upload(alice, "mine.csv", csv, name="From a spreadsheet")

    assert response.status_code == 200
    assert imported_titles(alice, response) == ["Palo Alto", "No Surprises"]
    assert [row.label for row in response.context["missing"]] == ["Nobody - A Song Nobody Recorded"]
    page = response.content.decode()
    assert "2 tracks imported" in page and "Nobody - A Song Nobody Recorded" in page


def test_a_title_that_only_looks_like_it_is_not_taken(alice):
    response = upload(alice, "near.csv", "artist,title\nRadiohead,No Surprise\n")

    assert response.status_code == 400
    assert "None of the file" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("x.xspf", "<playlist><broken", "not a readable XSPF"),
        ("x.csv", "colour,size\nred,big\n", "Not a playlist file"),
        ("x.m3u", "#EXTM3U\n", "No tracks were found"),
    ],
)
def test_a_file_that_is_not_a_playlist_is_refused_in_words(alice, name, content, words):
    response = upload(alice, name, content)

    assert response.status_code == 400
    assert words in response.content.decode()


def test_a_file_with_too_many_tracks_is_refused(alice, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)

    response = upload(alice, "long.csv", "isrc\n" + "GBAYE9700386\n" * 3)

    assert response.status_code == 400
    assert "at most 2 at a time" in response.content.decode()


def test_a_visitor_is_asked_to_sign_in(client):
    assert client.get("/library/playlists/import/").status_code == 302
