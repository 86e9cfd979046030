"""Importing a playlist (issue 20): XSPF, M3U and CSV files become a new playlist of
the customer's, each track found by the shop's own track page, its ISRC, or its artist
and title; what is not found is listed, never guessed."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sandbox.models import Track as SandboxTrack
from store.playlists import imports, tasks
from store.playlists.models import PlaylistImport
from store.playlists.services import PlaylistUnavailable
from tests.store.conftest import make_customer

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]


@pytest.fixture
def alice(client):
    client.force_login(make_customer("alice@example.com"))
    return client


@pytest.fixture
def queued(monkeypatch):
    """The ids of the imports whose task was queued by hand (the sweep); the queueing
    at commit does not happen inside a test's transaction."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.playlist_import_run, "delay", ids.append)
    return ids


def upload(client, filename: str, content: str | bytes, **data):
    """Send the file; if it was taken, run its task as a worker would and follow the
    job's page to its answer."""
    body = content.encode() if isinstance(content, str) else content
    with mock.patch.object(tasks.playlist_import_run, "delay") as queued, _on_commit():
        response = client.post(
            "/library/playlists/import/", {"file": SimpleUploadedFile(filename, body), **data}
        )
    if response.status_code != 302:
        return response
    (import_id,) = queued.call_args.args
    imports.playlist_import_run(import_id=import_id)
    return client.get(response["Location"])


def _on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def imported_titles(client, response) -> list[str]:
    playlist_id = response.context["job"].playlist_id
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
    assert response.context["job"].name == "Round trip"
    assert response.context["job"].missing == []


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
    assert response.context["job"].missing == ["Nobody - A Song Nobody Recorded"]
    page = response.content.decode()
    assert "2 tracks imported" in page and "Nobody - A Song Nobody Recorded" in page


def test_a_title_that_only_looks_like_it_is_not_taken(alice):
    response = upload(alice, "near.csv", "artist,title\nRadiohead,No Surprise\n")

    assert response.context["job"].status == "failed"
    assert "None of the file" in response.content.decode()
    assert "Radiohead - No Surprise" in response.content.decode()


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


def test_the_page_follows_the_import_until_its_tracks_are_found(alice, queued):
    posted = alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("one.csv", b"artist,title\nRadiohead,No Surprises\n")},
    )
    status_url = posted["Location"]

    waiting = alice.get(status_url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.content.decode()  # htmx asks again
    assert "<html" not in waiting.content.decode()
    imports.playlist_import_run(import_id=PlaylistImport.objects.get().pk)
    done = alice.get(status_url, headers={"HX-Request": "true"})

    assert "1 track imported into" in done.content.decode()
    assert "hx-trigger" not in done.content.decode()  # and stops asking
    assert Client().get(status_url).status_code == 302  # a visitor: sign in first


def test_another_customer_cannot_follow_an_import(alice, queued):
    posted = alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("one.csv", b"artist,title\nRadiohead,No Surprises\n")},
    )
    bob = Client()
    bob.force_login(make_customer("bob@example.com"))

    assert bob.get(posted["Location"]).status_code == 404


def test_7digital_away_keeps_the_import_waiting_and_the_sweep_sends_it_again(
    alice, queued, sandbox
):
    from datetime import timedelta

    from django.utils import timezone

    alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("one.csv", b"artist,title\nRadiohead,No Surprises\n")},
    )
    job = PlaylistImport.objects.get()
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    with pytest.raises(imports.TryLater):
        imports.playlist_import_run(import_id=job.pk)
    retried = RuntimeError("retried")
    with (
        mock.patch.object(tasks.playlist_import_run, "retry", return_value=retried) as retry,
        pytest.raises(RuntimeError),
    ):
        tasks.playlist_import_run(job.pk)  # the task asks Celery to run it again, later
    assert retry.call_args.kwargs["countdown"] == 10
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 2)

    sandbox.clear_faults()
    assert imports.playlist_imports_sweep() == 0  # its task's retries come first
    PlaylistImport.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(minutes=11)
    )
    assert imports.playlist_imports_sweep() == 1
    imports.playlist_import_run(import_id=queued[-1])
    job.refresh_from_db()
    assert job.status == "done" and job.imported == 1


def test_a_run_finds_a_job_already_working_and_leaves_it(alice, queued):
    alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("one.csv", b"artist,title\nRadiohead,No Surprises\n")},
    )
    job = PlaylistImport.objects.get()
    from django.utils import timezone

    PlaylistImport.objects.filter(pk=job.pk).update(status="working", started_at=timezone.now())

    imports.playlist_import_run(import_id=job.pk)  # a second run, from the sweep say

    job.refresh_from_db()
    assert (job.status, job.attempts, job.playlist_id) == ("working", 0, "")


def _one_job(alice) -> PlaylistImport:
    alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("one.csv", b"artist,title\nRadiohead,No Surprises\n")},
    )
    return PlaylistImport.objects.get()


def test_a_playlist_7digital_did_not_confirm_is_never_made_a_second_time(alice, queued):
    job = _one_job(alice)
    lost = PlaylistUnavailable("the answer was lost")

    with mock.patch(
        "store.playlists.services.customer_playlist_import", side_effect=lost
    ) as create:
        imports.playlist_import_run(import_id=job.pk)  # no TryLater: not tried again
    imports.playlist_import_run(import_id=job.pk)  # the sweep's, say

    job.refresh_from_db()
    assert create.call_count == 1
    assert job.status == "failed" and "Look in your playlists" in job.problem
    page = alice.get(f"/library/playlists/imports/{job.pk}/").content.decode()
    assert "Look in your playlists before importing" in page


def test_the_sweep_ends_jobs_out_of_runs_and_those_lost_while_making_the_playlist(alice, queued):
    from datetime import timedelta

    from django.utils import timezone

    spent, making = _one_job(alice), _one_job_more(alice)
    PlaylistImport.objects.filter(pk=spent.pk).update(attempts=imports.MAX_ATTEMPTS)
    PlaylistImport.objects.filter(pk=making.pk).update(
        status="creating", started_at=timezone.now() - timedelta(hours=1)
    )

    assert imports.playlist_imports_sweep() == 0
    spent.refresh_from_db()
    making.refresh_from_db()
    assert (spent.status, spent.problem) == ("failed", imports.NOT_NOW)
    assert (making.status, making.problem) == ("failed", imports.UNCONFIRMED)


def _one_job_more(alice) -> PlaylistImport:
    alice.post(
        "/library/playlists/import/",
        {"file": SimpleUploadedFile("two.csv", b"artist,title\nRadiohead,Palo Alto\n")},
    )
    return PlaylistImport.objects.order_by("-pk").first()


def test_the_sweep_leaves_alone_a_last_run_still_working(alice, queued):
    from django.utils import timezone

    job = _one_job(alice)
    PlaylistImport.objects.filter(pk=job.pk).update(
        status="working", started_at=timezone.now(), attempts=imports.MAX_ATTEMPTS
    )

    assert imports.playlist_imports_sweep() == 0
    job.refresh_from_db()
    assert job.status == "working"
