"""Fixtures for preview plays: one encoded clip per test session, and the sandbox."""

from __future__ import annotations

import pytest

from store.integrations.sevendigital import get_client

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
    from store.playlogs import tally, views

    fresh = tally.ResponseTally()
    monkeypatch.setattr(views, "tally", fresh)
    return fresh
