"""Fixtures for listening: one encoded clip per test session, and the sandbox."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from integrations.sevendigital import get_client

SEEDED_TRACK = 123456  # "Sleeping in My Car", previewable in GB


@pytest.fixture(scope="session")
def _audio_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(autouse=True)
def _audio_cache(settings, _audio_cache_dir):
    """Encode each sandbox clip once per session, outside the working tree."""
    settings.SANDBOX_AUDIO_CACHE = _audio_cache_dir


@pytest.fixture
def clip_bytes(sandbox_for_store) -> bytes:
    """The whole MP3 the sandbox serves for the seeded track (fetched past the proxy)."""
    client = get_client()
    with client.media.open(client.media.clip(SEEDED_TRACK, country="GB")) as response:
        body = response.content
    sandbox_for_store.reset()  # so journal assertions see only the proxy's own requests
    return body


@pytest.fixture(autouse=True)
def _fresh_tally(monkeypatch):
    """A tally of its own for each test: counts a test leaves unwritten stay with it."""
    from store.player import tally, views

    fresh = tally.ResponseTally()
    monkeypatch.setattr(views, "tally", fresh)
    return fresh


@pytest.fixture(autouse=True)
def _fresh_refusals(monkeypatch):
    """The tally of refused plays, its own for each test too."""
    from store.player import tally, views

    fresh = tally.RefusalTally()
    monkeypatch.setattr(views, "refusals", fresh)
    return fresh


@pytest.fixture(autouse=True)
def stream_tally(monkeypatch):
    """The tally of whole-track responses, its own for each test too."""
    from store.player import tally

    fresh = tally.StreamTally()
    monkeypatch.setattr(tally, "streams", fresh)
    return fresh


def listen(client, track_id: int = SEEDED_TRACK, **headers) -> int:
    """Fetch a clip through the proxy from its start, as the player's audio element
    does; its status."""
    from django.urls import reverse

    response = client.get(reverse("player:preview", args=[track_id]), headers=headers)
    if response.streaming:
        # Read to the end, where the test client closes the response itself (closing it
        # again here would end the request twice, and close the test's database
        # connection on PostgreSQL).
        b"".join(response.streaming_content)
    return response.status_code


class Clock:
    """A stopped clock for ``timezone.now()``, moved on by hand."""

    def __init__(self) -> None:
        self.at = timezone.now()

    def now(self):
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    """``timezone.now()`` stands still wherever the store reads it, until advanced."""
    stopped = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=stopped.now):
        yield stopped


@pytest.fixture
def fresh_catalogue():
    """Catalogue reads kept in this process by earlier tests would hide changes made to
    the sandbox's releases by this one."""
    from store.catalogue.selectors import forget_fresh_copies

    forget_fresh_copies()


@pytest.fixture
def listener(client, sandbox_for_store):
    """A customer with a partner user, signed in with ``client``."""
    from tests.store.conftest import make_customer

    user = make_customer("listener@example.com")
    client.force_login(user)
    return user
