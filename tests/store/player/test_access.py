"""Play buttons' badges: a signed-in customer learns, for the tracks a page lists, which
they own, which their subscription streams and which are previews only; the pages
themselves stay the same for everyone (store/player/access.py, static/js/access.js)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.models import Release as SandboxRelease
from store.checkout.models import OrderLine
from tests.store.conftest import NO_SURPRISES, buy, make_customer

from .streaming import subscribe

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("fresh_catalogue"),
]

TRACK = 9525  # "No Surprises", on release 1046
OTHER = 11  # a track of another release
URL = "/player/access"


def _badges(client, *items: str) -> dict[str, str]:
    response = client.get(URL, {"t": list(items)})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["tracks"]


def _buttons(html: str) -> dict[str, dict[str, str]]:
    """Each play button's data attributes, by track id."""
    found = {}
    for tag in re.findall(r"<button[^>]*data-preview-track=[^>]*>", html):
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        found[attributes["preview-track"]] = attributes
    return found


def test_an_owner_of_the_release_sees_its_tracks_owned_and_others_as_previews(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)

    badges = _badges(client, f"{TRACK}:{NO_SURPRISES}:open", f"{OTHER}:1:open")

    assert badges == {str(TRACK): "owned", str(OTHER): "preview"}


def test_a_refunded_purchase_is_no_longer_owned(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)
    OrderLine.objects.filter(order__user=listener).update(status=OrderLine.Status.REFUNDED)

    assert _badges(client, f"{TRACK}:{NO_SURPRISES}:open") == {str(TRACK): "preview"}


def test_a_subscriber_streams_what_subscribers_may_stream_now_and_nothing_else(client, listener):
    subscribe(listener)

    badges = _badges(client, "1:10:open", "2:10:later", "3:10:none")

    assert badges == {"1": "stream", "2": "preview", "3": "preview"}


def test_a_subscription_that_ended_streams_nothing(client, listener):
    subscribe(listener, ended=True)

    assert _badges(client, "1:10:open") == {"1": "preview"}


def test_a_customer_with_neither_hears_previews(client, listener):
    assert _badges(client, "1:10:open", "2::none") == {"1": "preview", "2": "preview"}


def test_a_visitor_is_not_told_anything(client, sandbox):
    response = client.get(URL, {"t": "1:10:open"})

    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "item", ["1:10", "x:10:open", "1:10:sometimes", "0:10:open", "1:-4:open", "1:10:open:more"]
)
def test_a_malformed_button_is_a_clear_error(client, listener, item):
    response = client.get(URL, {"t": ["2:10:open", item]})

    assert response.status_code == 400
    assert (
        "TRACK:RELEASE:STREAMING" in response.json()["error"]
        or "positive" in (response.json()["error"])
    )


def test_more_buttons_than_a_request_may_ask_about_are_refused(client, listener):
    response = client.get(URL, {"t": [f"{n}:1:open" for n in range(1, 202)]})

    assert response.status_code == 400
    assert "200" in response.json()["error"]


def test_the_answer_costs_the_same_queries_for_one_button_or_two_hundred(client, listener):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subscribe(listener)
    with CaptureQueriesContext(connection) as one:
        _badges(client, "1:1:open")
    with CaptureQueriesContext(connection) as many:
        _badges(client, *[f"{n}:{n}:open" for n in range(1, 201)])

    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_release_page_is_the_same_for_an_owner_and_a_visitor_and_describes_its_buttons(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)
    visitor = Client()

    mine = _buttons(client.get(f"/releases/{NO_SURPRISES}/").content.decode())
    theirs = _buttons(visitor.get(f"/releases/{NO_SURPRISES}/").content.decode())

    assert mine == theirs
    assert mine[str(TRACK)]["release"] == str(NO_SURPRISES)
    assert mine[str(TRACK)]["streaming"] == "open"
    assert "access" not in mine[str(TRACK)]


def test_a_release_whose_streaming_opens_later_says_so_on_its_buttons(client, sandbox):
    SandboxRelease.objects.filter(pk=NO_SURPRISES).update(
        streaming_date=timezone.now() + timedelta(days=30)
    )

    buttons = _buttons(client.get(f"/releases/{NO_SURPRISES}/").content.decode())

    assert buttons[str(TRACK)]["streaming"] == "later"


def test_a_track_page_describes_its_button(client, sandbox):
    buttons = _buttons(client.get(f"/tracks/{TRACK}/").content.decode())

    assert buttons[str(TRACK)]["release"] == str(NO_SURPRISES)
    assert buttons[str(TRACK)]["streaming"] == "open"


def test_only_a_signed_in_page_tells_the_script_where_to_ask(client, listener):
    visitor = Client()

    assert 'data-access-url="/player/access"' in client.get("/").content.decode()
    assert "data-access-url" not in visitor.get("/").content.decode()


def test_the_locker_marks_its_tracks_owned(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)

    buttons = _buttons(client.get("/locker/").content.decode())

    assert buttons and {b.get("access") for b in buttons.values()} == {"owned"}


def test_a_customer_never_learns_another_customers_purchases(
    client, listener, sandbox, queue, django_capture_on_commit_callbacks
):
    buy(client, queue, django_capture_on_commit_callbacks, release=NO_SURPRISES)
    other = Client()
    other.force_login(make_customer("other@example.com"))

    assert _badges(other, f"{TRACK}:{NO_SURPRISES}:open") == {str(TRACK): "preview"}
