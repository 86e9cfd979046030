"""What browsers and crawlers ask for at the site's root (issue 16): served, not 404."""

from __future__ import annotations


def test_the_site_icon_is_served_where_browsers_ask_for_it(client):
    # Browsers ask for /favicon.ico on every page; it was a 404 in every console.
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_crawlers_are_kept_out_of_visitors_own_pages_but_not_the_catalogue(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    rules = b"".join(response.streaming_content).decode()
    for private in ("/basket/", "/checkout/", "/locker/", "/accounts/", "/admin/"):
        assert f"Disallow: {private}\n" in rules
    assert "Disallow: /\n" not in rules
