"""Fixtures for the catalogue: a private local-memory cache with a clock tests can move,
and the refreshes the selectors queue."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem

from store.catalogue import page_cache, selectors
from store.catalogue.tasks import catalogue_refresh
from tests.clocks import OffsetClock


@pytest.fixture(autouse=True)
def catalogue_cache(settings):
    """An empty local-memory cache: the client's fresh copies and the last good ones."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalogue-tests",
        }
    }
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def cache_clock(monkeypatch) -> OffsetClock:
    """Move the cache's clock forward, so entries expire as they would days later."""
    clock = OffsetClock()
    monkeypatch.setattr(selectors, "time", clock)  # the copies' own freshness
    monkeypatch.setattr(cache_base, "time", clock)
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(page_cache, "time", clock)  # stored pages' copies in the process
    return clock


@pytest.fixture
def queued_refreshes():
    """``catalogue_refresh.delay``, mocked: the refreshes the selectors queued."""
    with mock.patch.object(catalogue_refresh, "delay") as delay:
        yield delay
