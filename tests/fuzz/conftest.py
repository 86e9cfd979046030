"""The fuzz suite's shop.

The generators, the runners and the shop itself come from ``scripts/fuzzing.py``, which
``bench/fuzz.py`` shares (bench/ never imports tests/); so do the Hypothesis settings
(``fuzzing.explore``: the same cases on every run, no example database, no deadline).
Here they meet the suite's fixtures: the sandbox in process (``sandbox_for_store``) and
a clip cache per session.
"""

from __future__ import annotations

import pytest

from scripts import fuzzing


@pytest.fixture(scope="session")
def _fuzz_audio_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-audio")


@pytest.fixture(autouse=True)
def _audio_cache(settings, _fuzz_audio_cache):
    """Clips are encoded once per session, outside the working tree."""
    settings.SANDBOX_AUDIO_CACHE = _fuzz_audio_cache


@pytest.fixture
def shop(sandbox_for_store) -> fuzzing.Shop:
    """An anonymous visitor, a customer with a partner user, an order and a basket, and
    a superuser past the second factor; the ids of what they have."""
    return fuzzing.prepare_shop()


@pytest.fixture
def catcher():
    """Every exception raised while serving, the site's or the sandbox's behind it."""
    with fuzzing.catching_exceptions() as caught:
        yield caught
