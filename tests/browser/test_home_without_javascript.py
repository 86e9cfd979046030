"""The home page's music without JavaScript, as a crawler sees it (issue 16).

Its sections load after the page (``hx-trigger="load"``) only while their data is not
kept: once any visit has read them, the page comes with its charts and new releases.
Before that, each section offers a plain link to itself.
"""

from __future__ import annotations

import pytest

from .conftest import screenshot, settle

playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
expect = playwright.expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

CHART_SIZE = 10


def test_after_a_visit_the_home_page_without_javascript_shows_charts_and_new_releases(
    desktop, desktop_without_javascript
):
    desktop.goto("/")
    settle(desktop)  # a visitor with JavaScript: the sections load, and are kept

    page = desktop_without_javascript
    page.goto("/")

    charts = page.locator("#charts")
    expect(charts).not_to_have_attribute("hx-trigger", "load")
    expect(charts.locator(".chart-releases .chart-title a")).to_have_count(CHART_SIZE)
    expect(charts.locator(".chart-tracks .chart-title a")).to_have_count(CHART_SIZE)
    expect(charts.locator(".chart-artists .chart-title a")).to_have_count(CHART_SIZE)
    first = charts.locator(".chart-releases .chart-title a").first
    expect(first).to_be_visible()
    expect(page.locator(".featured-tag .release-card").first).to_be_visible()
    expect(page.locator('[hx-trigger="load"]')).to_have_count(0)
    screenshot(page, "home-without-javascript")

    title = first.text_content()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def test_a_cold_home_page_without_javascript_links_to_its_charts(desktop_without_javascript):
    page = desktop_without_javascript
    page.goto("/")

    expect(page.locator("#charts .chart-title a")).to_have_count(0)
    expect(page.locator("#charts .section-skeleton")).to_be_hidden()  # no empty room
    page.get_by_role("link", name="Show this week\N{RIGHT SINGLE QUOTATION MARK}s release").click()

    expect(page.locator("#charts .chart-releases .chart-title a")).to_have_count(CHART_SIZE)
