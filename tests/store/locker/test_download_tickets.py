"""Paid downloads are spent only by the customer's own Download button (issue 16).

A HEAD answers the download's headers and counts nothing; a GET of a download's address
(a link from another site, an ``<img src>``, an old bookmark) shows the button instead of
fetching the file; the button's CSRF-protected POST issues a short-lived ticket for this
customer alone, which starts one download and may continue it with ``Range``. Counts are
read from the sandbox, which counts a download when 7digital would (a GET from byte 0).
"""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client

from sandbox.models import Download, Purchase
from sandbox.models import Release as SandboxRelease
from store.locker import services
from tests.clocks import OffsetClock
from tests.store.conftest import NO_SURPRISES, buy, make_customer
from tests.store.locker.downloads import ticket_url

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def purchase(client, customer, sandbox, queue, django_capture_on_commit_callbacks):
    buy(client, queue, django_capture_on_commit_callbacks)
    return Purchase.objects.get()


@pytest.fixture
def track(purchase):
    return SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number").first()


@pytest.fixture
def track_url(track):
    return f"/locker/download/track/{NO_SURPRISES}/{track.id}/17/"


def _counted(purchase) -> int:
    """Downloads the sandbox (standing in for 7digital) counted against the purchase."""
    return Download.objects.filter(purchase=purchase).count()


def _media_requests(sandbox, method: str | None = None) -> list[dict]:
    return sandbox.entries(endpoint="media/user/*", method=method)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def clock(monkeypatch) -> OffsetClock:
    """The clock of ``django.core.signing``, which dates tickets."""
    clock = OffsetClock()
    monkeypatch.setattr(signing, "time", clock)
    return clock


# -- HEAD ------------------------------------------------------------------------------


def test_two_heads_answer_the_downloads_headers_and_count_nothing(
    client, sandbox, purchase, track, track_url
):
    url = ticket_url(client, track_url)

    heads = [client.head(url), client.head(url)]

    assert _counted(purchase) == 0
    assert [e["method"] for e in _media_requests(sandbox)] == ["HEAD", "HEAD"]
    for head in heads:
        assert head.status_code == 200
        assert head["Content-Type"] == "audio/mpeg"
        assert head["Accept-Ranges"] == "bytes"
        assert head["Content-Disposition"] == (
            f'attachment; filename="{track.artist.name} - {track.title}.mp3"'
        )
        assert not head.content
    whole = client.get(url)
    assert whole.status_code == 200
    assert len(_body(whole)) == int(heads[0]["Content-Length"])
    assert whole["Content-Disposition"] == heads[0]["Content-Disposition"]
    assert _counted(purchase) == 1


def test_a_head_of_a_download_not_bought_is_not_found_without_a_count(
    client, sandbox, purchase, track
):
    url = ticket_url(client, f"/locker/download/track/{NO_SURPRISES}/{track.id}/45/")

    response = client.head(url)

    assert response.status_code == 404
    assert _counted(purchase) == 0


# -- Range -----------------------------------------------------------------------------


def test_resuming_from_a_later_byte_continues_the_download_without_a_count(
    client, purchase, track_url
):
    url = ticket_url(client, track_url)
    whole = _body(client.get(url))

    rest = client.get(url, HTTP_RANGE="bytes=1000-")

    assert rest.status_code == 206
    assert _body(rest) == whole[1000:]
    assert _counted(purchase) == 1


def test_a_range_from_the_first_byte_is_a_new_download_and_counts(client, purchase, track_url):
    url = ticket_url(client, track_url)

    first = client.get(url, HTTP_RANGE="bytes=0-999")
    again = client.get(url, HTTP_RANGE="bytes=0-999")

    assert first.status_code == 206 and len(_body(first)) == 1000
    assert again.status_code == 410
    assert _counted(purchase) == 1


def test_a_range_no_file_could_have_is_ignored_and_the_whole_file_sent(client, purchase, track_url):
    url = ticket_url(client, track_url)

    response = client.get(url, HTTP_RANGE="bytes=0-" + "9" * 5000)

    assert response.status_code == 200
    assert len(_body(response)) == int(response["Content-Length"])
    assert _counted(purchase) == 1


# -- A GET of a download's address -------------------------------------------------------


@pytest.mark.parametrize("kind", ["track", "release", "purchase"])
def test_following_a_link_to_a_download_shows_a_button_and_fetches_nothing(
    client, sandbox, purchase, track, kind
):
    url = {
        "track": f"/locker/download/track/{NO_SURPRISES}/{track.id}/17/",
        "release": f"/locker/download/release/{NO_SURPRISES}/",
        "purchase": f"/locker/download/purchase/{purchase.id}/",
    }[kind]

    page = client.get(url, HTTP_SEC_FETCH_SITE="cross-site")
    head = client.head(url)

    assert page.status_code == 200 and head.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form and form[1] == url
    assert "csrfmiddlewaretoken" in form[2] and "<button" in form[2]
    assert _media_requests(sandbox) == []
    assert _counted(purchase) == 0


