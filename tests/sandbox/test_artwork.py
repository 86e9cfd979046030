"""The sandbox draws artwork at 7digital's CDN paths, so covers show offline."""

from __future__ import annotations

import pytest
from django.test import Client

from sandbox import shapes as catalogue

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def sandbox_client(settings):
    settings.ROOT_URLCONF = "sandbox.urls"
    return Client()


def test_image_urls_name_7digitals_cdn_unless_told_otherwise(settings):
    assert catalogue.release_image(1046) == (
        "http://artwork-cdn.7static.com/static/img/sleeveart/00/000/010/0000001046_50.jpg"
    )
    settings.SANDBOX_ARTWORK_URL = "http://127.0.0.1:8001/static/img/"
    assert catalogue.artist_image(304, 350) == (
        "http://127.0.0.1:8001/static/img/artistimages/00/000/003/0000000304_350.jpg"
    )


def test_the_sandbox_answers_the_cdns_paths_with_a_picture_of_the_item(sandbox_client):
    path = "/static/img/sleeveart/00/000/010/0000001046_{}.jpg"
    small, large = sandbox_client.get(path.format(50)), sandbox_client.get(path.format(350))
    other = sandbox_client.get("/static/img/sleeveart/00/000/010/0000001047_50.jpg")

    assert small.status_code == 200
    assert small["Content-Type"] == "image/svg+xml"
    assert small.content.startswith(b"<svg ")
    assert "max-age" in small["Cache-Control"]
    assert small.content == large.content, "one picture at every size"
    assert small.content != other.content, "each release its own"


def test_no_picture_for_what_the_cdn_does_not_have(sandbox_client):
    assert sandbox_client.get("/static/img/posters/00/000/010/0000001046_50.jpg").status_code == 404
    assert (
        sandbox_client.post("/static/img/sleeveart/00/000/010/0000001046_50.jpg").status_code == 405
    )
