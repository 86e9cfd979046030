"""Artwork on the first screen loads at once; the rest waits until scrolled to (issue 16).

The first result's image is the page's largest paint: lazy loading it delays that paint
until layout has decided it is on screen. So the first images of search results and of
the home page's charts are ``loading="eager"``, the very first ``fetchpriority="high"``,
and the ones further down stay ``loading="lazy"``.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from store.catalogue import selectors
from store.catalogue.views import browse

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


class Images(HTMLParser):
    """The ``<img>`` tags of a page, in order, with the classes of their ancestors."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source"}

    def __init__(self, text: str):
        super().__init__()
        self.stack: list[str] = []
        self.found: list[tuple[dict, str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.found.append((attrs, " ".join(self.stack)))
        if tag not in self.VOID:
            self.stack.append(f"{tag}.{(attrs.get('class') or '').replace(' ', '.')}")

    def handle_endtag(self, tag):
        while self.stack and not self.stack.pop().startswith(f"{tag}."):
            pass

    def within(self, css_class: str) -> list[dict]:
        return [attrs for attrs, ancestors in self.found if f".{css_class}" in ancestors]


def test_the_top_rows_of_the_home_charts_load_their_artwork_at_once(client, sandbox):
    selectors.charts_get(country="GB", page_size=browse.CHART_SIZE)  # kept: in the page

    images = Images(client.get("/").text)

    releases = images.within("chart-releases")
    assert len(releases) == browse.CHART_SIZE
    assert releases[0]["loading"] == "eager"
    assert releases[0]["fetchpriority"] == "high"
    assert all(image["loading"] == "eager" for image in releases[:5])
    assert all(image["loading"] == "lazy" for image in releases[5:])
    for chart in ("chart-tracks", "chart-artists"):
        assert images.within(chart)[0]["loading"] == "eager", chart
        assert images.within(chart)[-1]["loading"] == "lazy", chart
    high = [attrs for attrs, _ in images.found if attrs.get("fetchpriority") == "high"]
    assert len(high) == 1, "one image first of all"


@pytest.mark.parametrize("kind", ["release", "artist"])
def test_the_first_search_results_load_their_artwork_at_once(client, sandbox, kind):
    images = Images(client.get("/search/", {"q": "the", "kind": kind}).text).within("card")

    assert len(images) > 6
    assert images[0]["loading"] == "eager"
    assert images[0]["fetchpriority"] == "high"
    assert all(image["loading"] == "eager" for image in images[:6])
    assert all("fetchpriority" not in image for image in images[1:])
    assert all(image["loading"] == "lazy" for image in images[6:])


def test_release_cards_elsewhere_stay_lazy(client, sandbox, settings):
    settings.CATALOGUE_FEATURED_TAGS = ["rock"]
    selectors.tag_releases_new(tag="rock", country="GB", page_size=browse.FEATURED_RELEASES)

    images = Images(client.get("/").text).within("featured-tag")

    assert images
    assert all(image["loading"] == "lazy" for image in images), "below the charts"


def test_the_release_pages_cover_is_not_lazy(client, sandbox):
    images = Images(client.get("/releases/1046/").text).within("release-header")

    assert images, "the cover"
    assert images[0].get("loading") != "lazy"


@pytest.mark.parametrize("path", ["/tags/rock/", "/artists/"])
def test_the_first_cards_of_a_tag_or_the_a_to_z_load_their_artwork_at_once(client, sandbox, path):
    images = Images(client.get(path).text).within("card")

    assert images, "no cards"
    assert images[0]["loading"] == "eager"
    assert images[0]["fetchpriority"] == "high"
    assert all(image["loading"] == "lazy" for image in images[6:])
