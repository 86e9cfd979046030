"""The locker page: what the customer owns, sorted and paged, with downloads left
explained as the reference recommends (a warning at one, an explanation at none)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.models import Download, Purchase
from sandbox.models import Release as SandboxRelease
from tests.store.conftest import NO_SURPRISES, add, buy, pay

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def owned(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    buy(client, queue, django_capture_on_commit_callbacks)
    return Purchase.objects.get()


def _use_downloads(purchase, track, count):
    Download.objects.bulk_create(
        Download(purchase=purchase, track=track, format_id=17, downloaded_at=datetime.now(UTC))
        for _ in range(count)
    )


def test_the_locker_lists_each_track_with_its_formats(client, owned):
    page = client.get("/locker/").text

    for track in SandboxRelease.objects.get(id=NO_SURPRISES).tracks.all():
        assert track.title in page
    assert "MP3 320" in page and "AAC 320" in page
    assert "last download" not in page


def test_each_track_in_the_locker_has_a_play_button_the_player_streams(client, owned):
    page = client.get("/locker/").text

    for track in SandboxRelease.objects.get(id=NO_SURPRISES).tracks.all():
        assert f'data-preview-track="{track.id}"' in page
        assert f'aria-label="Play {track.title}"' in page
    # What the player asks first: the owner's whole track, from the locker.
    head = client.head(f"/stream/{track.id}")
    assert head.status_code == 200 and head["X-Stream-Source"] == "locker"


def test_one_download_left_warns_and_none_left_disables_with_an_explanation(client, owned):
    tracks = list(SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number"))
    limit = owned.release.licensor.download_limit
    _use_downloads(owned, tracks[0], limit - 1)
    _use_downloads(owned, tracks[1], limit)

    page = client.get("/locker/").text

    assert "This is your last download of this track" in page
    assert "You have used every download of this track" in page
    assert f"/locker/download/track/{NO_SURPRISES}/{tracks[1].id}/17/" not in page
    assert f'aria-describedby="none-{tracks[1].id}"' in page
    assert f"/locker/download/track/{NO_SURPRISES}/{tracks[0].id}/17/" in page


def test_a_taken_down_release_is_greyed_out_with_the_reason(client, owned):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(taken_down=True)

    page = client.get("/locker/").text

    assert "locker-release unavailable" in page
    assert "no longer available from its label" in page
    assert "/locker/download/" not in page


def test_the_locker_sorts_and_pages(
    client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    releases = list(
        SandboxRelease.objects.filter(territories__contains=",GB,", taken_down=False)
        .exclude(standard_tier__isnull=True)
        .order_by("id")[:11]
    )
    for release in releases:
        add(client, release=release.id)
    pay(client, django_capture_on_commit_callbacks)
    queue.deliver_all()

    first = client.get("/locker/?sort=title").text
    second = client.get("/locker/?sort=title&page=2").text

    titles = sorted(r.title.lower() for r in releases)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert titles[-1] in second.lower()


def test_7digital_down_shows_a_clear_page(client, owned, sandbox):
    sandbox.add_fault(kind="status", status=503, endpoint="user/locker")

    response = client.get("/locker/")

    assert response.status_code == 503
    assert "Your purchases are safe" in response.text
