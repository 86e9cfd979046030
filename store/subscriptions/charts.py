"""The dashboard's two charts, drawn by the staff's shared bar chart (integrations/charts.py,
``templates/admin/_bar_chart.html``): new and ended subscriptions side by side, and the
sync backlog stacked. The same figures are in the table beside each chart.
"""

from __future__ import annotations

from integrations.charts import Chart, Series, bar_chart
from store.subscriptions.selectors import DayFigures

# Colours from the admin's palette that stay apart for the common colour blindnesses.
# Each series' key is the DayFigures attribute it draws.
MOVEMENT = (Series("new", "New", "#2b7bb9"), Series("ended", "Ended", "#d55e00"))
BACKLOG = (Series("waiting", "Waiting", "#e69f00"), Series("failed", "Failed", "#9f1f1f"))


def figure(day: DayFigures, series: Series) -> int:
    return getattr(day, series.key)


def movement_chart(days: list[DayFigures]) -> Chart:
    return bar_chart(
        days,
        MOVEMENT,
        value=figure,
        name="movement",
        title="New and ended subscriptions per day",
        y_title="Subscriptions",
        stacked=False,
    )


def backlog_chart(days: list[DayFigures]) -> Chart:
    return bar_chart(
        days,
        BACKLOG,
        value=figure,
        name="backlog",
        title="Changes not yet confirmed by 7digital, at each day's end",
        y_title="Changes",
        stacked=True,
    )
