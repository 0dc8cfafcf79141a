"""The rules of "who needs attention" and recognition (attend.monitoring.trends)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.monitoring import trends
from attend.monitoring.trends import HalfTerm, Window
from attend.registers.domain import (
    AttendanceCategory,
    CalendarEntry,
    Counts,
    is_persistent_absence,
    school_sessions,
)

C = AttendanceCategory


@st.composite
def windows(draw: st.DrawFn, min_possible: int = 0) -> Window:
    possible = draw(st.integers(min_possible, 400))
    return Window(draw(st.integers(0, possible)), possible)


# -------------------------------------------------------------------------------------------------
# Worse categories
# -------------------------------------------------------------------------------------------------


def test_category_order_is_best_to_worst() -> None:
    assert [trends.category_rank(c) for c in trends.CATEGORY_ORDER] == [0, 1, 2, 3, 4]
    assert set(trends.CATEGORY_ORDER) == set(AttendanceCategory)


@pytest.mark.parametrize(
    ("before", "after", "worse"),
    [
        (C.EXPECTED, C.AT_RISK_OF_PERSISTENT, True),
        (C.EXPECTED, C.SEVERE, True),
        (C.PERSISTENT, C.PERSISTENT, False),
        (C.SEVERE, C.PERSISTENT, False),
        (None, C.SEVERE, False),
        (C.EXPECTED, None, False),
    ],
)
def test_is_worse(before, after, worse) -> None:
    assert trends.is_worse(before, after) is worse


@given(st.sampled_from(list(C)), st.sampled_from(list(C)))
def test_worse_is_a_strict_order(a, b) -> None:
    assert not (trends.is_worse(a, b) and trends.is_worse(b, a))
    assert trends.is_worse(a, b) or trends.is_worse(b, a) or a == b


# -------------------------------------------------------------------------------------------------
# Windows and changes
# -------------------------------------------------------------------------------------------------


def test_window_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        Window(3, 2)
    with pytest.raises(ValueError):
        Window(-1, 2)
    assert Window(1, 2) + Window(3, 4) == Window(4, 6)
    assert Window().rate is None


def test_change_is_exact_and_needs_enough_sessions() -> None:
    assert trends.attendance_change(Window(40, 40), Window(24, 40)) == Fraction(-2, 5)
    assert trends.attendance_change(Window(9, 9), Window(0, 40)) is None  # 9 < 10 possible
    assert trends.attendance_change(Window(10, 10), Window(0, 9)) is None
    assert trends.attendance_change(Window(10, 10), Window(5, 10)) == Fraction(-1, 2)
    assert trends.attendance_change(Window(0, 1), Window(1, 1), min_possible=0) == 1


@given(windows(), windows())
def test_change_is_antisymmetric(a, b) -> None:
    forward, back = trends.attendance_change(a, b), trends.attendance_change(b, a)
    assert (forward is None) == (back is None)
    if forward is not None and back is not None:
        assert forward == -back
        assert -1 <= forward <= 1


@given(windows(min_possible=10))
def test_no_change_against_itself(a) -> None:
    assert trends.attendance_change(a, a) == 0


def test_falling_threshold_is_inclusive() -> None:
    assert trends.is_falling(Fraction(-5, 100))
    assert not trends.is_falling(Fraction(-499, 10000))
    assert not trends.is_falling(None)


def test_recent_weeks() -> None:
    mondays = [dt.date(2025, 9, 1) + dt.timedelta(weeks=n) for n in range(8)]
    school = mondays[:4] + mondays[5:]  # a half-term week off
    assert trends.split_weeks(school, mondays[7]) == (mondays[3], mondays[7])
    assert trends.split_weeks(school, mondays[6]) == (mondays[2], mondays[6])
    assert trends.split_weeks(school, mondays[2]) is None
    assert trends.split_weeks(school, mondays[7], recent=0) is None


# -------------------------------------------------------------------------------------------------
# The projection
# -------------------------------------------------------------------------------------------------


def test_projection_worked_example() -> None:
    # 74 of 80 so far, 34 of 40 recently (85%), 70 sessions left: (74 + 59.5) / 150 = 89%.
    projected = trends.projected_attendance(Window(74, 80), Window(34, 40), 70)
    assert projected == Fraction(89, 100)
    assert trends.projected_persistent(Window(74, 80), Window(34, 40), 70) == Fraction(89, 100)
    # Already persistently absent now: not "projected to become".
    assert trends.projected_persistent(Window(70, 80), Window(0, 40), 70) is None
    # Projected above 90%: not listed.
    assert trends.projected_persistent(Window(74, 80), Window(40, 40), 70) is None


def test_projection_without_recent_sessions_uses_the_year() -> None:
    assert trends.projected_attendance(Window(9, 10), Window(), 10) == Fraction(9, 10)
    assert trends.projected_attendance(Window(), Window(), 10) is None
    assert trends.projected_attendance(Window(), Window(1, 2), 0) is None
    with pytest.raises(ValueError):
        trends.projected_attendance(Window(1, 1), Window(1, 1), -1)


@given(windows(min_possible=1), windows(min_possible=1), st.integers(0, 400))
def test_projection_lies_between_the_year_and_the_recent_rate(ytd, recent, remaining) -> None:
    projected = trends.projected_attendance(ytd, recent, remaining)
    assert projected is not None and ytd.rate is not None and recent.rate is not None
    low, high = sorted([ytd.rate, recent.rate])
    assert low <= projected <= high
    assert 0 <= projected <= 1
    if remaining == 0:
        assert projected == ytd.rate


@given(windows(min_possible=1), windows(min_possible=1), st.integers(0, 400))
def test_projection_grows_with_recent_attendance(ytd, recent, remaining) -> None:
    better = Window(min(recent.attended + 1, recent.possible), recent.possible)
    high = trends.projected_attendance(ytd, better, remaining)
    low = trends.projected_attendance(ytd, recent, remaining)
    assert high is not None and low is not None
    assert high >= low


@given(st.integers(0, 300), st.integers(1, 300))
def test_persistent_rate_agrees_with_the_counting_rule(attended, possible) -> None:
    attended = min(attended, possible)
    counts = Counts(present=attended, authorised=possible - attended)
    assert trends.is_persistent_rate(Fraction(attended, possible)) == is_persistent_absence(counts)


# -------------------------------------------------------------------------------------------------
# Recognition
# -------------------------------------------------------------------------------------------------


def test_excellent() -> None:
    assert trends.is_excellent(Window(10, 10))
    assert not trends.is_excellent(Window(9, 10))
    assert trends.is_excellent(Window(19, 20), Fraction(95, 100))
    assert not trends.is_excellent(Window(0, 0))


def test_most_improved_keeps_ties_and_leaves_out_falls() -> None:
    changes = [("a", Fraction(1, 10)), ("b", Fraction(1, 5)), ("c", Fraction(1, 10))]
    changes += [("d", Fraction(-1, 5)), ("e", None), ("f", Fraction(0))]
    assert trends.most_improved(changes, listed=1) == [("b", Fraction(1, 5))]
    assert [k for k, _ in trends.most_improved(changes, listed=2)] == ["b", "a", "c"]
    assert [k for k, _ in trends.most_improved(changes)] == ["b", "a", "c"]
    assert trends.most_improved(changes, listed=0) == []


@given(st.lists(st.fractions(-1, 1), max_size=30), st.integers(1, 12))
def test_most_improved_is_the_top(changes, listed) -> None:
    chosen = trends.most_improved(list(enumerate(changes)), listed=listed)
    values = [c for _, c in chosen]
    assert values == sorted(values, reverse=True)
    assert all(c > 0 for c in values)
    left_out = [c for i, c in enumerate(changes) if c > 0 and i not in dict(chosen)]
    assert all(c <= min(values) for c in left_out)
    assert len(chosen) >= min(listed, sum(1 for c in changes if c > 0))


# -------------------------------------------------------------------------------------------------
# Half terms
# -------------------------------------------------------------------------------------------------


def _calendar() -> tuple[list[tuple[dt.date, dt.date]], list]:
    d = dt.date
    entries = [
        CalendarEntry("term", d(2024, 9, 2), d(2024, 12, 20)),
        CalendarEntry("closure", d(2024, 10, 28), d(2024, 11, 1)),
        CalendarEntry("term", d(2025, 9, 1), d(2025, 12, 19)),
        CalendarEntry("closure", d(2025, 10, 27), d(2025, 10, 31)),
        CalendarEntry("closure", d(2025, 9, 1), d(2025, 9, 1)),  # an INSET day: no split
        CalendarEntry("term", d(2026, 1, 5), d(2026, 3, 27)),
        CalendarEntry("closure", d(2026, 2, 16), d(2026, 2, 20)),
        CalendarEntry("term", d(2026, 4, 13), d(2026, 7, 22)),
        CalendarEntry("closure", d(2026, 5, 25), d(2026, 5, 29)),
        CalendarEntry("closure", d(2026, 5, 4), d(2026, 5, 4)),  # a bank holiday: no split
    ]
    terms = [(e.start, e.end) for e in entries if e.kind == "term"]
    return terms, school_sessions(entries)


def test_half_terms_split_terms_at_a_week_without_school() -> None:
    terms, sessions = _calendar()
    halves = trends.half_terms(terms, sessions)
    d = dt.date
    assert [(h.label, h.start, h.end, h.number) for h in halves] == [
        ("Autumn 1 2024/25", d(2024, 9, 2), d(2024, 10, 25), 1),
        ("Autumn 2 2024/25", d(2024, 11, 4), d(2024, 12, 20), 2),
        ("Autumn 1 2025/26", d(2025, 9, 2), d(2025, 10, 24), 1),
        ("Autumn 2 2025/26", d(2025, 11, 3), d(2025, 12, 19), 2),
        ("Spring 1 2025/26", d(2026, 1, 5), d(2026, 2, 13), 3),
        ("Spring 2 2025/26", d(2026, 2, 23), d(2026, 3, 27), 4),
        ("Summer 1 2025/26", d(2026, 4, 13), d(2026, 5, 22), 5),
        ("Summer 2 2025/26", d(2026, 6, 1), d(2026, 7, 22), 6),
    ]
    autumn2 = halves[3]
    assert trends.previous_half_term(halves, autumn2) == halves[2]
    assert trends.previous_half_term(halves, halves[0]) is None
    assert trends.same_half_term_last_year(halves, autumn2) == halves[1]
    assert trends.same_half_term_last_year(halves, halves[4]) is None
    assert trends.half_term_of(halves, d(2025, 10, 29)) == halves[2]  # the holiday: just finished
    assert trends.half_term_of(halves, d(2025, 11, 3)) == autumn2
    assert trends.half_term_of(halves, d(2024, 8, 1)) is None


def test_half_terms_given_as_terms_stay_whole() -> None:
    d = dt.date
    terms = [(d(2025, 9, 1), d(2025, 10, 24)), (d(2025, 11, 3), d(2025, 12, 19))]
    sessions = school_sessions([CalendarEntry("term", s, e) for s, e in terms])
    halves = trends.half_terms(terms, sessions)
    assert [h.name for h in halves] == ["Autumn term", "Autumn term"]
    assert [h.number for h in halves] == [1, 2]
    assert trends.half_terms([(d(2025, 9, 1), d(2025, 9, 5))], []) == []


def test_half_term_label() -> None:
    half = HalfTerm(dt.date(2026, 4, 13), dt.date(2026, 5, 22), "Summer 1", 5, "2025/26")
    assert half.label == "Summer 1 2025/26"
    assert trends.academic_year_label(dt.date(2026, 7, 31)) == "2025/26"
    assert trends.academic_year_label(dt.date(2026, 8, 1)) == "2026/27"
