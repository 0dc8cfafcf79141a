"""Charts as accessible SVG, drawn on the server (no JavaScript), always shown with their numbers.

A :class:`Chart` holds the categories (the x axis), one or more :class:`Series` and a title and
summary; :func:`layout` turns it into shapes for ``core/components/chart.html``, which renders
the SVG (``role="img"`` with a title and description) and the same figures as a table beside it.
Use ``{% load charts %}{% chart my_chart %}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

#: GOV.UK colours (blue, orange, dark grey, green, purple), in order of the series.
COLOURS = ("#1d70b8", "#f47738", "#505a5f", "#00703c", "#4c2c92")
#: Dash patterns of the line series, so that lines differ without colour too.
DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 1")

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56
TICKS = 5


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int | None]


@dataclass(frozen=True)
class Chart:
    #: Unique on the page: the ids of the SVG's title and description are made from it.
    id: str
    title: str
    #: One or two sentences saying what the chart shows, read by screen readers.
    summary: str
    categories: Sequence[str]
    series: Sequence[Series]
    kind: Literal["bar", "line"] = "bar"
    unit: str = "%"
    #: The category column's heading in the data table.
    category_label: str = ""
    #: Top of the y axis; by default a round number above the largest value.
    maximum: Decimal | None = None
    #: Bottom of the y axis (0 by default; a line of rates may start higher, and says so).
    minimum: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"Series {series.label!r} has not one value per category")

    @property
    def rows(self) -> list[tuple[str, list[Decimal | int | None]]]:
        """The data table: one row per category, one value per series."""
        return [
            (category, [s.values[i] for s in self.series])
            for i, category in enumerate(self.categories)
        ]

    @property
    def empty(self) -> bool:
        return not any(v is not None for s in self.series for v in s.values)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str


@dataclass(frozen=True)
class Line:
    points: str
    colour: str
    dash: str
    dots: list[tuple[float, float, str]]


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Legend:
    label: str
    colour: str
    dash: str


@dataclass
class Layout:
    chart: Chart
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[Legend] = field(default_factory=list)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 16


def nice_maximum(largest: Decimal) -> Decimal:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten, at or above ``largest``."""
    if largest <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(float(largest)))
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = power * Decimal(step)
        if top >= largest:
            return top
    return power * 10  # pragma: no cover - the loop ends at 10 x power >= largest


def _text(value: Decimal | int | None, unit: str) -> str:
    return "no figure" if value is None else f"{value}{unit}"


def layout(chart: Chart) -> Layout:
    values = [Decimal(v) for s in chart.series for v in s.values if v is not None]
    bottom = chart.minimum
    top = chart.maximum or bottom + nice_maximum(max(values, default=bottom) - bottom)
    out = Layout(chart=chart)
    plot_height = out.baseline - TOP
    span = out.right - out.left

    def y_of(value: Decimal | int) -> float:
        share = (max(Decimal(value), bottom) - bottom) / (top - bottom)
        return round(out.baseline - float(share) * plot_height, 1)

    for i in range(TICKS + 1):
        level = bottom + (top - bottom) * i / TICKS
        out.ticks.append(Tick(y_of(level), f"{level.normalize():f}{chart.unit}"))
    n = len(chart.categories)
    if not n:
        return out
    slot = span / n
    every = max(1, math.ceil(n / 12))  # at most about 12 labels under the axis
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            out.labels.append(Label(round(out.left + slot * (i + 0.5), 1), category))
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)] if chart.kind == "line" else ""
        out.legend.append(Legend(series.label, colour, dash))
    if chart.kind == "bar":
        groups = len(chart.series)
        width = slot * 0.8 / max(groups, 1)
        for index, series in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            for i, value in enumerate(series.values):
                if value is None:
                    continue
                x = out.left + slot * i + slot * 0.1 + width * index
                y = y_of(value)
                out.bars.append(
                    Bar(
                        x=round(x, 1),
                        y=y,
                        width=round(width, 1),
                        height=round(out.baseline - y, 1),
                        colour=colour,
                        text=f"{chart.categories[i]}, {series.label}: {_text(value, chart.unit)}",
                    )
                )
    else:
        for index, series in enumerate(chart.series):
            points = []
            dots = []
            for i, value in enumerate(series.values):
                if value is None:
                    continue
                x = round(out.left + slot * (i + 0.5), 1)
                y = y_of(value)
                points.append(f"{x},{y}")
                dots.append(
                    (x, y, f"{chart.categories[i]}, {series.label}: {_text(value, chart.unit)}")
                )
            out.lines.append(
                Line(
                    points=" ".join(points),
                    colour=COLOURS[index % len(COLOURS)],
                    dash=DASHES[index % len(DASHES)],
                    dots=dots,
                )
            )
    return out


def axis_floor(values: Iterable[Decimal | int | None], step: int = 10) -> Decimal:
    """A round bottom for an axis of percentages: the multiple of ``step`` at least ``step`` below
    the smallest value (0 when there is none), so that a line of high rates is not flat."""
    known = [Decimal(v) for v in values if v is not None]
    if not known:
        return Decimal(0)
    return max(Decimal(0), Decimal(math.floor(min(known) / step) * step - step))
