"""The subscriptions dashboard: the figures a member of staff reads, from subscriptions
and syncs spread over several days (the clock stopped at 2026-03-10 15:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.models import User
from store.subscriptions import charts, selectors
from store.subscriptions.models import Subscription, SubscriptionSync
from tests.conftest import pass_second_factor

from .conftest import make_plan, make_subscription

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DASHBOARD = "/admin/subscriptions/subscription/dashboard/"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def stopped_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def history(stopped_clock):
    """Six subscribers over a few days, and what was sent to 7digital for them.

    A: since January, active. Its v1 confirmed at once; v2 refused on the 9th, replaced
       by staff's "sync now" (v3) on the 10th, confirmed.
    B: new on the 8th, premium, cancelled at period end. v1 superseded by v2 on the 9th.
    C: new on the 8th, standard, ended on the 9th. v1 refused on the 9th, still standing.
    D: since February, premium, ended on the 9th. v1 written on the 7th, confirmed on the
       9th at 20:00 (an outage). Drift found on the 5th.
    E: new on the 10th, standard, in trial. v1 sent, answer not recorded.
    F: new on the 9th, premium, renewal unpaid. v1 waiting.
    """
    premium = make_plan(slug="premium-monthly")
    standard = make_plan(slug="standard-monthly", code="standard-unlimited-streaming")
    status = Subscription.Status

    def subscriber(name, plan, start, **fields):
        return make_subscription(plan=plan, start=start, partner_user_id=name, **fields)

    a = subscriber("A", premium, datetime(2026, 1, 1, tzinfo=UTC))
    b = subscriber("B", premium, at(8, 10), cancel_at_period_end=True)
    c = subscriber("C", standard, at(8, 12), status=status.ENDED, ended_at=at(9, 9))
    d = subscriber(
        "D", premium, datetime(2026, 2, 1, tzinfo=UTC), status=status.ENDED, ended_at=at(9, 18)
    )
    e = subscriber("E", standard, at(10, 8), status=status.TRIALING, trial_end=at(17, 8))
    f = subscriber("F", premium, at(9, 11), status=status.PAST_DUE)

    def sync(subscription, version, created, state, **fields):
        SubscriptionSync.objects.create(
            subscription=subscription, version=version, created_at=created, state=state, **fields
        )

    sync(a, 1, at(8, 9), "confirmed", confirmed_at=at(8, 9, 0, 5))
    sync(a, 2, at(9, 12), "failed", sent_at=at(9, 12, 0, 1))
    sync(a, 3, at(10, 7), "confirmed", confirmed_at=at(10, 7, 0, 30))
    sync(b, 1, at(8, 10), "superseded")
    sync(b, 2, at(9, 8), "confirmed", confirmed_at=at(9, 8, 1))
    sync(c, 1, at(9, 9), "failed", sent_at=at(9, 9, 0, 10))
    sync(d, 1, at(7, 12), "confirmed", confirmed_at=at(9, 20))
    sync(e, 1, at(10, 8), "outcome_unknown", sent_at=at(10, 8))
    sync(f, 1, at(10, 9), "pending")
    d.events.create(kind="drift", at=at(5, 3), message="Reconciliation: 7digital said none.")


class Page(HTMLParser):
    """The dashboard's tables: {table id: {row key: {cell key: text}}}."""

    KEYS = ("data-figure", "data-status", "data-state")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, dict[str, str]]] = {}
        self.table = self.row = self.cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.table = self.tables.setdefault(attrs["id"], {})
        elif tag == "tr" and self.table is not None:
            key = attrs.get("data-day") or attrs.get("data-plan") or "row"
            self.row = self.table.setdefault(key, {})
        elif tag == "td" and self.row is not None:
            self.cell = next((attrs[k] for k in self.KEYS if k in attrs), None)
            if self.cell:
                self.row[self.cell] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        elif tag == "table":
            self.table = self.row = None

    def handle_data(self, data):
        if self.cell:
            self.row[self.cell] += data.strip()


def read(staff) -> dict:
    response = staff.get(DASHBOARD)
    assert response.status_code == 200
    return Page(response.text).tables


