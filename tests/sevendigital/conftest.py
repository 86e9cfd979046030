from __future__ import annotations

import pytest

from sevendigital import SevenDigital

from .fakes import BASE_URL, CONSUMER_KEY, CONSUMER_SECRET, FakeTransport, OAuthVerifier


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(transport: FakeTransport, sleeps: list[float]) -> SevenDigital:
    return SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        sleep=sleeps.append,
    )


@pytest.fixture
def json_client(transport: FakeTransport, sleeps: list[float]) -> SevenDigital:
    return SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
        sleep=sleeps.append,
        response_format="json",
    )


@pytest.fixture
def verifier() -> OAuthVerifier:
    return OAuthVerifier()
