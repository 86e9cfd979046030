"""Orders: races between two requests, where the database has row locks."""

from __future__ import annotations

import pytest

from tests.races import catalogue_seeded, require_row_locks


@pytest.fixture
def race():
    """A race between two requests (tests/races.py), run where the
    database has row locks; ask for it first, so that the sandbox catalogue is there
    before the customer shops."""
    require_row_locks()
    catalogue_seeded()
