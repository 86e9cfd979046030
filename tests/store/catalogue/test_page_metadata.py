"""What search engines and browsers read from a page's head (issue 16): the shop's own
name in every title, a description of the page, and the site's icon."""

from __future__ import annotations

import html
import re

import pytest

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

PAGES = {
    "/": "most popular releases",
    "/artists/": "Every artist in the catalogue",
    "/artists/304/": "Radiohead: releases, top tracks",
    "/releases/1046/": "No Surprises by Radiohead (1997), 3 tracks",
    "/tracks/9525/": "No Surprises by Radiohead, from No Surprises",
    "/tags/rock/": "newest rock releases",
    "/search/?q=radiohead": "Search Northern Sounds",
    "/basket/": "Listen to previews and buy music downloads at Northern Sounds",
    "/accounts/login/": "Listen to previews and buy music downloads at Northern Sounds",
}


def head_of(response) -> str:
    text = response.content.decode()
    return text[: text.index("</head>")]


@pytest.mark.parametrize(("path", "described_as"), PAGES.items())
def test_every_page_has_a_title_and_a_description_in_the_shop_s_name(
    client, sandbox_for_store, settings, path, described_as
):
    settings.SHOP_NAME = "Northern Sounds"
    response = client.get(path)

    assert response.status_code == 200
    head = head_of(response)
    title = html.unescape(re.search(r"<title>(.*?)</title>", head, re.S)[1])
    assert title.strip().endswith("Northern Sounds")
    (description,) = re.findall(r'<meta name="description" content="([^"]*)">', head)
    description = html.unescape(description)
    assert described_as in description
    assert 40 <= len(description) <= 200, "a snippet a search engine shows whole"
    assert "Music storefront" not in head


def test_every_page_names_the_site_s_icon(client, sandbox_for_store):
    head = head_of(client.get("/releases/1046/"))

    assert '<link rel="icon" href="/favicon.ico"' in head
    assert client.get("/favicon.ico").status_code == 200
