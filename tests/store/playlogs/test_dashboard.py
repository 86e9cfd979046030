"""The staff dashboard of play logs: figures, chart, failures and the retry button."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from store.playlogs import tasks
from store.playlogs.models import (
    CataloguePlay,
    PreviewPlay,
    PreviewRefusalTally,
    PreviewResponseTally,
    StreamResponseTally,
)
from tests.conftest import pass_second_factor

from .factories import CataloguePlayFactory, PreviewPlayFactory, SubscriptionPlayFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:playlogs_dashboard")
RETRY = reverse("admin:playlogs_retry")

# The dashboard counts plays per UTC day, back from the day it reads off the clock. The
# tests that look for today's figures stop the clock at this moment, half a minute
# before midnight, so the day cannot turn between recording the plays and drawing the
# page; their plays carry times of their own (the factories read the real clock).
NOW = datetime(2026, 3, 14, 23, 59, 30, tzinfo=UTC)


def signed_in_staff(email: str, *, group: str | None = "Staff") -> Client:
    """A member of staff (of ``group``) signed in to the admin with both factors."""
    user = User.objects.create_user(email=email, password="x" * 12, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    browser = Client()
    pass_second_factor(browser, user)
    browser.user = user
    return browser


@pytest.fixture
def staff():
    return signed_in_staff("staff@example.com")


@pytest.fixture
def stopped_clock():
    """``timezone.now()`` answers ``NOW`` wherever the store reads it."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


@pytest.fixture
def shipped():
    """The shipping tasks the retry queued (by kind), instead of queueing them."""
    with mock.patch.object(tasks, "ship_soon") as ship_soon:
        yield ship_soon


