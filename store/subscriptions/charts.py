"""The dashboard's charts, laid out on the server for an inline SVG, as the play-log
dashboard's are (store/playlogs/charts.py): no JavaScript, no chart library. This
computes the geometry of bars per day (side by side or stacked), the axis ticks, the day
labels and the legend; ``templates/admin/subscriptions/_bar_chart.html`` draws it. The
same figures are in the table beside each chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from store.subscriptions.selectors import DayFigures

WIDTH = 720
HEIGHT = 260
PLOT_LEFT = 56
PLOT_RIGHT = WIDTH - 12
PLOT_TOP = 36  # room for the legend
PLOT_BOTTOM = HEIGHT - 48  # room for the day labels and the axis title
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between days
MAX_DAY_LABELS = 8


@dataclass(frozen=True)
class Series:
    key: str  # the DayFigures attribute
    label: str
    colour: str


# Colours from the admin's palette that stay apart for the common colour blindnesses.
MOVEMENT = (Series("new", "New", "#2b7bb9"), Series("ended", "Ended", "#d55e00"))
BACKLOG = (Series("waiting", "Waiting", "#e69f00"), Series("failed", "Failed", "#9f1f1f"))


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
    label: str
    colour: str
    x: float


@dataclass(frozen=True)
class Chart:
    name: str  # for the SVG's ids
    title: str
    description: str
    y_title: str
    bars: list[Bar]
    y_ticks: list[Tick]
    day_labels: list[DayLabel]
    legend: list[LegendItem]
    first_day: date | None
    last_day: date | None
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_BOTTOM

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
    days: list[DayFigures],
    series: tuple[Series, ...],
    *,
    name: str,
    title: str,
    y_title: str,
    stacked: bool,
) -> Chart:
    """Bars per day (oldest on the left): one per series side by side, or stacked."""
    chronological = sorted(days, key=lambda day: day.day)

    def value(day: DayFigures, one: Series) -> int:
        return getattr(day, one.key)

    heights = [
        sum(value(day, one) for one in series)
        if stacked
        else max((value(day, one) for one in series), default=0)
        for day in chronological
    ]
    highest = max(heights, default=0)
    step = tick_step(highest)
    top = max(step * math.ceil(highest / step), step)
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(chronological), 1)
    group = slot * BAR_SHARE
    width = round(group if stacked else group / len(series), 2)

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
                    y=round(PLOT_BOTTOM - (bottom + amount) * scale, 2),
                    width=width,
                    height=round(amount * scale, 2),
                    colour=one.colour,
                )
            )
            below += amount

    every = math.ceil(len(chronological) / MAX_DAY_LABELS) or 1
    last = len(chronological) - 1
    total = sum(value(day, one) for day in chronological for one in series)
    first_day = chronological[0].day if chronological else None
    last_day = chronological[-1].day if chronological else None
    kinds = " and ".join(one.label.lower() for one in series)
    return Chart(
        name=name,
        title=title,
        description=(
            f"{kinds.capitalize()} per day, in bars {'stacked' if stacked else 'side by side'}. "
            "The table beside the chart has the same figures."
        ),
        y_title=y_title,
        bars=bars,
        y_ticks=[
            Tick(value=tick, y=round(PLOT_BOTTOM - tick * scale, 2))
            for tick in range(0, top + 1, step)
        ],
        day_labels=[
            DayLabel(day=day.day, x=round(PLOT_LEFT + (index + 0.5) * slot, 2))
            for index, day in enumerate(chronological)
            if (last - index) % every == 0
        ],
        legend=[
            LegendItem(label=one.label, colour=one.colour, x=PLOT_LEFT + position * 140)
            for position, one in enumerate(series)
        ],
        first_day=first_day,
        last_day=last_day,
        total=total,
    )


def movement_chart(days: list[DayFigures]) -> Chart:
    return bar_chart(
        days,
        MOVEMENT,
        name="movement",
        title="New and ended subscriptions per day",
        y_title="Subscriptions",
        stacked=False,
    )


def backlog_chart(days: list[DayFigures]) -> Chart:
    return bar_chart(
        days,
        BACKLOG,
        name="backlog",
        title="Changes not yet confirmed by 7digital, at each day's end",
        y_title="Changes",
        stacked=True,
    )
