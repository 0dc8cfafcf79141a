"""Patterns of a school's attendance for its dashboard: absence by day of the week and morning or
afternoon, lateness (L and U), and each whole week against the same school week last year.

Built by :func:`attend.monitoring.selectors.school_dashboard_for` (which checks the reader's
scope) from the maintained summaries, never from the marks: days and sessions from
SchoolSessionSummary (one row per school, date and session, so any period is exact), weeks from
SchoolWeekSummary (the whole weeks of the dashboard), and the late pupils from the per-enrolment
counts the dashboard already holds. Two queries whatever the number of pupils or weeks.

The figures by day, session and week are counts of sessions, shown to every reader; counts of
pupils come as a :class:`~attend.monitoring.selectors.Cohort` (withheld when small for readers of
aggregates only), and no late pupil is named to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from attend.core.charts import Chart, Series
from attend.monitoring.week_alignment import academic_year_of_week, align_with_last_year
from attend.registers.domain import Counts, percent_of
from attend.registers.models import CODE_COLUMNS, SchoolSessionSummary, SchoolWeekSummary
from attend.registers.reports import BASE_COLUMNS, Period

if TYPE_CHECKING:
    from attend.monitoring.selectors import Cohort, PupilLine

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SESSION_LABELS = {"AM": "Morning (AM)", "PM": "Afternoon (PM)"}
#: How many of the most often late pupils the dashboard lists.
MOST_LATE = 10
_WIDTH = len(BASE_COLUMNS)
_L = _WIDTH + list(CODE_COLUMNS).index("L")
_U = _WIDTH + list(CODE_COLUMNS).index("U")


# -------------------------------------------------------------------------------------------------
# By day of the week and session
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFigures:
    """The sessions of a group of dates and sessions (a weekday, AM or PM, or both)."""

    label: str
    counts: Counts
    late_minutes: int = 0

    @property
    def possible(self) -> int:
        return self.counts.possible

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.counts.attended, self.counts.possible)

    @property
    def absence_rate(self) -> Decimal | None:
        return percent_of(self.counts.absent, self.counts.possible)

    @property
    def authorised_rate(self) -> Decimal | None:
        return percent_of(self.counts.authorised, self.counts.possible)

    @property
    def unauthorised_rate(self) -> Decimal | None:
        return percent_of(self.counts.unauthorised, self.counts.possible)

    @property
    def late_rate(self) -> Decimal | None:
        return percent_of(self.counts.late, self.counts.possible)


@dataclass(frozen=True)
class DayRow:
    """One day of the week: both sessions, the morning and the afternoon."""

    weekday: int
    day: SessionFigures
    am: SessionFigures
    pm: SessionFigures


@dataclass(frozen=True)
class DaysAndSessions:
    days: list[DayRow]
    sessions: list[SessionFigures]

    @property
    def empty(self) -> bool:
        return not any(s.possible for s in self.sessions)

    @property
    def chart(self) -> Chart:
        return Chart(
            id="days-chart",
            title="Absence by day of the week and session",
            summary=(
                "The overall absence rate of each weekday's morning and afternoon sessions in "
                "the period."
            ),
            categories=[WEEKDAYS[d.weekday] for d in self.days],
            series=[
                Series(SESSION_LABELS["AM"], [d.am.absence_rate for d in self.days]),
                Series(SESSION_LABELS["PM"], [d.pm.absence_rate for d in self.days]),
            ],
            kind="bar",
            category_label="Day",
        )


def _days_and_sessions(school_id: int, period: Period) -> DaysAndSessions:
    # Sums per (weekday, session) of the columns read, in that order (plain ints: about 400 rows
    # a year, added without building objects).
    columns = ("present", "aea", "authorised", "unauthorised", "not_possible", "late")
    sums: dict[tuple[int, str], list[int]] = {}
    for day, session, *values in SchoolSessionSummary.objects.filter(
        school_id=school_id, date__gte=period.start, date__lte=period.end
    ).values_list("date", "session", *columns, "late_minutes"):
        held = sums.setdefault((day.weekday(), session), [0] * (len(columns) + 1))
        for i, value in enumerate(values):
            held[i] += value
    cells = {key: (Counts(*v[:-1]), v[-1]) for key, v in sums.items()}

    def figures(label: str, keys: Sequence[tuple[int, str]]) -> SessionFigures:
        counts, minutes = Counts(), 0
        for key in keys:
            if key in cells:
                counts += cells[key][0]
                minutes += cells[key][1]
        return SessionFigures(label, counts, minutes)

    weekdays = [d for d in range(7) if d < 5 or any(k[0] == d for k in cells)]
    days = [
        DayRow(
            weekday=d,
            day=figures(WEEKDAYS[d], [(d, "AM"), (d, "PM")]),
            am=figures(f"{WEEKDAYS[d]} morning", [(d, "AM")]),
            pm=figures(f"{WEEKDAYS[d]} afternoon", [(d, "PM")]),
        )
        for d in weekdays
    ]
    sessions = [
        figures(label, [(d, session) for d in weekdays])
        for session, label in SESSION_LABELS.items()
    ]
    return DaysAndSessions(days=days, sessions=sessions)


# -------------------------------------------------------------------------------------------------
# Lateness
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateFigures:
    """Late sessions: L (late before the register closed, counted as present) and U (late after
    it closed, an unauthorised absence), of the possible sessions."""

    possible: int
    before_close: int
    after_close: int
    minutes: int

    @property
    def late(self) -> int:
        return self.before_close + self.after_close

    @property
    def before_close_rate(self) -> Decimal | None:
        return percent_of(self.before_close, self.possible)

    @property
    def after_close_rate(self) -> Decimal | None:
        return percent_of(self.after_close, self.possible)

    @property
    def late_rate(self) -> Decimal | None:
        return percent_of(self.late, self.possible)


@dataclass(frozen=True)
class LateWeek:
    week: dt.date
    figures: LateFigures


@dataclass(frozen=True)
class LatePupil:
    enrolment_id: int
    upn: str
    name: str
    figures: LateFigures


@dataclass(frozen=True)
class Lateness:
    #: The period as a whole (part-weeks included).
    total: LateFigures
    #: Each whole week of the period (the weeks of the dashboard).
    weeks: list[LateWeek]
    #: Pupils with at least one late session (withheld when small for aggregate readers).
    pupils_late: Cohort
    #: The pupils most often late, most first; None for a reader of aggregates only.
    pupils: list[LatePupil] | None

    @property
    def minutes_recorded(self) -> bool:
        return self.total.minutes > 0 or any(w.figures.minutes for w in self.weeks)

    @property
    def chart(self) -> Chart:
        return Chart(
            id="late-chart",
            title="Late sessions by week",
            summary=(
                "The share of possible sessions marked late before the register closed (L) and "
                "after it closed (U), for each whole week of the period."
            ),
            categories=[w.week.strftime("%-d %b") for w in self.weeks],
            series=[
                Series("Late before close (L)", [w.figures.before_close_rate for w in self.weeks]),
                Series("Late after close (U)", [w.figures.after_close_rate for w in self.weeks]),
            ],
            kind="line",
            category_label="Week beginning",
        )


def _most_late(
    totals: dict[int, list[int]], lines: list[PupilLine] | None
) -> list[LatePupil] | None:
    if lines is None:
        return None
    named = {line.enrolment_id: line for line in lines}
    found = []
    for pk, values in totals.items():
        before, after = values[_L], values[_U]
        line = named.get(pk)
        if before + after and line is not None:
            figures = LateFigures(line.counts.possible, before, after, 0)
            found.append(LatePupil(pk, line.upn, line.name, figures))
    found.sort(
        key=lambda p: (-p.figures.late, -p.figures.after_close, named[p.enrolment_id].sort_name)
    )
    return found[:MOST_LATE]


# -------------------------------------------------------------------------------------------------
# By week against last year
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFigures:
    week: dt.date
    counts: Counts

    @property
    def possible(self) -> int:
        return self.counts.possible

    @property
    def absence_rate(self) -> Decimal | None:
        return percent_of(self.counts.absent, self.counts.possible)

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.counts.attended, self.counts.possible)


@dataclass(frozen=True)
class YearWeekRow:
    #: School week number in the academic year (week_alignment).
    number: int
    this_year: WeekFigures
    last_year: WeekFigures | None

    @property
    def difference(self) -> Decimal | None:
        """This year's absence rate less last year's, in percentage points (display only)."""
        now = self.this_year.absence_rate
        then = None if self.last_year is None else self.last_year.absence_rate
        return None if now is None or then is None else now - then

    @property
    def last_year_absence_rate(self) -> Decimal | None:
        return None if self.last_year is None else self.last_year.absence_rate


@dataclass(frozen=True)
class AgainstLastYear:
    rows: list[YearWeekRow]

    @property
    def any_last_year(self) -> bool:
        return any(r.last_year is not None for r in self.rows)

    @property
    def chart(self) -> Chart:
        series = [Series("This year", [r.this_year.absence_rate for r in self.rows])]
        if self.any_last_year:
            series.append(Series("Last year", [r.last_year_absence_rate for r in self.rows]))
        return Chart(
            id="last-year-chart",
            title="Absence by school week, this year and last year",
            summary=(
                "The overall absence rate of each whole school week of the period against the "
                "week with the same number in the previous academic year."
            ),
            categories=[f"Week {r.number}" for r in self.rows],
            series=series,
            kind="line",
            category_label="School week",
        )


# -------------------------------------------------------------------------------------------------
# Together
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patterns:
    days: DaysAndSessions
    lateness: Lateness
    last_year: AgainstLastYear


@dataclass(frozen=True)
class _Week:
    counts: Counts
    before_close: int
    after_close: int
    minutes: int


def _week_counts(school_id: int, shown: Sequence[dt.date]) -> dict[dt.date, _Week]:
    """The figures of each week from the start of the academic year before the first shown week
    to the last shown week (school weeks are numbered from the start of each year)."""
    if not shown:
        return {}
    first = dt.date(academic_year_of_week(min(shown)) - 1, 8, 1) - dt.timedelta(days=6)
    weeks = {}
    for week, present, aea, authorised, unauthorised, n_l, n_u, minutes in (
        SchoolWeekSummary.objects.filter(school_id=school_id, week__gte=first, week__lte=max(shown))
        .order_by("week")
        .values_list(
            "week",
            "present",
            "aea",
            "authorised",
            "unauthorised",
            CODE_COLUMNS["L"],
            CODE_COLUMNS["U"],
            "late_minutes",
        )
    ):
        counts = Counts(present, aea, authorised, unauthorised, late=n_l + n_u)
        weeks[week] = _Week(counts, n_l, n_u, minutes)
    return weeks


def patterns_for(
    school_id: int,
    period: Period,
    *,
    shown_weeks: Sequence[dt.date],
    totals: dict[int, list[int]],
    lines: list[PupilLine] | None,
    pupils: Callable[[int], Cohort],
) -> Patterns:
    """The patterns of a school in the period (the reader's scope is checked by the caller).

    ``shown_weeks``: the whole weeks of the dashboard; ``totals``: per enrolment, the counts of
    :func:`attend.registers.reports.enrolment_counts` with codes; ``lines``: the named pupils
    (None for a reader of aggregates only); ``pupils``: a count of pupils as the reader may
    see it.
    """
    days = _days_and_sessions(school_id, period)
    weeks = _week_counts(school_id, shown_weeks)
    possible = before = after = 0
    late_pupils = 0
    for values in totals.values():
        possible += values[0] + values[1] + values[2] + values[3]  # present, aea, auth., unauth.
        before += values[_L]
        after += values[_U]
        late_pupils += bool(values[_L] or values[_U])
    minutes = sum(s.late_minutes for s in days.sessions)
    late_weeks = []
    for week in shown_weeks:
        held = weeks.get(week, _Week(Counts(), 0, 0, 0))
        figures = LateFigures(
            held.counts.possible, held.before_close, held.after_close, held.minutes
        )
        late_weeks.append(LateWeek(week, figures))
    lateness = Lateness(
        total=LateFigures(possible, before, after, minutes),
        weeks=late_weeks,
        pupils_late=pupils(late_pupils),
        pupils=_most_late(totals, lines),
    )
    school_weeks = [w for w, held in weeks.items() if held.counts.possible]
    rows = []
    for aligned in align_with_last_year(shown_weeks, school_weeks):
        last = aligned.last_year
        rows.append(
            YearWeekRow(
                number=aligned.number,
                this_year=WeekFigures(aligned.week, weeks[aligned.week].counts),
                last_year=None if last is None else WeekFigures(last, weeks[last].counts),
            )
        )
    return Patterns(days=days, lateness=lateness, last_year=AgainstLastYear(rows))
