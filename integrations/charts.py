"""Bar charts per day for the staff's dashboards, laid out on the server for an inline SVG.

No JavaScript and no chart library: :func:`bar_chart` computes the geometry of bars per
day (one per series side by side, or stacked), the axis ticks, the day labels and the
legend; ``templates/admin/_bar_chart.html`` draws it. Each dashboard says what its series
are and how a day's value of one is read, and shows the same figures in a table beside
the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

WIDTH = 720
HEIGHT = 260
PLOT_LEFT = 56
PLOT_RIGHT = WIDTH - 12
PLOT_TOP = 36  # room for the legend above the plot
BOTTOM_MARGIN = 48  # room below the plot for the day labels and the axis title
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between days
MAX_DAY_LABELS = 8
LEGEND_SPACING = 140  # from one legend item to the next
EMPTY_TEXT = "Nothing in these days"


class Day(Protocol):
    """What a chart needs of a day's figures: the day (a series' value is read by the
    ``value`` function given to :func:`bar_chart`)."""

    @property
    def day(self) -> date: ...


D = TypeVar("D", bound=Day)


@dataclass(frozen=True)
class Series:
    key: str  # in the bars' data attribute, and what the value function may read
    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class DayLabel:
    day: date
    x: float


@dataclass(frozen=True)
class LegendItem:
    key: str
    label: str
    colour: str
    x: float


@dataclass(frozen=True)
class Chart:
    name: str  # for the SVG's ids
    title: str
    description: str
    y_title: str
    empty_text: str  # shown over the plot when every value is zero
    bars: list[Bar]
    y_ticks: list[Tick]
    day_labels: list[DayLabel]
    legend: list[LegendItem]
    first_day: date | None
    last_day: date | None
    total: int
    height: int
    plot_bottom: int
    width: int = WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    plot_top: int = PLOT_TOP

    @property
    def plot_middle_x(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def plot_middle_y(self) -> float:
        return (self.plot_top + self.plot_bottom) / 2


def tick_step(highest: int, *, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    raw = highest / ticks
    if raw <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def bar_chart(
    days: Sequence[D],
    series: Sequence[Series],
    *,
    value: Callable[[D, Series], int],
    name: str,
    title: str,
    y_title: str,
    stacked: bool,
    description: str | None = None,
    empty_text: str = EMPTY_TEXT,
    height: int = HEIGHT,
    legend_spacing: int = LEGEND_SPACING,
) -> Chart:
    """Bars per day (oldest on the left): one per series side by side, or stacked.

    ``value(day, series)`` is the series' figure for the day. Without a ``description``
    the chart describes itself from its series' labels."""
    chronological = sorted(days, key=lambda day: day.day)
    plot_bottom = height - BOTTOM_MARGIN
    heights = [
        sum(value(day, one) for one in series)
        if stacked
        else max((value(day, one) for one in series), default=0)
        for day in chronological
    ]
    highest = max(heights, default=0)
    step = tick_step(highest)
    top = max(step * math.ceil(highest / step), step)
    scale = (plot_bottom - PLOT_TOP) / top
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(chronological), 1)
    group = slot * BAR_SHARE
    width = round(group if stacked else group / max(len(series), 1), 2)

    bars: list[Bar] = []
    for index, day in enumerate(chronological):
        left = PLOT_LEFT + index * slot + (slot - group) / 2
        below = 0
        for position, one in enumerate(series):
            amount = value(day, one)
            if not amount:
                continue
            bottom = below if stacked else 0
            x = left if stacked else left + position * width
            bars.append(
                Bar(
                    key=one.key,
                    label=one.label,
                    day=day.day,
                    value=amount,
                    x=round(x, 2),
                    y=round(plot_bottom - (bottom + amount) * scale, 2),
                    width=width,
                    height=round(amount * scale, 2),
                    colour=one.colour,
                )
            )
            below += amount

    # Label every few days, counting back from the newest so that it has a label.
    every = math.ceil(len(chronological) / MAX_DAY_LABELS) or 1
    last = len(chronological) - 1
    if description is None:
        kinds = " and ".join(one.label.lower() for one in series)
        description = (
            f"{kinds.capitalize()} per day, in bars {'stacked' if stacked else 'side by side'}. "
            "The table beside the chart has the same figures."
        )
    return Chart(
        name=name,
        title=title,
        description=description,
        y_title=y_title,
        empty_text=empty_text,
        bars=bars,
        y_ticks=[
            Tick(value=tick, y=round(plot_bottom - tick * scale, 2))
            for tick in range(0, top + 1, step)
        ],
        day_labels=[
            DayLabel(day=day.day, x=round(PLOT_LEFT + (index + 0.5) * slot, 2))
            for index, day in enumerate(chronological)
            if (last - index) % every == 0
        ],
        legend=[
            LegendItem(
                key=one.key,
                label=one.label,
                colour=one.colour,
                x=PLOT_LEFT + position * legend_spacing,
            )
            for position, one in enumerate(series)
        ],
        first_day=chronological[0].day if chronological else None,
        last_day=chronological[-1].day if chronological else None,
        total=sum(value(day, one) for day in chronological for one in series),
        height=height,
        plot_bottom=plot_bottom,
    )
