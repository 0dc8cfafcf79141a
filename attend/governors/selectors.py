"""Reads for governors: how the school compares with the other schools of its phase in its LA
and with national figures, the termly report's figures, and the stored termly reports.

Everything here is aggregates only: no pupil is named, and counts of pupils under 5 are withheld
(:mod:`attend.monitoring.selectors` does the suppression). The LA group's figures are exact sums
over its schools (sessions and pupils), never averages of the schools' percentages; they are read
with :func:`attend.monitoring.selectors._tallies`, a fixed number of queries however many schools.
No other school is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.charts import Chart, Series
from attend.core.exceptions import NotFoundOrForbidden
from attend.governors.domain import (
    SMALLEST_GROUP,
    Position,
    Term,
    TermDates,
    academic_year_of,
    position,
    term_dates,
    terms_of_year,
)
from attend.governors.models import GovernorsReport
from attend.monitoring import selectors as monitoring
from attend.monitoring.selectors import Cohort, Headline, SchoolDashboard
from attend.organisations.models import CalendarEntry, Phase, School
from attend.reference.domain import (
    MEASURE_EXPLANATIONS,
    MEASURE_LABELS,
    Figure,
    Measure,
    PeriodKind,
    Target,
    is_same_period,
    nearest_figure,
    reference_phase,
)
from attend.reference.selectors import national_figures
from attend.registers.reports import Period, enrolment_counts

# -------------------------------------------------------------------------------------------------
# The period, as a kind of period national figures are published for
# -------------------------------------------------------------------------------------------------

_SLACK = dt.timedelta(days=14)


def term_entries(school_id: int) -> list[tuple[dt.date, dt.date]]:
    return list(
        CalendarEntry.objects.filter(school_id=school_id, kind=CalendarEntry.Kind.TERM)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    )


@dataclass(frozen=True)
class PeriodMatch:
    target: Target
    #: The period is the whole term, or the academic year from its start: national figures of the
    #: same year and kind cover the same period.
    exact: bool
    term: TermDates | None


def period_match(period: Period, entries: list[tuple[dt.date, dt.date]]) -> PeriodMatch:
    """What kind of period ``period`` is, for finding national figures: a term when it lies in
    one term of the school (give or take 14 days of holiday), else the year to date or the full
    year (when it reaches the end of the summer term)."""
    year = academic_year_of(period.end)
    for term in terms_of_year(year, entries):
        if period.start >= term.start - _SLACK and period.end <= term.end + _SLACK:
            exact = period.start <= term.start and period.end >= term.end
            return PeriodMatch(Target(year, PeriodKind(term.term.value)), exact, term)
    summer = term_dates(year, Term.SUMMER, entries)
    from_start = period.start <= min(term.start for term in terms_of_year(year, entries))
    if period.end >= summer.end:
        return PeriodMatch(Target(year, PeriodKind.FULL_YEAR), from_start, None)
    return PeriodMatch(Target(year, PeriodKind.YEAR_TO_DATE), from_start, None)


# -------------------------------------------------------------------------------------------------
# The comparison
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    measure: Measure
    label: str
    explanation: str
    #: The school's rate; None when withheld or when there is none.
    school: Decimal | None
    school_withheld: bool
    #: The other schools of the phase in the LA together; None when not shown.
    group: Decimal | None
    group_withheld: bool
    national: Figure | None
    #: The national figure covers the same year and kind of period as the school's.
    national_same_period: bool


@dataclass(frozen=True)
class Comparison:
    school: School
    period: Period
    target: Target
    #: e.g. "primary"
    phase_name: str
    la_name: str
    #: Other schools of the phase in the LA with figures in the period.
    other_schools: int
    #: There are enough other schools (SMALLEST_GROUP) to show the group's figures.
    group_shown: bool
    group_pupils: Cohort
    rows: list[ComparisonRow]
    positions: list[str]

    @property
    def group_label(self) -> str:
        return f"Other {self.phase_name} schools in {self.la_name}"

    @property
    def national_figures(self) -> list[Figure]:
        """The national figures shown, once each, for their sources."""
        seen: dict[tuple[int, Measure], Figure] = {}
        for row in self.rows:
            if row.national is not None:
                seen.setdefault((row.national.id, row.measure), row.national)
        return list(seen.values())

    @property
    def notes(self) -> list[tuple[int, str, dt.date | None]]:
        """The national figures' sources, numbered: (number, source, date)."""
        out: dict[str, tuple[int, str, dt.date | None]] = {}
        for row in self.rows:
            f = row.national
            if f is not None and f.source not in out:
                out[f.source] = (len(out) + 1, f.source, f.published)
        return list(out.values())

    @property
    def rows_with_notes(self) -> list[tuple[ComparisonRow, int | None]]:
        numbers = {source: n for n, source, _ in self.notes}
        return [(r, numbers[r.national.source] if r.national else None) for r in self.rows]

    @property
    def any_other_period(self) -> bool:
        return any(r.national is not None and not r.national_same_period for r in self.rows)

    def row(self, measure: Measure) -> ComparisonRow:
        return next(r for r in self.rows if r.measure == measure)

    @property
    def chart(self) -> Chart:
        rows = [r for r in self.rows if r.measure != Measure.ATTENDANCE]
        series = [Series("This school", [r.school for r in rows])]
        if self.group_shown:
            series.append(Series(f"Other {self.phase_name} schools", [r.group for r in rows]))
        series.append(Series("National", [r.national.value if r.national else None for r in rows]))
        return Chart(
            id="comparison-chart",
            title="Absence compared",
            summary=(
                "Absence rates and the shares of pupils in persistent and severe absence: this "
                "school, "
                + (f"the other {self.phase_name} schools of the LA, " if self.group_shown else "")
                + "and the nearest published national figure. Lower is better."
            ),
            categories=[_SHORT[r.measure] for r in rows],
            series=series,
            kind="bar",
            category_label="Absence",
        )


