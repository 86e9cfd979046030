"""``cached_read``: what a selector would answer without asking 7digital, or None.

A page uses it to show a section at once when its data is kept and to leave it to load
later otherwise (the home page's charts): it must never call 7digital.
"""

from __future__ import annotations

import pytest

from store.catalogue.selectors import (
    cached_read,
    charts_get,
    release_get,
    served_stale,
    stale_reads,
    tag_get,
)

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FRESH_SECONDS = 432_000  # the sandbox's Cache-Control max-age for the catalogue
NO_SURPRISES = {"release_id": 1046, "country": "GB"}


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def test_a_read_never_made_is_none_and_asks_7digital_nothing(sandbox):
    assert cached_read(release_get, **NO_SURPRISES) is None
    assert sandbox.entries() == []


def test_a_read_made_is_answered_from_its_copy_without_a_call(sandbox):
    release = release_get(**NO_SURPRISES)
    calls = len(sandbox.entries())

    assert cached_read(release_get, **NO_SURPRISES) == release
    assert len(sandbox.entries()) == calls


def test_arguments_left_to_their_defaults_are_the_same_read(sandbox):
    charts = charts_get(country="GB")

    assert cached_read(charts_get, country="GB", page_size=10) == charts
    assert cached_read(charts_get, country="GB", page_size=5) is None
    assert cached_read(charts_get, country="US") is None


def test_a_copy_past_its_max_age_is_none_while_7digital_is_well(sandbox, cache_clock):
    release_get(**NO_SURPRISES)
    calls = len(sandbox.entries())
    cache_clock.advance(FRESH_SECONDS + 1)

    assert cached_read(release_get, **NO_SURPRISES) is None
    assert len(sandbox.entries()) == calls


def test_while_7digital_fails_the_last_good_copy_is_served_as_stale(
    sandbox, cache_clock, queued_refreshes
):
    release = release_get(**NO_SURPRISES)
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    release_get(**NO_SURPRISES)  # meets the outage: 7digital is known to fail
    calls = len(sandbox.entries())

    with stale_reads():
        assert cached_read(release_get, **NO_SURPRISES) == release
        assert served_stale()
    assert len(sandbox.entries()) == calls


def test_only_selectors_that_keep_copies_can_be_read_from_them():
    with pytest.raises(TypeError, match="tag_get"):
        cached_read(tag_get, tag_id="rock", country="GB")
