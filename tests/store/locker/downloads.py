"""What the locker's Download buttons do, for tests: POST the download's address (the
CSRF token is not checked by the test client unless asked), follow the 303 to the
ticket it issued, and fetch the file there."""

from __future__ import annotations


def ticket_url(client, download_url: str) -> str:
    issued = client.post(download_url)
    assert issued.status_code == 303, issued
    assert issued["Location"].startswith("/locker/fetch/")
    return issued["Location"]


def download(client, download_url: str, **headers):
    return client.get(ticket_url(client, download_url), **headers)
