"""Fixtures for the sandbox: a client wired to it in-process, and its state reset."""

from __future__ import annotations

import pytest
from django.conf import settings

from sandbox.state import state
from sandbox.transport import SandboxTransport
from sevendigital import SevenDigital

SANDBOX_URL = "http://sandbox.test"


@pytest.fixture(autouse=True)
def clean_sandbox_state():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def sandbox_db(db, django_db_blocker):
    """Tests touching the sandbox's own database declare it through this fixture."""


def make_client(**options) -> SevenDigital:
    defaults = {
        "consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY,
        "consumer_secret": settings.SEVENDIGITAL_CONSUMER_SECRET,
        "base_url": SANDBOX_URL,
        "adapter": SandboxTransport(),
        "max_retries": 0,
        "sleep": lambda seconds: None,
    }
    defaults.update(options)
    return SevenDigital(**defaults)


@pytest.fixture
def sandbox_client() -> SevenDigital:
    return make_client()


@pytest.fixture
def sandbox_json_client() -> SevenDigital:
    return make_client(response_format="json")