#: The chart's labels under the axis (the table beside it says the same).
_SHORT = {
    Measure.ATTENDANCE: "Attendance",
    Measure.OVERALL_ABSENCE: "Overall",
    Measure.AUTHORISED_ABSENCE: "Authorised",
    Measure.UNAUTHORISED_ABSENCE: "Unauthorised",
    Measure.PERSISTENT_ABSENCE: "Persistent",
    Measure.SEVERE_ABSENCE: "Severe",
}


def _rates(headline: Headline) -> dict[Measure, tuple[Decimal | None, bool]]:
    return {
        Measure.ATTENDANCE: (headline.attendance_rate, False),
        Measure.OVERALL_ABSENCE: (headline.overall_absence_rate, False),
        Measure.AUTHORISED_ABSENCE: (headline.authorised_absence_rate, False),
        Measure.UNAUTHORISED_ABSENCE: (headline.unauthorised_absence_rate, False),
        Measure.PERSISTENT_ABSENCE: (
            headline.persistent_absence.share,
            headline.persistent_absence.withheld,
        ),
        Measure.SEVERE_ABSENCE: (headline.severe_absence.share, headline.severe_absence.withheld),
    }


def _group_headline(tallies: list[monitoring._Tally]) -> Headline:
    """The exact sums of the group's schools, as one tally."""
    group = monitoring._Tally()
    for tally in tallies:
        group.counts += tally.counts
        group.enrolments += tally.enrolments
        group.persistent += tally.persistent
        group.severe += tally.severe
        for category, n in tally.categories.items():
            group.categories[category] += n
    # The group's categories are not shown: only its own small counts are withheld.
    return replace(
        monitoring._headline(group, suppress=False),
        enrolments=monitoring._cohort(group.enrolments, group.enrolments, suppress=True),
        persistent_absence=monitoring._cohort(group.persistent, group.enrolments, suppress=True),
        severe_absence=monitoring._cohort(group.severe, group.enrolments, suppress=True),
    )


def _positions(
    mine: monitoring._Tally,
    others: list[monitoring._Tally],
    headline: Headline,
    phase_name: str,
) -> list[str]:
    if mine.counts.possible == 0:
        return []
    schools = f"{phase_name} schools"
    out: list[Position] = []
    labels: list[str] = []

    def rate(t: monitoring._Tally, part: int) -> Fraction:
        return Fraction(part, t.counts.possible)

    out.append(
        position(
            rate(mine, mine.counts.attended),
            [rate(t, t.counts.attended) for t in others],
            higher_is_better=True,
        )
    )
    labels.append("attendance (highest first)")
    out.append(
        position(
            rate(mine, mine.counts.unauthorised),
            [rate(t, t.counts.unauthorised) for t in others],
            higher_is_better=False,
        )
    )
    labels.append("unauthorised absence (lowest first)")
    if not headline.persistent_absence.withheld and mine.enrolments:
        out.append(
            position(
                Fraction(mine.persistent, mine.enrolments),
                [Fraction(t.persistent, t.enrolments) for t in others],
                higher_is_better=False,
            )
        )
        labels.append("persistent absence (lowest first)")
    return [p.describe(schools, label) for p, label in zip(out, labels, strict=True)]


def _comparison(
    school: School,
    period: Period,
    headline: Headline | None = None,
    entries: list[tuple[dt.date, dt.date]] | None = None,
) -> Comparison:
    same_phase = {
        s.pk: s
        for s in School.objects.filter(
            local_authority_id=school.local_authority_id, phase=school.phase
        ).select_related("local_authority")
    }
    same_phase[school.pk] = school
    tallies = monitoring._tallies(period, same_phase)
    mine = tallies[school.pk]
    others = [t for pk, t in tallies.items() if pk != school.pk and t.counts.possible > 0]
    head = headline or monitoring._headline(mine, suppress=True)
    group_shown = len(others) >= SMALLEST_GROUP
    group = _group_headline(others) if group_shown else None
    phase_name = dict(Phase.choices).get(school.phase, school.phase).lower()

    match = period_match(period, term_entries(school.pk) if entries is None else entries)
    figures = national_figures()
    phase = reference_phase(school.phase)
    school_rates = _rates(head)
    group_rates = _rates(group) if group is not None else {}
    rows = []
    for measure in Measure:
        national = nearest_figure(figures, measure=measure, phase=phase, target=match.target)
        value, withheld = school_rates[measure]
        group_value, group_withheld = group_rates.get(measure, (None, False))
        rows.append(
            ComparisonRow(
                measure=measure,
                label=MEASURE_LABELS[measure],
                explanation=MEASURE_EXPLANATIONS[measure],
                school=value,
                school_withheld=withheld,
                group=group_value,
                group_withheld=group_withheld,
                national=national,
                national_same_period=bool(
                    national is not None
                    and match.exact
                    and is_same_period(national, match.target, end=period.end)
                ),
            )
        )
    return Comparison(
        school=school,
        period=period,
        target=match.target,
        phase_name=phase_name,
        la_name=school.local_authority.name,
        other_schools=len(others),
        group_shown=group_shown,
        group_pupils=group.enrolments if group is not None else Cohort(None),
        rows=rows,
        positions=_positions(mine, others, head, phase_name) if group_shown else [],
    )


