"""Two customers, each signed in with a client of their own, for the playlist tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.store.conftest import make_customer


@pytest.fixture
def alice(client):
    client.force_login(make_customer("alice@example.com"))
    return client


@pytest.fixture
def bob():
    other = Client()
    other.force_login(make_customer("bob@example.com"))
    return other


def make(client, name="Evening", visibility="private") -> str:
    """A new playlist of the signed-in customer's, made in the library; its id."""
    response = client.post("/library/playlists/", {"name": name, "visibility": visibility})
    assert response.status_code == 302, response.content[:300]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def partner_of(email: str) -> str:
    """The 7digital partner user id of the customer with ``email``."""
    from accounts.models import User
    from accounts.selectors import partner_user_id_of

    return partner_user_id_of(user=User.objects.get(email=email))
