"""The rules of the governors' comparison and report: terms, positions, national matches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.governors.domain import (
    Term,
    last_ended_term,
    ordinal,
    position,
    term_dates,
    term_of,
)
from attend.reference.domain import (
    Figure,
    Measure,
    PeriodKind,
    ReferencePhase,
    Target,
    academic_year_label,
    academic_year_parse,
    is_same_period,
    nearest_figure,
    reference_phase,
)

D = dt.date
#: A calendar in halves: autumn and spring in two entries each, summer in one.
ENTRIES = [
    (D(2025, 9, 3), D(2025, 10, 24)),
    (D(2025, 11, 3), D(2025, 12, 19)),
    (D(2026, 1, 5), D(2026, 2, 13)),
    (D(2026, 2, 23), D(2026, 3, 27)),
    (D(2026, 4, 13), D(2026, 7, 22)),
]


def test_a_term_runs_from_its_first_entry_to_its_last() -> None:
    autumn = term_dates(2025, Term.AUTUMN, ENTRIES)
    assert (autumn.start, autumn.end, autumn.from_calendar) == (
        D(2025, 9, 3),
        D(2025, 12, 19),
        True,
    )
    spring = term_dates(2025, Term.SPRING, ENTRIES)
    assert (spring.start, spring.end) == (D(2026, 1, 5), D(2026, 3, 27))
    summer = term_dates(2025, Term.SUMMER, ENTRIES)
    assert (summer.start, summer.end) == (D(2026, 4, 13), D(2026, 7, 22))
    assert summer.label == "Summer term 2025/26"


def test_without_a_calendar_the_fixed_dates_are_used() -> None:
    autumn = term_dates(2024, Term.AUTUMN, ENTRIES)
    assert (autumn.start, autumn.end, autumn.from_calendar) == (
        D(2024, 9, 1),
        D(2024, 12, 31),
        False,
    )
    assert (term_dates(2024, Term.SPRING, []).start, term_dates(2024, Term.SPRING, []).end) == (
        D(2025, 1, 1),
        D(2025, 3, 31),
    )
    assert (term_dates(2024, Term.SUMMER, []).start, term_dates(2024, Term.SUMMER, []).end) == (
        D(2025, 4, 1),
        D(2025, 7, 31),
    )


@pytest.mark.parametrize(
    ("start", "term"),
    [
        (D(2025, 8, 30), Term.AUTUMN),
        (D(2025, 12, 1), Term.AUTUMN),
        (D(2026, 1, 5), Term.SPRING),
        (D(2026, 3, 31), Term.SPRING),
        (D(2026, 4, 1), Term.SUMMER),
        (D(2026, 7, 31), Term.SUMMER),
    ],
)
def test_an_entry_belongs_to_a_term_by_the_month_it_starts(start: dt.date, term: Term) -> None:
    assert term_of(start) == term


def test_the_last_ended_term() -> None:
    assert last_ended_term(D(2025, 12, 19), ENTRIES).term == Term.SUMMER  # not ended that day
    ended = last_ended_term(D(2025, 12, 20), ENTRIES)
    assert (ended.year, ended.term) == (2025, Term.AUTUMN)
    ended = last_ended_term(D(2026, 7, 23), ENTRIES)
    assert (ended.year, ended.term) == (2025, Term.SUMMER)
    ended = last_ended_term(D(2025, 9, 10), ENTRIES)  # last year's summer (fixed dates)
    assert (ended.year, ended.term, ended.from_calendar) == (2024, Term.SUMMER, False)


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th")]
    + [(21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th")],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_position_uses_exact_rates_and_says_joint_on_a_tie() -> None:
    # 94.994...% and 94.995...% round to the same 2 decimals but are not a tie.
    mine = Fraction(18999, 20000)
    others = [Fraction(189991, 200000), Fraction(9, 10), Fraction(1)]
    p = position(mine, others, higher_is_better=True)
    assert (p.place, p.of, p.joint) == (3, 4, False)
    assert p.describe("primary schools", "attendance") == "3rd of 4 primary schools by attendance"
    tie = position(Fraction(1, 10), [Fraction(1, 10), Fraction(1, 5)], higher_is_better=False)
    assert tie.describe("primary schools", "persistent absence") == (
        "joint 1st of 3 primary schools by persistent absence"
    )


@given(st.fractions(0, 1), st.lists(st.fractions(0, 1), max_size=20), st.booleans())
def test_a_position_is_one_plus_the_schools_strictly_better(
    mine: Fraction, others: list[Fraction], higher: bool
) -> None:
    p = position(mine, others, higher_is_better=higher)
    assert 1 <= p.place <= p.of == len(others) + 1
    better = [o for o in others if (o > mine if higher else o < mine)]
    assert p.place == len(better) + 1
    # Each school better in one direction is worse in the other; ties are neither.
    reverse = position(mine, others, higher_is_better=not higher)
    assert p.place + reverse.place == p.of + 1 - sum(1 for o in others if o == mine)


def test_academic_years() -> None:
    assert academic_year_parse("2024/25") == 2024
    assert academic_year_label(2024) == "2024/25"
    assert academic_year_label(2099) == "2099/00"
    for bad in ("2024", "2024/26", "24/25", "2024-25", "2024/2025"):
        with pytest.raises(ValueError, match="2024/25"):
            academic_year_parse(bad)


def test_phases_without_national_figures_compare_with_all_schools() -> None:
    assert reference_phase("primary") == ReferencePhase.PRIMARY
    assert reference_phase("special") == ReferencePhase.SPECIAL
    assert reference_phase("all-through") == ReferencePhase.ALL
    assert reference_phase("nursery") == ReferencePhase.ALL


def _f(n: int, year: int, period: PeriodKind, phase: str, measure: Measure, value: str) -> Figure:
    return Figure(
        id=n,
        academic_year=year,
        period=period,
        period_label=period.value,
        phase=ReferencePhase(phase),
        measure=measure,
        value=Decimal(value),
        source=f"source {n}",
    )


A, P = Measure.OVERALL_ABSENCE, Measure.PERSISTENT_ABSENCE
FIGURES = [
    _f(1, 2024, PeriodKind.FULL_YEAR, "all", A, "6.87"),
    _f(2, 2024, PeriodKind.AUTUMN, "all", A, "6.38"),
    _f(3, 2025, PeriodKind.YEAR_TO_DATE, "all", A, "6.88"),
    _f(4, 2025, PeriodKind.YEAR_TO_DATE, "primary", A, "5.28"),
    _f(5, 2023, PeriodKind.FULL_YEAR, "primary", Measure.SEVERE_ABSENCE, "0.85"),
    _f(6, 2024, PeriodKind.FULL_YEAR, "all", P, "18.70"),
]


def test_the_same_year_and_period_is_found() -> None:
    target = Target(2024, PeriodKind.FULL_YEAR)
    found = nearest_figure(FIGURES, measure=A, phase=ReferencePhase.SECONDARY, target=target)
    assert found is not None and found.value == Decimal("6.87") and is_same_period(found, target)
    autumn = Target(2024, PeriodKind.AUTUMN)
    found = nearest_figure(FIGURES, measure=A, phase=ReferencePhase.SECONDARY, target=autumn)
    assert found is not None and found.value == Decimal("6.38")


def test_the_phase_comes_first_then_the_year_then_the_period() -> None:
    target = Target(2024, PeriodKind.AUTUMN)
    found = nearest_figure(FIGURES, measure=A, phase=ReferencePhase.PRIMARY, target=target)
    assert found is not None and found.id == 4 and not is_same_period(found, target)
    # Nothing for 2026/27 yet: the nearest year, 2025/26.
    found = nearest_figure(
        FIGURES, measure=A, phase=ReferencePhase.SECONDARY, target=Target(2026, PeriodKind.AUTUMN)
    )
    assert found is not None and found.id == 3
    # A whole year before another term for a year-to-date period.
    found = nearest_figure(
        FIGURES,
        measure=A,
        phase=ReferencePhase.SECONDARY,
        target=Target(2024, PeriodKind.YEAR_TO_DATE),
    )
    assert found is not None and found.id == 1
    # Equally near years: the earlier one (published), not the later.
    found = nearest_figure(
        FIGURES, measure=P, phase=ReferencePhase.ALL, target=Target(2025, PeriodKind.FULL_YEAR)
    )
    assert found is not None and found.id == 6


def test_attendance_is_100_minus_overall_absence_when_not_published() -> None:
    target = Target(2024, PeriodKind.FULL_YEAR)
    found = nearest_figure(
        FIGURES, measure=Measure.ATTENDANCE, phase=ReferencePhase.ALL, target=target
    )
    assert found is not None and found.derived and found.value == Decimal("93.13")
    assert (
        nearest_figure([], measure=Measure.ATTENDANCE, phase=ReferencePhase.ALL, target=target)
        is None
    )
    assert (
        nearest_figure(
            FIGURES, measure=Measure.UNAUTHORISED_ABSENCE, phase=ReferencePhase.ALL, target=target
        )
        is None
    )


def test_a_year_to_date_figure_is_the_same_period_only_near_its_snapshot() -> None:
    ytd = Figure(
        id=1,
        academic_year=2025,
        period=PeriodKind.YEAR_TO_DATE,
        period_label="Year to date (snapshot 2026-07-23)",
        phase=ReferencePhase.ALL,
        measure=A,
        value=Decimal("6.88"),
        source="DASH",
        published=dt.date(2026, 7, 23),
    )
    target = Target(2025, PeriodKind.YEAR_TO_DATE)
    assert is_same_period(ytd, target, end=dt.date(2026, 7, 22))
    assert not is_same_period(ytd, target, end=dt.date(2026, 3, 1))
    assert not is_same_period(ytd, target)
    assert not is_same_period(ytd, Target(2024, PeriodKind.YEAR_TO_DATE), end=dt.date(2026, 7, 22))