class Page(HTMLParser):
    """The text of every element that carries data-* attributes, with its ancestors'."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[dict] = []
        self.found: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": "", "within": {}}
        for outer in self.stack:
            element["within"].update({k: v for k, v in outer.items() if k.startswith("data-")})
            element["within"].setdefault("tables", []).append(outer.get("id"))
        if any(name.startswith("data-") for name, _ in attrs):
            self.found.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def cells(self, table: str, tag: str = "td") -> list[dict]:
        return [e for e in self.found if e["tag"] == tag and table in e["within"]["tables"]]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# -- who sees it ---------------------------------------------------------------------


def test_staff_see_the_dashboard_with_the_figures(staff, stopped_clock):
    PreviewPlayFactory.create_batch(2, started_at=NOW)
    CataloguePlayFactory(played_at=NOW, delivered_at=NOW)

    response = staff.get(DASHBOARD)

    assert response.status_code == 200
    assert "admin/playlogs/dashboard.html" in [t.name for t in response.templates]
    assert response.context["backlog"][0].unsent == 2
    today = response.context["plays"][0]
    assert today.day == NOW.date()
    assert (today.of("preview").recorded, today.of("catalogue").delivered) == (2, 1)
    html = response.content.decode()
    assert "Play logs dashboard" in html
    assert 'class="breadcrumbs"' in html


def test_a_customer_is_sent_to_the_admin_sign_in(client):
    client.force_login(User.objects.create_user(email="listener@example.com"))

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={DASHBOARD}"


def test_staff_without_the_permission_to_view_plays_are_refused():
    browser = signed_in_staff("intern@example.com", group=None)

    assert browser.get(DASHBOARD).status_code == 403


def test_the_preview_plays_list_links_to_the_dashboard(staff):
    response = staff.get(reverse("admin:playlogs_previewplay_changelist"))

    assert f'href="{DASHBOARD}"'.encode() in response.content


def test_the_staff_group_may_view_every_kind_of_play_and_retry_them():
    codenames = set(Group.objects.get(name="Staff").permissions.values_list("codename", flat=True))

    assert {
        "view_previewplay",
        "view_catalogueplay",
        "view_subscriptionplay",
        "view_previewresponsetally",
        "retry_playlog",
    } <= codenames
    retry = Permission.objects.get(codename="retry_playlog")
    assert (retry.content_type.app_label, retry.content_type.model) == ("playlogs", "previewplay")


# -- the chart and the tables --------------------------------------------------------


def test_the_chart_and_the_table_under_it_carry_the_same_numbers(staff, stopped_clock):
    PreviewPlayFactory.create_batch(3, started_at=NOW)
    PreviewPlayFactory(started_at=NOW - timedelta(days=2))
    CataloguePlayFactory.create_batch(2, played_at=NOW - timedelta(days=2))
    SubscriptionPlayFactory(played_at=NOW - timedelta(days=29))

    page = Page(staff.get(DASHBOARD).content.decode())

    bars = {
        (e["data-day"], e["data-kind"]): int(e["data-value"])
        for e in page.found
        if e["tag"] == "rect"
    }
    table = {
        (cell["within"]["data-day"], cell["data-kind"]): int(cell["text"])
        for cell in page.cells("plays-table")
    }
    assert len(bars) == 4
    assert bars == {key: value for key, value in table.items() if value}
    assert bars[(NOW.date().isoformat(), "preview")] == 3


def test_the_chart_is_svg_drawn_on_the_server_with_titles_axes_and_a_legend(staff, stopped_clock):
    PreviewPlayFactory(track_id=1, started_at=NOW)

    html = staff.get(DASHBOARD).content.decode()

    start = html.index('<figure class="playlogs-chart">')
    svg = html[start : html.index("</figure>", start)]
    assert 'role="img"' in svg
    assert 'aria-labelledby="plays-chart-title plays-chart-desc"' in svg
    assert "<script" not in svg
    assert "<title>Preview plays, Sat 14 Mar 2026: 1</title>" in svg
    assert "Plays recorded</text>" in svg
    assert "Day (UTC)</text>" in svg
    for label in ("Preview plays", "Catalogue plays", "Subscription plays"):
        assert f">{label}</text>" in svg


def test_days_without_plays_show_zeros(staff):
    html = staff.get(DASHBOARD).content.decode()
    page = Page(html)

    plays = page.cells("plays-table")
    reconciliation = page.cells("reconciliation-table")
    assert len({cell["within"]["data-day"] for cell in plays}) == 30
    assert len({cell["within"]["data-day"] for cell in reconciliation}) == 30
    assert {cell["text"].strip() for cell in plays + reconciliation} == {"0"}
    assert "No plays recorded in these days" in html


def test_the_reconciliation_shows_responses_against_preview_plays_and_the_difference(
    staff, stopped_clock
):
    today = NOW.date()
    PreviewResponseTally.objects.create(day=today, country="GB", responses=4)
    PreviewResponseTally.objects.create(day=today, country="DE", responses=1)
    PreviewPlayFactory.create_batch(2, started_at=NOW, delivered_at=NOW)
    PreviewPlayFactory(started_at=NOW, rejected=True, rejected_reason="1001")

    page = Page(staff.get(DASHBOARD).content.decode())

    row = {
        (cell.get("data-kind"), cell["data-figure"]): cell["text"].strip()
        for cell in page.cells("reconciliation-table")
        if cell["within"]["data-day"] == today.isoformat()
    }
    assert row[(None, "responses")] == "5"
    assert row[(None, "preview-recorded")] == "3"
    assert row[(None, "difference")] == "+2"
    assert row[("preview", "recorded")] == "3"
    assert row[("preview", "delivered")] == "2"
    assert row[("preview", "rejected")] == "1"
    assert row[("preview", "unsent")] == "0"


def test_the_reconciliation_shows_stream_responses_against_subscription_and_radio_plays(
    staff, stopped_clock
):
    today = NOW.date()
    StreamResponseTally.objects.create(day=today, source="subscription", responses=3)
    StreamResponseTally.objects.create(day=today, source="catalogue", responses=1)
    StreamResponseTally.objects.create(day=today, source="locker", responses=5)
    SubscriptionPlayFactory(played_at=NOW)
    CataloguePlayFactory(played_at=NOW)

    page = Page(staff.get(DASHBOARD).content.decode())

    row = {
        (cell["data-source"], cell["data-figure"]): cell["text"].strip()
        for cell in page.cells("streams-table")
        if cell["within"]["data-day"] == today.isoformat()
    }
    assert row == {
        ("subscription", "responses"): "3",
        ("subscription", "recorded"): "1",
        ("subscription", "difference"): "+2",
        ("catalogue", "responses"): "1",
        ("catalogue", "recorded"): "1",
        ("catalogue", "difference"): "0",
        ("locker", "responses"): "5",
    }


def test_the_reconciliation_shows_the_plays_refused_per_day_and_per_reason(staff, stopped_clock):
    today = NOW.date()
    PreviewRefusalTally.objects.create(day=today, reason="no-clip", refusals=50)
    PreviewRefusalTally.objects.create(day=today, reason="address-limit", refusals=7)
    PreviewRefusalTally.objects.create(
        day=today - timedelta(days=3), reason="listener-limit", refusals=2
    )

    html = staff.get(DASHBOARD).content.decode()

    refused = {
        cell["within"]["data-day"]: cell["text"].strip()
        for cell in Page(html).cells("reconciliation-table")
        if cell["data-figure"] == "refused"
    }
    assert refused[today.isoformat()] == "57"
    assert refused[(today - timedelta(days=3)).isoformat()] == "2"
    assert refused[(today - timedelta(days=1)).isoformat()] == "0"
    per_reason = {e["data-reason"]: e["text"] for e in Page(html).found if "data-reason" in e}
    assert per_reason == {"no-clip": "50", "listener-limit": "2", "address-limit": "7"}
    assert "no clip of the track received" in html


def test_the_backlog_shows_the_age_of_the_oldest_unsent_play(staff):
    PreviewPlayFactory(started_at=timezone.now() - timedelta(minutes=3, seconds=5))

    response = staff.get(DASHBOARD)

    row = re.search(
        r'<tr class="([^"]*)" data-kind="preview">(.*?)</tr>', response.content.decode(), re.S
    )
    assert "3\xa0minutes ago" in row.group(2)
    assert "late" not in row.group(1) + row.group(2)


def test_the_backlog_warns_when_the_oldest_unsent_play_is_over_fifteen_minutes_old(staff):
    CataloguePlayFactory(played_at=timezone.now() - timedelta(minutes=20))

    html = staff.get(DASHBOARD).content.decode()

    row = re.search(r'<tr class="([^"]*)" data-kind="catalogue">(.*?)</tr>', html, re.S)
    assert row.group(1) == "playlogs-late"
    assert "20\xa0minutes ago" in row.group(2)
    assert "late, older than 15 minutes" in row.group(2)


# -- failures and the retry ----------------------------------------------------------


def test_a_rejected_play_is_listed_with_its_reason_and_a_retry_button(staff):
    play = PreviewPlayFactory(
        track_id=987, rejected=True, rejected_reason="1001: Invalid track id", attempts=1
    )

    html = staff.get(DASHBOARD).content.decode()

    row = re.search(rf'<tr data-kind="preview" data-id="{play.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "987" in row
    assert "rejected" in row
    assert "1001: Invalid track id" in row
    assert f'name="id" value="{play.pk}"' in row
    assert "Retry all failures of preview plays (1)" in html


def test_staff_who_may_not_retry_see_failures_without_buttons(staff):
    PreviewPlayFactory(rejected=True, rejected_reason="1001")
    staff.user.groups.clear()
    viewer = Group.objects.create(name="Viewers")
    viewer.permissions.add(Permission.objects.get(codename="view_previewplay"))
    staff.user.groups.add(viewer)

    html = staff.get(DASHBOARD).content.decode()

    assert "1001" in html
    assert RETRY not in html


def test_retrying_a_rejected_play_sends_it_again_and_keeps_its_reason(
    staff, shipped, django_capture_on_commit_callbacks
):
    play = PreviewPlayFactory(rejected=True, rejected_reason="1001: Invalid track id")
    other = PreviewPlayFactory(rejected=True, rejected_reason="1001: other")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(RETRY, {"kind": "preview", "id": str(play.pk)})

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}#failures"
    play.refresh_from_db()
    assert (play.rejected, play.rejected_at, play.last_error) == (
        False,
        None,
        "1001: Invalid track id",
    )
    other.refresh_from_db()
    assert other.rejected
    assert messages_of(response) == ["1 preview play will be sent again."]
    shipped.assert_called_once()
    assert shipped.call_args.args == ("preview",)


def test_retry_all_sends_every_failure_of_one_kind_again(
    staff, shipped, django_capture_on_commit_callbacks
):
    CataloguePlayFactory(rejected=True, rejected_reason="1001")
    CataloguePlayFactory(last_error="503", next_attempt_at=timezone.now() + timedelta(minutes=5))
    PreviewPlayFactory(rejected=True, rejected_reason="1001")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(RETRY, {"kind": "catalogue", "all": "1"})

    assert messages_of(response) == ["2 catalogue plays will be sent again."]
    assert shipped.call_args.args == ("catalogue",)
    assert not CataloguePlay.objects.filter(rejected=True).exists()
    assert not CataloguePlay.objects.filter(next_attempt_at__isnull=False).exists()
    assert PreviewPlay.objects.filter(rejected=True).count() == 1


def test_retrying_what_needs_no_retry_says_so_and_queues_nothing(
    staff, shipped, django_capture_on_commit_callbacks
):
    play = SubscriptionPlayFactory(delivered_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(RETRY, {"kind": "subscription", "id": str(play.pk)})

    assert messages_of(response) == [
        "Nothing to retry: those plays are delivered or already waiting to be sent."
    ]
    shipped.assert_not_called()


def test_retrying_needs_the_retry_permission(shipped):
    play = PreviewPlayFactory(rejected=True, rejected_reason="1001")
    viewer = Group.objects.create(name="Viewers")
    viewer.permissions.add(Permission.objects.get(codename="view_previewplay"))
    browser = signed_in_staff("viewer@example.com", group="Viewers")

    response = browser.post(RETRY, {"kind": "preview", "id": str(play.pk)})

    assert response.status_code == 403
    play.refresh_from_db()
    assert play.rejected
    shipped.assert_not_called()


def test_retrying_needs_the_csrf_token(shipped, django_capture_on_commit_callbacks):
    play = PreviewPlayFactory(rejected=True, rejected_reason="1001")
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed_in_staff("careful@example.com").cookies  # the same session

    refused = browser.post(RETRY, {"kind": "preview", "id": str(play.pk)})

    assert refused.status_code == 403
    play.refresh_from_db()
    assert play.rejected

    html = browser.get(DASHBOARD).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = browser.post(
            RETRY, {"kind": "preview", "id": str(play.pk), "csrfmiddlewaretoken": token}
        )

    assert accepted.status_code == 302
    play.refresh_from_db()
    assert not play.rejected


def test_retry_only_answers_posts(staff):
    assert staff.get(RETRY).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "radio", "all": "1"}, "No such kind of play: nothing was retried."),
        ({"id": "1"}, "No such kind of play: nothing was retried."),
        ({"kind": "preview"}, "Choose the plays to retry. Nothing was retried."),
        ({"kind": "preview", "id": "not-a-uuid"}, "'not-a-uuid' is not a play id."),
        ({"kind": "catalogue", "id": "abc"}, "'abc' is not a play id."),
        ({"kind": "catalogue", "id": "-1"}, "'-1' is not a play id."),
        ({"kind": "subscription", "id": "9" * 30}, "is not a play id."),
        ({"kind": "subscription", "id": ["1"] * 501}, "Retry at most 500 plays at once."),
    ],
)
def test_bad_retries_are_answered_with_a_message_not_an_error(staff, shipped, data, message):
    failing = CataloguePlayFactory(last_error="503")

    response = staff.post(RETRY, data)

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}#failures"
    [said] = messages_of(response)
    assert message in said
    shipped.assert_not_called()
    failing.refresh_from_db()
    assert failing.last_error == "503"


def test_the_failures_table_can_show_one_kind(staff):
    PreviewPlayFactory(rejected=True, rejected_reason="preview reason")
    CataloguePlayFactory(last_error="catalogue reason")

    response = staff.get(DASHBOARD, {"kind": "catalogue"})

    assert [f.kind for f in response.context["failures"]] == ["catalogue"]
    assert staff.get(DASHBOARD, {"kind": "nonsense"}).status_code == 200
