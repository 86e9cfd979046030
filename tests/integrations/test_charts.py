"""The staff's bar chart per day: round ticks, bars side by side or stacked, and a chart
with nothing to draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from integrations.charts import PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, Series, bar_chart, tick_step

FIRST = date(2026, 3, 1)
SERIES = (Series("a", "Apples", "#111111"), Series("b", "Pears", "#222222"))


@dataclass(frozen=True)
class Figures:
    day: date
    values: dict[str, int] = field(default_factory=dict)


def value(day: Figures, series: Series) -> int:
    return day.values.get(series.key, 0)


def chart(days, *, stacked, **options):
    return bar_chart(
        days,
        SERIES,
        value=value,
        name="fruit",
        title="Fruit",
        y_title="Fruit",
        stacked=stacked,
        **options,
    )


@pytest.mark.parametrize(
    ("highest", "step"),
    [
        (0, 1),
        (4, 1),
        (5, 2),
        (8, 2),
        (9, 5),
        (20, 5),
        (21, 10),
        (40, 10),
        (41, 20),
        (300, 100),
        (1234, 500),
    ],
)
def test_the_tick_step_is_one_two_or_five_times_a_power_of_ten(highest, step):
    assert tick_step(highest) == step


def test_the_ticks_run_from_zero_past_the_highest_bar_in_round_steps():
    days = [Figures(FIRST, {"a": 7, "b": 2}), Figures(FIRST + timedelta(days=1), {"a": 3})]

    ticks = chart(days, stacked=True).y_ticks

    assert [tick.value for tick in ticks] == [0, 5, 10]  # 9 stacked: a step of 5, up to 10
    assert ticks[0].y == 260 - 48  # the foot of the plot
    assert ticks[-1].y == PLOT_TOP
    side_by_side = chart(days, stacked=False).y_ticks
    assert [tick.value for tick in side_by_side] == [0, 2, 4, 6, 8]  # the tallest is 7


def test_stacked_bars_sit_on_each_other_in_the_order_of_the_series():
    days = [Figures(FIRST, {"a": 3, "b": 1})]

    result = chart(days, stacked=True)

    a, b = result.bars
    assert (a.key, b.key) == ("a", "b")
    assert a.y + a.height == pytest.approx(result.plot_bottom)
    assert b.y + b.height == pytest.approx(a.y)
    assert a.x == b.x and a.width == b.width
    assert (a.colour, b.colour) == ("#111111", "#222222")
    assert result.total == 4


def test_side_by_side_bars_stand_on_the_axis_next_to_each_other():
    days = [Figures(FIRST, {"a": 3, "b": 1})]

    a, b = chart(days, stacked=False).bars

    assert a.y + a.height == pytest.approx(b.y + b.height)
    assert b.x == pytest.approx(a.x + a.width)


def test_days_are_drawn_oldest_first_and_zeros_draw_no_bar():
    newest_first = [
        Figures(FIRST + timedelta(days=2), {"a": 1}),
        Figures(FIRST + timedelta(days=1), {}),
        Figures(FIRST, {"a": 2, "b": 0}),
    ]

    result = chart(newest_first, stacked=True)

    assert [(bar.day, bar.value) for bar in result.bars] == [
        (FIRST, 2),
        (FIRST + timedelta(days=2), 1),
    ]
    assert (result.first_day, result.last_day) == (FIRST, FIRST + timedelta(days=2))
    assert result.bars[0].x < result.bars[1].x


def test_the_newest_day_is_labelled_and_at_most_eight_are():
    days = [Figures(FIRST + timedelta(days=n)) for n in range(30)]

    labels = chart(days, stacked=True).day_labels

    assert labels[-1].day == FIRST + timedelta(days=29)
    assert len(labels) <= 8
    assert all(PLOT_LEFT < label.x < PLOT_RIGHT for label in labels)


def test_the_legend_and_description_come_from_the_series():
    result = chart([Figures(FIRST)], stacked=False, legend_spacing=100)

    assert [(item.label, item.colour, item.x) for item in result.legend] == [
        ("Apples", "#111111", PLOT_LEFT),
        ("Pears", "#222222", PLOT_LEFT + 100),
    ]
    assert result.description.startswith("Apples and pears per day, in bars side by side.")
    told = chart([Figures(FIRST)], stacked=False, description="Told.")
    assert told.description == "Told."


def test_a_chart_of_zeros_has_one_tick_step_and_no_bars():
    days = [Figures(FIRST + timedelta(days=n)) for n in range(3)]

    result = chart(days, stacked=True, empty_text="Nothing here")

    assert result.bars == [] and result.total == 0
    assert [tick.value for tick in result.y_ticks] == [0, 1]
    assert result.empty_text == "Nothing here"


def test_a_chart_without_days_has_no_bars_labels_or_dates():
    result = chart([], stacked=False, height=300)

    assert (result.bars, result.day_labels, result.total) == ([], [], 0)
    assert (result.first_day, result.last_day) == (None, None)
    assert (result.height, result.plot_bottom) == (300, 252)
    assert [tick.value for tick in result.y_ticks] == [0, 1]
