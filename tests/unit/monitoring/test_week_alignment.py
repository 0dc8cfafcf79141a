"""The week alignment rule: school week N of a year against school week N of the year before."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.monitoring.week_alignment import (
    AlignedWeek,
    academic_year_of_week,
    align_with_last_year,
    number_school_weeks,
)

MONDAY = dt.date(2023, 7, 3)


def mondays(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(weeks=i) for i in range(count)]


def test_a_week_belongs_to_the_academic_year_of_its_wednesday():
    assert academic_year_of_week(dt.date(2025, 9, 1)) == 2025
    assert academic_year_of_week(dt.date(2026, 7, 20)) == 2025
    # Mon 27 Jul 2026 - Wed 29 Jul: most weekdays in 2025/26.
    assert academic_year_of_week(dt.date(2026, 7, 27)) == 2025
    # Mon 30 Jul 2029 - Wed 1 Aug 2029: most weekdays in 2029/30.
    assert academic_year_of_week(dt.date(2029, 7, 30)) == 2029
    assert academic_year_of_week(dt.date(2025, 1, 6)) == 2024


def test_school_weeks_are_numbered_from_one_in_each_year_skipping_holidays():
    autumn_2024 = [dt.date(2024, 9, 2), dt.date(2024, 9, 9), dt.date(2024, 11, 4)]
    autumn_2025 = [dt.date(2025, 9, 1), dt.date(2025, 9, 15)]
    numbered = number_school_weeks([*autumn_2025, *autumn_2024])
    assert numbered == {
        dt.date(2024, 9, 2): (2024, 1),
        dt.date(2024, 9, 9): (2024, 2),
        dt.date(2024, 11, 4): (2024, 3),
        dt.date(2025, 9, 1): (2025, 1),
        dt.date(2025, 9, 15): (2025, 2),
    }
    with pytest.raises(ValueError, match="by its Monday"):
        number_school_weeks([dt.date(2025, 9, 2)])


def test_each_week_is_compared_with_the_same_school_week_last_year():
    last = [dt.date(2024, 9, 2), dt.date(2024, 9, 9), dt.date(2024, 9, 16)]
    # This year term starts a week later in the calendar, and 15 Sep is a closure week.
    this = [dt.date(2025, 9, 8), dt.date(2025, 9, 22), dt.date(2025, 9, 29), dt.date(2025, 10, 6)]
    shown = [dt.date(2025, 9, 15), *this[1:]]  # the period starts in the closure week
    aligned = align_with_last_year(shown, [*last, *this])
    assert aligned == [
        AlignedWeek(dt.date(2025, 9, 22), 2, dt.date(2024, 9, 9)),
        AlignedWeek(dt.date(2025, 9, 29), 3, dt.date(2024, 9, 16)),
        AlignedWeek(dt.date(2025, 10, 6), 4, None),
    ]
    assert align_with_last_year([], last) == []
    # No data last year at all: every week is shown, with nothing to compare.
    assert [a.last_year for a in align_with_last_year(this, this)] == [None] * 4


weeks = st.sets(st.integers(min_value=0, max_value=200), max_size=120).map(
    lambda ns: [MONDAY + dt.timedelta(weeks=n) for n in ns]
)


@given(weeks)
def test_numbers_run_from_one_without_gaps_in_date_order_within_each_year(school_weeks):
    numbered = number_school_weeks(school_weeks)
    assert set(numbered) == set(school_weeks)
    by_year: dict[int, list[tuple[dt.date, int]]] = {}
    for monday, (year, number) in numbered.items():
        assert year == academic_year_of_week(monday)
        by_year.setdefault(year, []).append((monday, number))
    for entries in by_year.values():
        entries.sort()
        assert [n for _, n in entries] == list(range(1, len(entries) + 1))


@given(weeks, st.data())
def test_alignment_pairs_weeks_of_consecutive_years_with_the_same_number(school_weeks, data):
    shown = data.draw(
        st.lists(st.sampled_from(school_weeks), unique=True) if school_weeks else st.just([])
    )
    aligned = align_with_last_year(shown, school_weeks)
    numbered = number_school_weeks(school_weeks)
    assert [a.week for a in aligned] == sorted(shown)
    for a in aligned:
        year, number = numbered[a.week]
        assert a.number == number
        if a.last_year is None:
            # Last year had fewer school weeks than this one's number.
            assert all(y != (year - 1, number) for y in numbered.values())
        else:
            assert numbered[a.last_year] == (year - 1, number)
            assert a.last_year < a.week
    # Two weeks of one year never share last year's week.
    pairs = [(numbered[a.week][0], a.last_year) for a in aligned if a.last_year]
    assert len(pairs) == len(set(pairs))


@given(weeks, st.integers(min_value=1, max_value=60))
def test_weeks_that_are_not_school_weeks_are_left_out(school_weeks, extra):
    holiday = MONDAY + dt.timedelta(weeks=200 + extra)
    aligned = align_with_last_year([holiday], school_weeks)
    assert aligned == []
