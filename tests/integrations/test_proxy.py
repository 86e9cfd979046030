"""The media relay (integrations/proxy.py) gives back the database while bytes flow: a
listener holds a thread for a whole track, never a database connection."""

from __future__ import annotations

import io

import pytest
import requests
from django.db import connection
from django.test import RequestFactory

from accounts.models import User
from integrations.proxy import relay


def _upstream(body: bytes) -> requests.Response:
    upstream = requests.Response()
    upstream.status_code = 200
    upstream.raw = io.BytesIO(body)
    upstream.headers["Content-Type"] = "audio/mp4"
    upstream.headers["Content-Length"] = str(len(body))
    return upstream


def _relayed(body: bytes):
    return relay(
        RequestFactory().get("/stream/1"), _upstream(body), passed_headers=("Content-Type",)
    )


@pytest.mark.optional_on("in-memory SQLite ignores close(): the PostgreSQL pass runs it")
@pytest.mark.django_db(transaction=True)
def test_the_database_connection_is_given_back_once_the_bytes_start():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("not applicable: an in-memory SQLite database ignores close(), or it is lost")
    User.objects.count()  # the view's own queries
    response = _relayed(b"a" * 200_000)
    assert connection.connection is not None, "the view and middleware still have it"

    chunks = iter(response.streaming_content)
    first = next(chunks)

    assert first
    assert connection.connection is None
    assert b"".join([first, *chunks]) == b"a" * 200_000
    assert User.objects.count() == 0  # the next query connects again
    response.close()


@pytest.mark.django_db
def test_a_connection_inside_a_transaction_is_left_open():
    User.objects.create_user(email="listener@example.com")
    held = connection.connection
    response = _relayed(b"b" * 1000)

    assert b"".join(response.streaming_content) == b"b" * 1000
    assert connection.connection is held
    assert User.objects.filter(email="listener@example.com").exists()  # not rolled back
    response.close()
