"""The chart of plays per day, laid out on the server for an inline SVG.

No JavaScript and no chart library: this computes the geometry (bars stacked by kind,
axis ticks, day labels, legend) and ``templates/admin/playlogs/_plays_chart.html``
draws it. The same figures are in the table under the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from store.playlogs.outbox import KINDS
from store.playlogs.selectors import DayPlays

WIDTH = 720
HEIGHT = 280
PLOT_LEFT = 56
PLOT_RIGHT = WIDTH - 12
PLOT_TOP = 36  # room for the legend above the plot
PLOT_BOTTOM = HEIGHT - 48  # room for the day labels and the axis title
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between bars
MAX_DAY_LABELS = 8
# Each kind declares its colour (store/playlogs/outbox/kinds.py); this one is for a
# kind no longer declared.
FALLBACK_COLOUR = "#777777"


@dataclass(frozen=True)
class Bar:
    kind: str
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
    kind: str
    label: str
    colour: str
    x: float


@dataclass(frozen=True)
class Chart:
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


def colour(kind: str) -> str:
    return KINDS[kind].colour if kind in KINDS else FALLBACK_COLOUR


def plays_chart(days: list[DayPlays]) -> Chart:
    """Bars of plays recorded per day (oldest on the left), stacked by kind."""
    chronological = sorted(days, key=lambda day: day.day)
    highest = max((day.recorded for day in chronological), default=0)
    step = tick_step(highest)
    top = max(step * math.ceil(highest / step), step)
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(chronological), 1)
    width = round(slot * BAR_SHARE, 2)

    bars: list[Bar] = []
    for index, day in enumerate(chronological):
        x = round(PLOT_LEFT + index * slot + (slot - width) / 2, 2)
        below = 0
        for counts in day.kinds:
            if not counts.recorded:
                continue
            y = PLOT_BOTTOM - (below + counts.recorded) * scale
            bars.append(
                Bar(
                    kind=counts.kind,
                    label=counts.label,
                    day=day.day,
                    value=counts.recorded,
                    x=x,
                    y=round(y, 2),
                    width=width,
                    height=round(counts.recorded * scale, 2),
                    colour=colour(counts.kind),
                )
            )
            below += counts.recorded

    # Label every few days, counting back from the newest so that today has a label.
    every = math.ceil(len(chronological) / MAX_DAY_LABELS) or 1
    last = len(chronological) - 1
    day_labels = [
        DayLabel(day=day.day, x=round(PLOT_LEFT + (index + 0.5) * slot, 2))
        for index, day in enumerate(chronological)
        if (last - index) % every == 0
    ]
    kinds = chronological[0].kinds if chronological else ()
    return Chart(
        bars=bars,
        y_ticks=[
            Tick(value=value, y=round(PLOT_BOTTOM - value * scale, 2))
            for value in range(0, top + 1, step)
        ],
        day_labels=day_labels,
        legend=[
            LegendItem(
                kind=counts.kind,
                label=counts.label,
                colour=colour(counts.kind),
                x=PLOT_LEFT + position * 170,
            )
            for position, counts in enumerate(kinds)
        ],
        first_day=chronological[0].day if chronological else None,
        last_day=chronological[-1].day if chronological else None,
        total=sum(day.recorded for day in chronological),
    )
