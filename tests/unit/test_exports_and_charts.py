"""The shared table export (CSV and xlsx) and the SVG chart layout."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.core.charts import Chart, Series, axis_floor, layout, nice_maximum
from attend.core.exports import Table, csv_cell, xlsx_bytes


def test_csv_cells_never_become_formulas():
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-3") == "'-3"
    assert csv_cell(-3) == "-3" and csv_cell(Decimal("-1.03")) == "-1.03"  # numbers stay numbers
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(dt.date(2026, 9, 1)) == "2026-09-01"
    assert csv_cell(Decimal("93.40")) == "93.40"


def test_xlsx_keeps_types_and_never_writes_formulas():
    table = Table(
        filename="x",
        title="Pupils: a list / of [things] that is far too long for Excel",
        header=["name", "n", "rate", "date", "none"],
        rows=[["=1+1", 3, Decimal("93.5"), dt.date(2026, 9, 1), None]],
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([table, table])))
    first, second = book.worksheets
    assert first.title == "Pupils- a list - of -things- th"
    assert len(first.title) == 31 and second.title.endswith("(2)") and len(second.title) <= 31
    row = [c.value for c in first[2]]
    assert row[0] == "=1+1" and first["A2"].data_type == "s"
    assert row[1] == 3 and row[2] == pytest.approx(93.5)
    assert row[3] == dt.datetime(2026, 9, 1)
    assert row[4] is None
    assert [c.value for c in first[1]] == ["name", "n", "rate", "date", "none"]


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2))
def test_the_axis_top_is_round_and_at_or_above_the_largest_value(largest):
    top = nice_maximum(largest)
    assert top >= largest
    # Never more than 2.5 times too tall (steps 1, 2, 2.5, 5, 10).
    assert top <= largest * Decimal("2.5")
    mantissa = top / Decimal(10) ** (len(str(int(top))) - 1) if top >= 1 else None
    if mantissa is not None:
        assert mantissa in {1, 2, Decimal("2.5"), 5, 10}


def test_bars_are_as_tall_as_their_values_and_carry_their_numbers():
    chart = Chart(
        id="c",
        title="T",
        summary="S",
        categories=["Mon", "Tue"],
        series=[Series("AM", [Decimal(50), Decimal(100)]), Series("PM", [None, Decimal(25)])],
        maximum=Decimal(100),
    )
    shapes = layout(chart)
    heights = [b.height for b in shapes.bars]
    plot = shapes.baseline - 12
    assert heights == [plot / 2, plot, plot / 4]
    assert [b.text for b in shapes.bars] == ["Mon, AM: 50%", "Tue, AM: 100%", "Tue, PM: 25%"]
    assert chart.rows == [("Mon", [Decimal(50), None]), ("Tue", [Decimal(100), Decimal(25)])]
    assert [t.text for t in shapes.ticks] == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_lines_skip_missing_values_and_a_chart_needs_one_value_per_category():
    chart = Chart(
        id="c",
        title="T",
        summary="S",
        categories=["a", "b", "c"],
        series=[Series("x", [Decimal(1), None, Decimal(3)])],
        kind="line",
    )
    (line,) = layout(chart).lines
    assert len(line.points.split()) == 2 and len(line.dots) == 2
    assert not chart.empty
    assert Chart(
        id="e", title="T", summary="S", categories=["a"], series=[Series("x", [None])]
    ).empty
    with pytest.raises(ValueError, match="one value per category"):
        Chart(id="c", title="T", summary="S", categories=["a"], series=[Series("x", [])])


def test_an_axis_may_start_above_zero_and_says_so():
    assert axis_floor([Decimal("93.4"), None, Decimal("88.0")]) == 70
    assert axis_floor([Decimal("5")]) == 0 and axis_floor([None]) == 0
    chart = Chart(
        id="c",
        title="T",
        summary="S",
        categories=["a", "b"],
        series=[Series("x", [Decimal(80), Decimal(100)])],
        kind="line",
        maximum=Decimal(100),
        minimum=Decimal(80),
    )
    shapes = layout(chart)
    assert [t.text for t in shapes.ticks] == ["80%", "84%", "88%", "92%", "96%", "100%"]
    (line,) = shapes.lines
    assert [y for _, y, _ in line.dots] == [shapes.baseline, 12.0]