def test_subscribers_by_plan_and_state(staff, history):
    table = read(staff)["subscribers-table"]

    assert table["premium-monthly"] == {
        "trialing": "0",
        "active": "2",
        "past_due": "1",
        "ended": "1",
        "live": "3",
        "not_renewing": "1",
    }
    assert table["standard-monthly"] == {
        "trialing": "1",
        "active": "0",
        "past_due": "0",
        "ended": "1",
        "live": "1",
        "not_renewing": "0",
    }
    assert table["all"]["live"] == "4" and table["all"]["ended"] == "2"


def test_new_ended_and_churn_per_day(staff, history):
    table = read(staff)["churn-table"]

    assert table["2026-03-08"] == {"live": "2", "new": "2", "ended": "0", "churn": "0.0%"}
    assert table["2026-03-09"] == {"live": "4", "new": "1", "ended": "2", "churn": "50.0%"}
    assert table["2026-03-10"] == {"live": "3", "new": "1", "ended": "0", "churn": "0.0%"}
    assert len([day for day in table if day.startswith("2026-")]) == 30
    assert table["2026-02-09"] == {"live": "2", "new": "0", "ended": "0", "churn": "0.0%"}
    assert table["row"] == {"new": "4", "ended": "2"}  # the 30 days' totals


def test_the_sync_backlog_at_each_days_end(staff, history):
    table = read(staff)["backlog-table"]

    def figures(day):
        return {k: int(v) for k, v in table[day].items()}

    assert figures("2026-03-06") == {"waiting": 0, "failed": 0, "backlog": 0}
    assert figures("2026-03-07") == {"waiting": 1, "failed": 0, "backlog": 1}  # D
    assert figures("2026-03-08") == {"waiting": 2, "failed": 0, "backlog": 2}  # D, B's v1
    assert figures("2026-03-09") == {"waiting": 0, "failed": 2, "backlog": 2}  # A v2, C
    assert figures("2026-03-10") == {"waiting": 2, "failed": 1, "backlog": 3}  # E, F; C


def test_the_sync_backlog_now(staff, history):
    row = read(staff)["sync-table"]["row"]

    assert row == {
        "pending": "1",
        "sending": "0",
        "outcome_unknown": "1",
        "failed": "1",  # A's refusal was replaced by a later change
        "drift": "1",
    }
    assert "2026-03-10 08:00:00 UTC" in staff.get(DASHBOARD).text  # the oldest waiting


def test_the_charts_draw_the_tables_figures(staff, history):
    html = staff.get(DASHBOARD).text

    assert html.count("subscriptions-chart") == 2
    assert 'data-series="ended" data-day="2026-03-09" data-value="2"' in html
    assert 'data-series="failed" data-day="2026-03-09" data-value="2"' in html
    assert 'data-series="waiting" data-day="2026-03-10" data-value="2"' in html


def test_stacked_bars_sit_on_each_other(stopped_clock):
    days = [
        selectors.DayFigures(day=NOW.date(), live_at_start=0, new=0, ended=0, waiting=3, failed=1)
    ]

    chart = charts.backlog_chart(days)

    waiting, failed = chart.bars
    assert failed.y + failed.height == pytest.approx(waiting.y)
    assert chart.y_ticks[-1].value >= 4 and chart.total == 4


def test_an_empty_dashboard_reads_zeros(staff, stopped_clock):
    tables = read(staff)

    assert tables["churn-table"]["2026-03-10"]["churn"] == "—"
    assert tables["backlog-table"]["2026-03-10"]["backlog"] == "0"


def test_the_dashboard_is_for_staff_who_may_view_subscriptions(client, stopped_clock):
    clerk = User.objects.create_user(email="clerk@example.com", password="x" * 12, is_staff=True)
    browser = Client()
    pass_second_factor(browser, clerk)

    assert browser.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD).status_code == 302  # to the admin's sign in


def test_the_dashboard_is_linked_from_the_index_and_the_list(staff):
    assert DASHBOARD in staff.get("/admin/").text
    assert DASHBOARD in staff.get("/admin/subscriptions/subscription/").text


def test_the_staff_group_may_read_the_dashboard():
    staff_group = Group.objects.get(name="Staff")

    assert staff_group.permissions.filter(codename="view_subscription").exists()
