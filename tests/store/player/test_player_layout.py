"""One persistent, keyboard-operable player in the layout, outside what HTMX swaps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@dataclass
class Element:
    tag: str
    attrs: dict
    ancestors: list[str]  # tags, outermost first
    parent: dict  # the attributes of the enclosing element


class Tree(HTMLParser):
    """Every start tag of a page with its attributes and its ancestors."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent = self.stack[-1][1] if self.stack else {}
        self.elements.append(Element(tag, attrs, [t for t, _ in self.stack], parent))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def one(self, tag, **attrs) -> Element:
        [found] = [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]
        return found


@pytest.fixture
def page(client):
    html = client.get(reverse("catalogue:home")).content.decode()
    tree = Tree()
    tree.feed(html)
    return html, tree


def test_the_layout_has_one_player_outside_main_that_htmx_preserves(page):
    _, tree = page
    player = tree.one("div", id="player")

    assert "hx-preserve" in player.attrs
    assert player.ancestors == ["html", "body"]
    assert "main" not in player.ancestors
    assert player.attrs["aria-label"] == "Player"


def test_the_player_has_an_audio_element_that_loads_nothing_until_asked(page):
    _, tree = page
    audio = tree.one("audio")

    assert audio.attrs["preload"] == "none"
    assert "src" not in audio.attrs
    assert audio.parent["id"] == "player"


def test_the_players_controls_are_real_labelled_controls(page):
    html, tree = page
    toggle = tree.one("button", id="player-toggle")
    seek = tree.one("input", id="player-seek")

    assert toggle.attrs["type"] == "button"
    assert toggle.attrs["aria-label"]
    assert seek.attrs["type"] == "range"
    assert seek.attrs["aria-valuetext"]
    assert seek.parent.get("class") == "player-seek"
    assert re.search(r'<label class="player-seek">\s*<span[^>]*>Position in track</span>', html)


def test_the_player_announces_the_playing_track_politely(page):
    html, tree = page

    assert tree.one("span", id="player-status").attrs["aria-live"] == "polite"
    assert '<span class="player-caption">Now playing</span>' in html


def test_the_player_knows_the_urls_it_calls(page):
    _, tree = page
    player = tree.one("div", id="player").attrs

    assert player["data-clip-url"] == reverse("player:preview", args=[0])
    assert player["data-start-url"] == reverse("player:play_start", args=[0])
    assert player["data-stop-url"] == reverse(
        "player:play_stop", args=["00000000-0000-0000-0000-000000000000"]
    )


def test_the_player_script_is_deferred_and_served(client, page):
    html, _ = page

    assert '<script src="/static/js/player.js" defer></script>' in html
    response = client.get("/static/js/player.js")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    for needle in ("button[data-preview-track]", "sendBeacon", "csrfmiddlewaretoken", "pagehide"):
        assert needle in text
