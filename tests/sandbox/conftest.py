"""Fixtures for the sandbox: a client wired to it in-process, and its state reset."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from sandbox.state import state
from sandbox.transport import SandboxTransport
from sevendigital import SevenDigital
from tests.conftest import SANDBOX_URL


@pytest.fixture(autouse=True)
def clean_sandbox_state():
    state.reset()
    yield
    state.reset()


@pytest.fixture
def http_session() -> requests.Session:
    """A plain requests session whose http:// goes to the in-process sandbox."""
    session = requests.Session()
    session.mount("http://", SandboxTransport())
    return session


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


@pytest.fixture
def sandbox_server(seeded_catalogue):
    """The sandbox on a real socket (127.0.0.1, a free port) for the test's duration."""
    from sandbox.server import SandboxServer

    with SandboxServer() as server:
        yield server