def test_an_image_on_another_site_cannot_spend_a_download(client, sandbox, purchase, track_url):
    client.get(track_url, HTTP_ACCEPT="image/avif,image/webp,*/*", HTTP_SEC_FETCH_DEST="image")

    assert _media_requests(sandbox) == []
    assert _counted(purchase) == 0


def test_the_download_button_needs_the_csrf_token(customer, sandbox, purchase, track_url):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    forged = strict.post(track_url)
    page = strict.get(track_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    genuine = strict.post(track_url, {"csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert genuine.status_code == 303
    assert genuine["Location"].startswith("/locker/fetch/")
    assert _media_requests(sandbox) == []


def test_a_boosted_button_navigates_to_the_file(client, purchase, track_url):
    response = client.post(track_url, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")

    assert response["HX-Redirect"].startswith("/locker/fetch/")
    assert client.get(response["HX-Redirect"]).status_code == 200


# -- The ticket --------------------------------------------------------------------------


def test_a_ticket_starts_one_download_and_then_offers_another(client, purchase, track_url):
    url = ticket_url(client, track_url)
    assert client.get(url).status_code == 200

    again = client.get(url)

    assert again.status_code == 410
    assert "This download link has been used" in again.text
    assert f'action="{track_url}"' in again.text
    assert _counted(purchase) == 1


def test_another_customers_ticket_fetches_nothing(client, sandbox, purchase, track_url):
    url = ticket_url(client, track_url)
    bob = Client()
    bob.force_login(make_customer("bob@example.com"))

    stolen = bob.get(url)
    stolen_head = bob.head(url)

    assert stolen.status_code == 404 and stolen_head.status_code == 404
    assert "No such download" in stolen.text
    assert _media_requests(sandbox) == []
    assert client.get(url).status_code == 200, "the owner's ticket is still unused"


def test_a_ticket_needs_its_customer_signed_in(client, sandbox, purchase, track_url):
    url = ticket_url(client, track_url)

    response = Client().get(url)

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _media_requests(sandbox) == []


def test_an_altered_ticket_fetches_nothing(client, sandbox, purchase, track_url):
    url = ticket_url(client, track_url)
    altered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]

    assert client.get(altered).status_code == 404
    assert client.get("/locker/fetch/" + "x" * 5000 + "/").status_code == 404
    assert _media_requests(sandbox) == []


def test_a_ticket_starts_a_download_only_for_a_few_minutes(
    client, sandbox, purchase, track_url, clock
):
    url = ticket_url(client, track_url)
    clock.advance(services.START_SECONDS + 1)

    late = client.get(url)

    assert late.status_code == 410
    assert "This download link has expired" in late.text
    assert f'action="{track_url}"' in late.text
    assert _media_requests(sandbox) == []


def test_a_started_download_can_resume_for_an_hour_but_not_after(
    client, purchase, track_url, clock
):
    url = ticket_url(client, track_url)
    whole = _body(client.get(url))

    clock.advance(services.RESUME_SECONDS - 60)
    resumed = client.get(url, HTTP_RANGE="bytes=1000-")
    clock.advance(120)
    too_late = client.get(url, HTTP_RANGE="bytes=2000-")

    assert resumed.status_code == 206 and _body(resumed) == whole[1000:]
    assert too_late.status_code == 410
    assert _counted(purchase) == 1


def test_a_download_7digital_could_not_serve_can_be_retried_with_the_same_ticket(
    client, sandbox, purchase, track_url
):
    url = ticket_url(client, track_url)
    sandbox.add_fault(kind="status", status=503, endpoint="media/user/downloadtrack")

    failed = client.get(url)
    sandbox.clear_faults()
    retried = client.get(url)

    assert failed.status_code == 503
    assert "Nothing was used up" in failed.text
    assert retried.status_code == 200
    assert _counted(purchase) == 1


# -- The locker page ----------------------------------------------------------------------


def test_the_locker_offers_download_buttons_that_post_not_links(client, purchase, track_url):
    page = client.get("/locker/").text

    assert 'href="/locker/download/' not in page
    form = re.search(r'<form id="locker-download" method="post"[^>]*>(.*?)</form>', page, re.S)
    assert form and "csrfmiddlewaretoken" in form[1]
    assert re.search(
        rf'<button type="submit" class="download" form="locker-download" '
        rf'formaction="{re.escape(track_url)}">MP3 320</button>',
        page,
    )
    assert 'formaction="/locker/download/release/1046/">Download the release (ZIP)' in page
    assert f'formaction="/locker/download/purchase/{purchase.id}/"' in page
