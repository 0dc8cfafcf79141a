"""National reference figures as plain Python: the measures, periods and phases they are
published for, and which published figure is the nearest match to a school's period.

The figures themselves are rows of :class:`attend.reference.models.NationalFigure`; the rules here
decide which one a page shows (no Django import, see pyproject's import-linter contract).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Measure(StrEnum):
    ATTENDANCE = "attendance"
    OVERALL_ABSENCE = "overall_absence"
    AUTHORISED_ABSENCE = "authorised_absence"
    UNAUTHORISED_ABSENCE = "unauthorised_absence"
    PERSISTENT_ABSENCE = "persistent_absence"
    SEVERE_ABSENCE = "severe_absence"


MEASURE_LABELS: dict[Measure, str] = {
    Measure.ATTENDANCE: "Attendance",
    Measure.OVERALL_ABSENCE: "Overall absence",
    Measure.AUTHORISED_ABSENCE: "Authorised absence",
    Measure.UNAUTHORISED_ABSENCE: "Unauthorised absence",
    Measure.PERSISTENT_ABSENCE: "Persistent absence",
    Measure.SEVERE_ABSENCE: "Severe absence",
}

#: What each measure means, in a sentence (the governors' report explains each one).
MEASURE_EXPLANATIONS: dict[Measure, str] = {
    Measure.ATTENDANCE: (
        "Sessions attended (present, or at an approved educational activity such as a school "
        "trip) as a share of the possible sessions. A session is half a day."
    ),
    Measure.OVERALL_ABSENCE: (
        "Sessions missed for any reason as a share of the possible sessions; it is 100% minus "
        "attendance."
    ),
    Measure.AUTHORISED_ABSENCE: (
        "Sessions missed with the school's permission or for an accepted reason (illness, "
        "medical appointments, religious observance...) as a share of the possible sessions."
    ),
    Measure.UNAUTHORISED_ABSENCE: (
        "Sessions missed without permission (term-time holidays, unexplained absence, arriving "
        "after the register closed) as a share of the possible sessions."
    ),
    Measure.PERSISTENT_ABSENCE: (
        "The share of pupils who missed 10% or more of their own possible sessions (about one "
        "day a fortnight or more)."
    ),
    Measure.SEVERE_ABSENCE: (
        "The share of pupils who missed 50% or more of their own possible sessions (half the "
        "time or more)."
    ),
}

#: Measures that are rates of pupils, not of sessions.
PUPIL_MEASURES = frozenset({Measure.PERSISTENT_ABSENCE, Measure.SEVERE_ABSENCE})
#: Measures where a higher figure is better (the others: lower is better).
HIGHER_IS_BETTER = frozenset({Measure.ATTENDANCE})


class PeriodKind(StrEnum):
    FULL_YEAR = "full_year"
    YEAR_TO_DATE = "year_to_date"
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


PERIOD_LABELS: dict[PeriodKind, str] = {
    PeriodKind.FULL_YEAR: "Full year",
    PeriodKind.YEAR_TO_DATE: "Year to date",
    PeriodKind.AUTUMN: "Autumn term",
    PeriodKind.SPRING: "Spring term",
    PeriodKind.SUMMER: "Summer term",
}
TERMS = (PeriodKind.AUTUMN, PeriodKind.SPRING, PeriodKind.SUMMER)
_WHOLE_YEAR = frozenset({PeriodKind.FULL_YEAR, PeriodKind.YEAR_TO_DATE})


class ReferencePhase(StrEnum):
    ALL = "all"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIAL = "special"


PHASE_LABELS: dict[ReferencePhase, str] = {
    ReferencePhase.ALL: "All state-funded schools",
    ReferencePhase.PRIMARY: "State-funded primary",
    ReferencePhase.SECONDARY: "State-funded secondary",
    ReferencePhase.SPECIAL: "State-funded special",
}


def reference_phase(school_phase: str) -> ReferencePhase:
    """The national phase a school's figures are compared with: its own for primary, secondary
    and special schools; all schools for the other phases (nursery, all-through, alternative
    provision), which national statistics do not publish separately."""
    try:
        phase = ReferencePhase(school_phase)
    except ValueError:
        return ReferencePhase.ALL
    return phase


_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year_parse(text: str) -> int:
    """ "2024/25" -> 2024 (the year the academic year starts). ValueError when malformed."""
    match = _YEAR.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an academic year in the form YYYY/YY (e.g. 2024/25)")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{text!r}: the second year must follow the first (e.g. 2024/25)")
    return start


def academic_year_label(start: int) -> str:
    """2024 -> "2024/25"."""
    return f"{start}/{(start + 1) % 100:02d}"


def academic_year_of(day: dt.date) -> int:
    """The start year of the academic year (1 August to 31 July) that ``day`` falls in."""
    return day.year if day.month >= 8 else day.year - 1


@dataclass(frozen=True)
class Figure:
    """One published national figure (a row of the reference table)."""

    id: int
    academic_year: int
    period: PeriodKind
    period_label: str
    phase: ReferencePhase
    measure: Measure
    value: Decimal
    source: str
    published: dt.date | None = None
    #: Worked out from another figure (attendance = 100% - overall absence), not published.
    derived: bool = False

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def description(self) -> str:
        """E.g. "2024/25, Full year, all state-funded schools"."""
        return f"{self.year_label}, {self.period_label}, {PHASE_LABELS[self.phase].lower()}"


@dataclass(frozen=True)
class Target:
    """What the school's figures cover: an academic year and a kind of period."""

    academic_year: int
    period: PeriodKind

    @property
    def label(self) -> str:
        return f"{PERIOD_LABELS[self.period]} {academic_year_label(self.academic_year)}"