@dataclass(frozen=True)
class GovernorsPage:
    """What the governors' view shows besides the dashboard's figures."""

    comparison: Comparison
    #: The terms of the period's academic year that have started (a report link each).
    report_terms: list[TermDates]
    stored_reports: list[GovernorsReport]


def governors_page_for(actor: User, dashboard: SchoolDashboard, today: dt.date) -> GovernorsPage:
    """The comparison, the report links and the stored reports for a dashboard the actor has
    just read (``SCHOOL_AGGREGATES_VIEW`` at its school, checked again here)."""
    school = dashboard.school
    if not scope_for(actor).can(Permission.SCHOOL_AGGREGATES_VIEW, school.pk):
        raise NotFoundOrForbidden
    entries = term_entries(school.pk)
    year = academic_year_of(dashboard.period.end)
    return GovernorsPage(
        comparison=_comparison(school, dashboard.period, dashboard.headline, entries),
        report_terms=[t for t in terms_of_year(year, entries) if t.start <= today],
        stored_reports=list(
            GovernorsReport.objects.filter(school_id=school.pk)
            .defer("pdf")
            .order_by("-academic_year", "-start_date")
        ),
    )


def comparison_for(actor: User, school_id: int, period: Period) -> Comparison:
    """How the school compares (needs ``SCHOOL_AGGREGATES_VIEW`` at the school)."""
    school = monitoring._school_for(actor, school_id)
    return _comparison(school, period)


# -------------------------------------------------------------------------------------------------
# The termly report
# -------------------------------------------------------------------------------------------------


def aggregate_dashboard(school: School, period: Period) -> SchoolDashboard:
    """The governors' view of ``school`` for ``period`` without an actor (for the scheduled
    report): the same pieces as :func:`attend.monitoring.selectors.school_dashboard_for` with
    ``aggregates_only=True``."""
    totals = enrolment_counts(period, school_ids=[school.pk], with_codes=True)
    bands = school.local_authority.bands
    tally = monitoring._Tally()
    width = monitoring._WIDTH
    for values in totals.values():
        tally.add(monitoring._as_counts(values), bands, values[width:])
    return SchoolDashboard(
        school=school,
        period=period,
        headline=monitoring._headline(tally, suppress=True),
        categories=monitoring._category_rows(tally, None, suppress=True),
        reasons=monitoring._reason_rows(tally),
        weeks=monitoring._week_rows(school.pk, period),
        named=False,
        suppressed=True,
    )


@dataclass(frozen=True)
class TermlyReport:
    school: School
    term: TermDates
    period: Period
    dashboard: SchoolDashboard
    comparison: Comparison
    #: The term has not ended: the figures are to ``period.end``.
    partial: bool


def term_period(term: TermDates, today: dt.date) -> Period:
    """The term's dates, cut at ``today`` while it runs. ValueError when it has not started."""
    if term.start > today:
        raise ValueError(f"The {term.label.lower()} has not started yet (it starts {term.start})")
    return Period(term.start, min(term.end, today))


def termly_report(school: School, term: TermDates, today: dt.date) -> TermlyReport:
    period = term_period(term, today)
    dashboard = aggregate_dashboard(school, period)
    return TermlyReport(
        school=school,
        term=term,
        period=period,
        dashboard=dashboard,
        comparison=_comparison(school, period, dashboard.headline),
        partial=period.end < term.end,
    )


def school_term(school_id: int, year: int, term: Term) -> TermDates:
    return term_dates(year, term, term_entries(school_id))


def termly_report_for(
    actor: User, school_id: int, year: int, term: Term, today: dt.date
) -> TermlyReport:
    """The termly report of a school the actor sees aggregates of (a 404 otherwise, and for a
    term that has not started)."""
    school = monitoring._school_for(actor, school_id)
    dates = school_term(school.pk, year, term)
    if dates.start > today:
        raise NotFoundOrForbidden
    return termly_report(school, dates, today)


def stored_report_get_for(actor: User, school_id: int, report_id: int) -> GovernorsReport:
    monitoring._school_for(actor, school_id)
    report = GovernorsReport.objects.filter(pk=report_id, school_id=school_id).first()
    if report is None:
        raise NotFoundOrForbidden
    return report
