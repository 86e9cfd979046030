"""The chart of plays per day, stacked by kind, drawn by the staff's shared bar chart
(integrations/charts.py, ``templates/admin/_bar_chart.html``). The same figures are in
the table under the chart.
"""

from __future__ import annotations

from integrations.charts import Chart, Series, bar_chart
from store.playlogs.outbox import KINDS
from store.playlogs.selectors import DayPlays

HEIGHT = 280
LEGEND_SPACING = 170  # the kinds' labels are longer than most


def kinds_series() -> tuple[Series, ...]:
    """One series per kind of play, in the order of ``KINDS``, in the kind's colour
    (store/playlogs/outbox/kinds.py)."""
    return tuple(Series(kind.name, kind.label, kind.colour) for kind in KINDS.values())


def recorded(day: DayPlays, series: Series) -> int:
    return day.of(series.key).recorded


def plays_chart(days: list[DayPlays]) -> Chart:
    """Bars of plays recorded per day (oldest on the left), stacked by kind."""
    total = sum(day.recorded for day in days)
    return bar_chart(
        days,
        kinds_series(),
        value=recorded,
        name="plays",
        title="Plays recorded per day by kind",
        description=(
            f"{total} play{'' if total == 1 else 's'} in all, in bars stacked by kind. "
            "The table under the chart has the same figures."
        ),
        y_title="Plays recorded",
        empty_text="No plays recorded in these days",
        stacked=True,
        height=HEIGHT,
        legend_spacing=LEGEND_SPACING,
    )
