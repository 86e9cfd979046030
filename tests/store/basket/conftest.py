"""The basket against the in-process sandbox."""

from __future__ import annotations

import pytest


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store