def _period_distance(published: PeriodKind, wanted: PeriodKind) -> int:
    if published == wanted:
        return 0
    if published in _WHOLE_YEAR and wanted in _WHOLE_YEAR:
        return 1
    if published in _WHOLE_YEAR:  # a term compared with a whole year (or the year so far)
        return 2
    return 3  # another term


def nearest_figure(
    figures: Iterable[Figure], *, measure: Measure, phase: ReferencePhase, target: Target
) -> Figure | None:
    """The published figure of ``measure`` nearest to ``target``, or None.

    The rule, in order: the school's own phase before all schools; the nearest academic year
    (an earlier year before a later one at the same distance); the same kind of period, then a
    whole year (full year or year to date) for a whole-year period, a whole year for a term,
    then another term; then the latest published; then the latest entered. Attendance, when not
    published for the nearest match, is 100% minus the overall absence figure chosen by the same
    rule (the two add up to 100%: every possible session is attended or missed).
    """
    figures = list(figures)
    candidates = [f for f in figures if f.measure == measure and f.phase in (phase, "all")]
    if not candidates:
        if measure == Measure.ATTENDANCE:
            absence = nearest_figure(
                figures, measure=Measure.OVERALL_ABSENCE, phase=phase, target=target
            )
            if absence is not None:
                return Figure(
                    id=absence.id,
                    academic_year=absence.academic_year,
                    period=absence.period,
                    period_label=absence.period_label,
                    phase=absence.phase,
                    measure=Measure.ATTENDANCE,
                    value=Decimal(100) - absence.value,
                    source=absence.source,
                    published=absence.published,
                    derived=True,
                )
        return None
    return min(
        candidates,
        key=lambda f: (
            f.phase != phase,
            abs(f.academic_year - target.academic_year),
            f.academic_year > target.academic_year,
            _period_distance(f.period, target.period),
            -(f.published.toordinal() if f.published else 0),
            -f.id,
        ),
    )


#: A year-to-date figure covers the same period when its snapshot is this close to the end.
YEAR_TO_DATE_SLACK = dt.timedelta(days=7)


def is_same_period(figure: Figure, target: Target, *, end: dt.date | None = None) -> bool:
    """Whether ``figure`` covers the target's year and kind of period; a year-to-date figure only
    when its snapshot date is within a week of ``end`` (the last day of the school's figures)."""
    if figure.academic_year != target.academic_year or figure.period != target.period:
        return False
    if figure.period == PeriodKind.YEAR_TO_DATE:
        return (
            end is not None
            and figure.published is not None
            and abs(figure.published - end) <= YEAR_TO_DATE_SLACK
        )
    return True
