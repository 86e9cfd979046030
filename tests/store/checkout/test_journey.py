"""The whole purchase: basket, test-card payment, the sale credited to 7digital (the
sandbox's journal), the locker page, and downloads with the right bytes and names."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from sandbox import audio
from sandbox.models import Release as SandboxRelease
from store.basket.models import Basket
from store.checkout.models import Order, OrderLine
from tests.store.conftest import NO_SURPRISES, add, pay
from tests.store.locker.downloads import download, ticket_url

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_buying_no_surprises_puts_it_in_the_locker_to_download(
    client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    added = add(client, release=NO_SURPRISES, htmx=True)
    assert added.status_code == 200
    assert "Added “No Surprises” (Standard)" in added.text
    assert re.search(r'id="basket-link"[^>]*hx-swap-oob="true"', added.text)
    assert "(1<span" in added.text

    checkout = client.get("/checkout/")
    assert checkout.status_code == 200
    assert "£2.49" in checkout.text

    paid = pay(client, django_capture_on_commit_callbacks)
    order = Order.objects.get(user=customer)
    assert paid.status_code == 302 and paid.url == f"/orders/{order.number}/"
    assert order.status == Order.Status.PAID
    assert order.total == Decimal("2.49") and order.currency == "GBP"
    assert Basket.objects.get(owner=customer).status == Basket.Status.SUBMITTED

    queue.deliver_all()
    queue.send_receipts()

    (sale,) = sandbox.entries(endpoint="user/deliveritem")
    params = dict(sale["params"])
    line = OrderLine.objects.get(order=order)
    assert params["transactionId"] == line.transaction_id
    assert params["retailPrice"] == "2.49"
    assert params["country"] == "GB"
    assert params["userId"] == customer.partner_user.partner_user_id
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == Order.Status.COMPLETE
    assert line.status == OrderLine.Status.DELIVERED and line.purchase_id
    assert client.get(f"/orders/{order.number}/").text.count("In your locker") == 1

    (receipt,) = mail.outbox
    assert receipt.to == [customer.email]
    assert order.number in receipt.subject
    assert "No Surprises" in receipt.body and "£2.49" in receipt.body

    page = client.get("/locker/")
    assert page.status_code == 200
    assert "No Surprises" in page.text
    release = SandboxRelease.objects.get(id=NO_SURPRISES)
    first = release.tracks.order_by("disc_number", "number").first()
    track_url = f"/locker/download/track/{NO_SURPRISES}/{first.id}/17/"
    assert track_url in page.text

    track = download(client, track_url)
    assert track.status_code == 200
    assert track["Content-Disposition"] == (
        f'attachment; filename="{first.artist.name} - {first.title}.mp3"'
    )
    assert _body(track) == audio.full_track(  # format 17, "MP3 320"
        first.id, first.duration, audio.FORMAT_ENCODINGS[17], settings.SANDBOX_AUDIO_CACHE
    )

    release_zip = download(client, f"/locker/download/release/{NO_SURPRISES}/")
    assert release_zip["Content-Type"] == "application/zip"
    assert release_zip["Content-Disposition"].endswith(
        f'"{release.artist.name} - No Surprises.zip"'
    )
    assert len(zipfile.ZipFile(io.BytesIO(_body(release_zip))).namelist()) == release.tracks.count()

    purchase_zip = download(client, f"/locker/download/purchase/{line.purchase_id}/")
    assert re.fullmatch(
        r'attachment; filename="7digital_Downloads_\d\d-\d\d-\d{4}\.zip"',
        purchase_zip["Content-Disposition"],
    )
    assert zipfile.ZipFile(io.BytesIO(_body(purchase_zip))).testzip() is None

    limit = release.licensor.download_limit
    (entry,) = sandbox_locker(customer)
    remaining = {t.track.id: t.remaining_downloads for t in entry.tracks}
    assert remaining[first.id] == limit - 3  # the track, then in each ZIP
    assert all(left == limit - 2 for tid, left in remaining.items() if tid != first.id)


def sandbox_locker(customer):
    from integrations.sevendigital import get_uncached_client

    return (
        get_uncached_client()
        .locker.get(customer.partner_user.partner_user_id, country="GB")
        .releases
    )


def test_a_download_can_be_resumed_through_the_proxy(
    client, customer, sandbox, queue, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)
    pay(client, django_capture_on_commit_callbacks)
    queue.deliver_all()
    first = SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number").first()
    url = ticket_url(client, f"/locker/download/track/{NO_SURPRISES}/{first.id}/17/")
    whole = _body(client.get(url))

    rest = client.get(url, HTTP_RANGE="bytes=1000-")

    assert rest.status_code == 206
    assert rest["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    assert _body(rest) == whole[1000:]


def test_adding_without_javascript_redirects_back_with_a_message(client, customer, sandbox):
    response = client.post(
        "/basket/add/", {"release": NO_SURPRISES, "package": 2, "next": "/releases/1046/"}
    )

    assert response.status_code == 302 and response.url == "/releases/1046/"
    page = client.get("/basket/")
    assert "No Surprises" in page.text and "£2.49" in page.text


def test_an_anonymous_basket_joins_the_account_on_sign_in(client, sandbox):
    from allauth.account.models import EmailAddress

    from tests.store.conftest import PASSWORD, make_customer

    user = make_customer("later@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    add(client, release=NO_SURPRISES)
    assert "No Surprises" in client.get("/basket/").text

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    basket = Basket.objects.get(owner=user, status=Basket.Status.OPEN)
    assert [line.release_id for line in basket.lines.all()] == [NO_SURPRISES]
    assert "No Surprises" in client.get("/basket/").text


def test_the_release_and_track_pages_have_working_basket_buttons(client, customer, sandbox):
    release_page = client.get(f"/releases/{NO_SURPRISES}/")
    assert 'id="basket-add-track"' in release_page.text
    assert 'form="basket-add-track" name="track"' in release_page.text
    assert "csrfmiddlewaretoken" in release_page.text
    track = SandboxRelease.objects.get(id=NO_SURPRISES).tracks.order_by("number").first()

    add(client, track=track.id)

    (line,) = Basket.objects.get(owner=customer).lines.all()
    assert (line.release_id, line.track_id) == (NO_SURPRISES, track.id)
