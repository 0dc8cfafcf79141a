"""Reads for the monitoring pages: a school's dashboard, the governors' view and the LA overview.

Every figure is built on :mod:`attend.registers.reports` (the per-enrolment counts of
`attend report`, read from the weekly summary and the part-weeks' marks) and the rules of
:mod:`attend.registers.domain` (rates, persistent and severe absence, the LA's five categories), so
that a page and the command give the same numbers for the same period.

Each selector takes the actor and starts from their scope. Readers of aggregates only (governors,
LA administrators, and anyone opening the governors' view) never get a pupil list, and every count
of pupils under :data:`SMALLEST_SHOWN` comes back withheld ("fewer than 5"), as does any share
or rate computed from it: the suppression is done here, not in the templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from attend.accounts.models import User
from attend.accounts.roles import ROLE_LEVEL, ROLE_PERMISSIONS, Level, Permission
from attend.accounts.scope import scope_for
from attend.core.charts import Chart, Series, axis_floor
from attend.core.exceptions import NotFoundOrForbidden
from attend.monitoring.domain import SMALLEST_SHOWN, withheld_parts
from attend.monitoring.patterns import Patterns, patterns_for
from attend.organisations.models import Phase, School
from attend.pupils.models import Enrolment
from attend.registers import year_summaries
from attend.registers.domain import (
    CODES,
    DEFAULT_BANDS,
    HISTORIC_CODES,
    AttendanceCategory,
    CategoryBands,
    Counts,
    attendance_category,
    is_persistent_absence,
    is_severe_absence,
    percent_of,
)
from attend.registers.models import CODE_COLUMNS, SchoolWeekSummary
from attend.registers.reports import BASE_COLUMNS, Period, any_marks_between, enrolment_counts

#: Counts of pupils below this are withheld from readers of aggregates only.
FEWER_THAN_5 = "fewer than 5"
#: A count that is not small, withheld so that a small one beside it cannot be worked out.
WITHHELD = "withheld"


def _withheld(count: int) -> Cohort:
    """A withheld count: "fewer than 5" when it is small, else "withheld" (secondary)."""
    return Cohort(None, None, secondary=count >= SMALLEST_SHOWN)


CATEGORY_LABELS: dict[AttendanceCategory, str] = {
    AttendanceCategory.EXPECTED: "Expected attendance",
    AttendanceCategory.AT_RISK_OF_PERSISTENT: "At risk of persistent absence",
    AttendanceCategory.PERSISTENT: "Persistent absence",
    AttendanceCategory.AT_RISK_OF_SEVERE: "At risk of severe absence",
    AttendanceCategory.SEVERE: "Severe absence",
}
STAT_LABELS = {
    "present": "Present",
    "aea": "Approved educational activity",
    "authorised": "Authorised absence",
    "unauthorised": "Unauthorised absence",
    "not_possible": "Not a possible session",
}
_CODE_NAMES = list(CODE_COLUMNS)
_WIDTH = len(BASE_COLUMNS)


def period_default(today: dt.date) -> Period:
    """The academic year to date."""
    return Period.of(today)


# -------------------------------------------------------------------------------------------------
# Counts of pupils, withheld when small
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """A number of pupils and its share (a percentage) of the enrolments.

    ``count`` and ``share`` are ``None`` when withheld (fewer than 5, for a reader of aggregates
    only); ``share`` is also ``None`` when there are no enrolments.
    """

    count: int | None
    share: Decimal | None = None
    #: Withheld although not small, because with the figures beside it it would give a small
    #: one away (secondary suppression): shown as "withheld", never as "fewer than 5".
    secondary: bool = False

    @property
    def withheld(self) -> bool:
        return self.count is None

    def __str__(self) -> str:
        if self.count is None:
            return WITHHELD if self.secondary else FEWER_THAN_5
        return str(self.count)

    @property
    def sort_value(self) -> int:
        """For sorting: a withheld count sorts with the smallest, telling nothing more."""
        return -1 if self.count is None else self.count


def _cohort(count: int, whole: int, *, suppress: bool) -> Cohort:
    if suppress and count < SMALLEST_SHOWN:
        return Cohort(None, None)
    return Cohort(count, percent_of(count, whole))


# -------------------------------------------------------------------------------------------------
# Per enrolment: what the pupils report says
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilLine:
    """One enrolment's figures in the period (the row of `attend report pupils`)."""

    enrolment_id: int
    upn: str
    name: str
    sort_name: tuple[str, str]
    counts: Counts
    category: AttendanceCategory

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.counts.attended, self.counts.possible)

    @property
    def absence_rate(self) -> Decimal | None:
        return percent_of(self.counts.absent, self.counts.possible)

    @property
    def persistent_absence(self) -> bool:
        return is_persistent_absence(self.counts)

    @property
    def severe_absence(self) -> bool:
        return is_severe_absence(self.counts)


def _as_counts(values: list[int]) -> Counts:
    return Counts(**dict(zip(BASE_COLUMNS, values[:_WIDTH], strict=True)))


@dataclass
class _Tally:
    """Sums over the enrolments of one school, as `attend report schools` makes them."""

    counts: Counts = field(default_factory=Counts)
    enrolments: int = 0
    persistent: int = 0
    severe: int = 0
    categories: dict[AttendanceCategory, int] = field(
        default_factory=lambda: dict.fromkeys(AttendanceCategory, 0)
    )
    codes: list[int] = field(default_factory=lambda: [0] * len(_CODE_NAMES))

    def add(
        self, counts: Counts, bands: CategoryBands, codes: list[int] | None = None
    ) -> AttendanceCategory | None:
        self.counts += counts
        if codes:
            self.codes = [a + b for a, b in zip(self.codes, codes, strict=True)]
        category = attendance_category(counts, bands)
        if category is None:  # no possible session: outside every rate
            return None
        self.enrolments += 1
        self.persistent += is_persistent_absence(counts)
        self.severe += is_severe_absence(counts)
        self.categories[category] += 1
        return category


# -------------------------------------------------------------------------------------------------
# Headline figures and the five categories
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    enrolments: Cohort
    possible_sessions: int
    present_sessions: int
    aea_sessions: int
    attended_sessions: int
    authorised_absence: int
    unauthorised_absence: int
    attendance_rate: Decimal | None
    overall_absence_rate: Decimal | None
    authorised_absence_rate: Decimal | None
    unauthorised_absence_rate: Decimal | None
    #: Pupils in persistent absence; the share is the persistent absence rate.
    persistent_absence: Cohort
    #: Pupils in severe absence; the share is the severe absence rate.
    severe_absence: Cohort


def _headline(tally: _Tally, *, suppress: bool) -> Headline:
    c = tally.counts
    possible = c.possible
    n = tally.enrolments
    # Persistent and severe absence are sums of categories: shown beside a withheld category
    # they would give it away, so they are withheld with it.
    hide_absence = suppress and bool(
        withheld_parts([tally.categories[category] for category in AttendanceCategory])
    )
    return Headline(
        enrolments=_cohort(n, n, suppress=suppress),
        possible_sessions=possible,
        present_sessions=c.present,
        aea_sessions=c.aea,
        attended_sessions=c.attended,
        authorised_absence=c.authorised,
        unauthorised_absence=c.unauthorised,
        attendance_rate=percent_of(c.attended, possible),
        overall_absence_rate=percent_of(c.absent, possible),
        authorised_absence_rate=percent_of(c.authorised, possible),
        unauthorised_absence_rate=percent_of(c.unauthorised, possible),
        persistent_absence=(
            _withheld(tally.persistent)
            if hide_absence
            else _cohort(tally.persistent, n, suppress=suppress)
        ),
        severe_absence=(
            _withheld(tally.severe) if hide_absence else _cohort(tally.severe, n, suppress=suppress)
        ),
    )


@dataclass(frozen=True)
class CategoryRow:
    category: AttendanceCategory
    label: str
    cohort: Cohort
    #: The enrolments in the category, by name; None for a reader of aggregates only.
    pupils: list[PupilLine] | None


def _category_rows(
    tally: _Tally, lines: list[PupilLine] | None, *, suppress: bool
) -> list[CategoryRow]:
    rows = []
    counts = [tally.categories[category] for category in AttendanceCategory]
    # The five categories add up to the pupils shown: withhold a second one when only one is
    # small, so that no withheld count can be worked out (monitoring.domain).
    withheld = withheld_parts(counts) if suppress else set()
    for index, category in enumerate(AttendanceCategory):
        pupils = None
        if lines is not None:
            pupils = sorted((p for p in lines if p.category == category), key=lambda p: p.sort_name)
        cohort = (
            _withheld(counts[index])
            if index in withheld
            else _cohort(counts[index], tally.enrolments, suppress=suppress)
        )
        rows.append(
            CategoryRow(
                category=category, label=CATEGORY_LABELS[category], cohort=cohort, pupils=pupils
            )
        )
    return rows


# -------------------------------------------------------------------------------------------------
# Sessions by code, and by week
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRow:
    code: str
    meaning: str
    counted_as: str
    sessions: int
    #: Share of the possible sessions (None for codes that are not possible sessions).
    share: Decimal | None


def _reason_rows(tally: _Tally) -> list[ReasonRow]:
    order = list(STAT_LABELS)
    rows = []
    for code, n in zip(_CODE_NAMES, tally.codes, strict=True):
        if not n:
            continue
        known = CODES.get(code) or HISTORIC_CODES[code]
        possible = known.category.value != "not_possible"
        rows.append(
            ReasonRow(
                code=code,
                meaning=known.meaning + (" (historic code)" if known.historic else ""),
                counted_as=STAT_LABELS[known.category.value],
                sessions=n,
                share=percent_of(n, tally.counts.possible) if possible else None,
            )
        )
    # By statistical category, then in the order of the code table.
    rows.sort(key=lambda r: (order.index(_category_of(r.code)), _CODE_NAMES.index(r.code)))
    return rows


def _category_of(code: str) -> str:
    return (CODES.get(code) or HISTORIC_CODES[code]).category.value


@dataclass(frozen=True)
class WeekRow:
    week: dt.date
    possible_sessions: int
    attended_sessions: int
    authorised_absence: int
    unauthorised_absence: int
    attendance_rate: Decimal | None
    authorised_absence_rate: Decimal | None
    unauthorised_absence_rate: Decimal | None
    overall_absence_rate: Decimal | None


def _week_rows(school_id: int, period: Period) -> list[WeekRow]:
    """The school's whole weeks of the period, from SchoolWeekSummary (a week cut by the period
    counts as whole when no mark lies in the part outside it, as in the reports)."""
    weeks, _ = period.split(any_marks_between)
    if weeks is None:
        return []
    rows = []
    for week in (
        SchoolWeekSummary.objects.filter(
            school_id=school_id, week__gte=weeks[0], week__lte=weeks[1]
        )
        .order_by("week")
        .values("week", "present", "aea", "authorised", "unauthorised")
    ):
        c = Counts(
            present=week["present"],
            aea=week["aea"],
            authorised=week["authorised"],
            unauthorised=week["unauthorised"],
        )
        rows.append(
            WeekRow(
                week=week["week"],
                possible_sessions=c.possible,
                attended_sessions=c.attended,
                authorised_absence=c.authorised,
                unauthorised_absence=c.unauthorised,
                attendance_rate=percent_of(c.attended, c.possible),
                authorised_absence_rate=percent_of(c.authorised, c.possible),
                unauthorised_absence_rate=percent_of(c.unauthorised, c.possible),
                overall_absence_rate=percent_of(c.absent, c.possible),
            )
        )
    return rows


# -------------------------------------------------------------------------------------------------
# A school's dashboard
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolDashboard:
    school: School
    period: Period
    headline: Headline
    categories: list[CategoryRow]
    reasons: list[ReasonRow]
    weeks: list[WeekRow]
    #: The reader may see the pupils behind each number.
    named: bool
    #: Counts under 5 are withheld (aggregates only).
    suppressed: bool
    #: The exact counts of each enrolment with a possible session (for the cohorts).
    enrolment_counts: dict[int, Counts] = field(default_factory=dict)
    #: By day and session, lateness, and by week against last year (monitoring.patterns).
    patterns: Patterns | None = None

    def category(self, category: AttendanceCategory) -> CategoryRow:
        return next(row for row in self.categories if row.category == category)

    @property
    def weeks_chart(self) -> Chart:
        return Chart(
            id="weeks-chart",
            title="Attendance by week",
            summary="The attendance rate of each whole week of the period.",
            categories=[w.week.strftime("%-d %b") for w in self.weeks],
            series=[Series("Attendance", [w.attendance_rate for w in self.weeks])],
            kind="line",
            category_label="Week beginning",
            maximum=Decimal(100),
            minimum=axis_floor(w.attendance_rate for w in self.weeks),
        )


def _school_for(actor: User, school_id: int) -> School:
    scope = scope_for(actor)
    if not scope.can(Permission.SCHOOL_AGGREGATES_VIEW, school_id):
        raise NotFoundOrForbidden
    school = School.objects.select_related("local_authority").filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


def school_dashboard_for(
    actor: User,
    school_id: int,
    period: Period,
    *,
    aggregates_only: bool = False,
    with_patterns: bool = True,
) -> SchoolDashboard:
    """A school's figures for the period: headline counts and rates, the five categories, sessions
    by code and by week; ``with_patterns``, the patterns by day, session, lateness and against
    last year (monitoring.patterns).

    Needs ``SCHOOL_AGGREGATES_VIEW`` at the school. The enrolments behind each category come with
    ``PUPIL_VIEW_SCHOOL`` (and not ``aggregates_only``); without them, counts of pupils under 5
    are withheld.
    """
    school = _school_for(actor, school_id)
    named = not aggregates_only and scope_for(actor).can(Permission.PUPIL_VIEW_SCHOOL, school.pk)
    suppress = not named
    bands = school.local_authority.bands
    totals = year_to_date_counts([school.pk], period)
    if totals is None:
        totals = enrolment_counts(period, school_ids=[school.pk], with_codes=True)
    tally = _Tally()
    found: dict[int, tuple[Counts, AttendanceCategory]] = {}
    for pk, values in totals.items():
        counts = _as_counts(values)
        category = tally.add(counts, bands, values[_WIDTH:])
        if category is not None:
            found[pk] = (counts, category)
    lines = _pupil_lines(school.pk, found) if named else None
    weeks = _week_rows(school.pk, period)
    return SchoolDashboard(
        school=school,
        period=period,
        headline=_headline(tally, suppress=suppress),
        categories=_category_rows(tally, lines, suppress=suppress),
        reasons=_reason_rows(tally),
        weeks=weeks,
        named=named,
        suppressed=suppress,
        enrolment_counts={pk: counts for pk, (counts, _) in found.items()},
        patterns=patterns_for(
            school.pk,
            period,
            shown_weeks=[w.week for w in weeks],
            totals=totals,
            lines=lines,
            pupils=lambda n: _cohort(n, tally.enrolments, suppress=suppress),
        )
        if with_patterns
        else None,
    )


def _pupil_lines(
    school_id: int, found: dict[int, tuple[Counts, AttendanceCategory]]
) -> list[PupilLine]:
    lines = []
    for pk, upn, forename, surname in (
        # The school's enrolments, not `pk__in=found`: an IN list of thousands costs more to
        # build than the few rows it leaves out.
        Enrolment.objects.filter(school_id=school_id)
        .values_list("pk", "pupil__upn", "pupil__forename", "pupil__surname")
        .iterator(chunk_size=5000)
    ):
        if pk not in found:
            continue
        counts, category = found[pk]
        lines.append(
            PupilLine(
                enrolment_id=pk,
                upn=upn,
                name=f"{forename} {surname}",
                sort_name=(surname.casefold(), forename.casefold()),
                counts=counts,
                category=category,
            )
        )
    return lines


def school_category_for(
    actor: User, school_id: int, period: Period, category: AttendanceCategory
) -> tuple[SchoolDashboard, CategoryRow]:
    """The enrolments in one of the five categories (needs ``PUPIL_VIEW_SCHOOL``)."""
    if not scope_for(actor).can(Permission.PUPIL_VIEW_SCHOOL, school_id):
        raise NotFoundOrForbidden
    dashboard = school_dashboard_for(actor, school_id, period, with_patterns=False)
    return dashboard, dashboard.category(category)


# -------------------------------------------------------------------------------------------------
# The LA overview
# -------------------------------------------------------------------------------------------------

_WIDE_ROLES = frozenset(
    role
    for role, level in ROLE_LEVEL.items()
    if level != Level.SCHOOL
    and ROLE_PERMISSIONS[role] & {Permission.SCHOOL_AGGREGATES_VIEW, Permission.PUPIL_VIEW_SCHOOL}
)


def overview_school_ids(actor: User) -> frozenset[int] | None:
    """The schools of the actor's trust and LA memberships that carry aggregates or pupils, or
    None when the actor has no such membership (the overview is then a 404)."""
    scope = scope_for(actor)
    if not scope.roles & _WIDE_ROLES:
        return None
    trusts: set[int] = set()
    las: set[int] = set()
    for trust_id, la_id in actor.memberships.filter(role__in=_WIDE_ROLES).values_list(
        "trust_id", "local_authority_id"
    ):
        if trust_id is not None:
            trusts.add(trust_id)
        if la_id is not None:
            las.add(la_id)
    if not trusts and not las:
        return None
    allowed = scope.schools_with(Permission.SCHOOL_AGGREGATES_VIEW) | scope.schools_with(
        Permission.PUPIL_VIEW_SCHOOL
    )
    return frozenset(
        School.objects.filter(
            Q(trust_id__in=trusts) | Q(local_authority_id__in=las), pk__in=allowed
        ).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class SchoolRow:
    school_id: int
    urn: str
    name: str
    phase: str
    phase_label: str
    enrolments: Cohort
    attendance_rate: Decimal | None
    overall_absence_rate: Decimal | None
    persistent_absence: Cohort
    severe_absence: Cohort
    categories: list[Cohort]
    #: Counts under 5 are withheld (the reader has aggregates only at this school).
    suppressed: bool


def _rate_key(value: Decimal | None) -> Decimal:
    return Decimal(-1) if value is None else value


def _category_key(index: int) -> Callable[[SchoolRow], int]:
    return lambda r: r.categories[index].sort_value


SORT_KEYS: dict[str, Callable[[SchoolRow], Any]] = {
    "name": lambda r: r.name.casefold(),
    "urn": lambda r: r.urn,
    "phase": lambda r: r.phase_label,
    "enrolments": lambda r: r.enrolments.sort_value,
    "attendance": lambda r: _rate_key(r.attendance_rate),
    "absence": lambda r: _rate_key(r.overall_absence_rate),
    "persistent": lambda r: _rate_key(r.persistent_absence.share),
    "severe": lambda r: _rate_key(r.severe_absence.share),
    **{f"category_{c.value}": _category_key(i) for i, c in enumerate(AttendanceCategory)},
}
"""The columns of the overview that it may be sorted by."""


def la_overview_for(
    actor: User,
    period: Period,
    *,
    phase: str | None = None,
    sort: str = "name",
    descending: bool = False,
) -> list[SchoolRow]:
    """Every school the actor sees at trust or LA level, with its figures and five categories.

    ``phase`` keeps the schools of one phase; ``sort`` is a key of :data:`SORT_KEYS` (ties by
    name). Not a trust or LA reader: :class:`NotFoundOrForbidden`.
    """
    school_ids = overview_school_ids(actor)
    if school_ids is None:
        raise NotFoundOrForbidden
    if sort not in SORT_KEYS:
        raise ValueError(f"Unknown sort key {sort!r}")
    schools = School.objects.filter(pk__in=school_ids).select_related("local_authority")
    if phase:
        schools = schools.filter(phase=phase)
    chosen = {s.pk: s for s in schools}
    tallies = _tallies(period, chosen)
    scope = scope_for(actor)
    labels = dict(Phase.choices)
    rows = []
    for school in chosen.values():
        tally = tallies[school.pk]
        suppress = not scope.can(Permission.PUPIL_VIEW_SCHOOL, school.pk)
        head = _headline(tally, suppress=suppress)
        rows.append(
            SchoolRow(
                school_id=school.pk,
                urn=school.urn,
                name=school.name,
                phase=school.phase,
                phase_label=labels.get(school.phase, school.phase),
                enrolments=head.enrolments,
                attendance_rate=head.attendance_rate,
                overall_absence_rate=head.overall_absence_rate,
                persistent_absence=head.persistent_absence,
                severe_absence=head.severe_absence,
                categories=[row.cohort for row in _category_rows(tally, None, suppress=suppress)],
                suppressed=suppress,
            )
        )
    rows.sort(key=lambda r: (r.name.casefold(), r.urn))
    if sort != "name" or descending:
        rows.sort(key=SORT_KEYS[sort], reverse=descending)
    return rows


def _tallies(period: Period, schools: dict[int, School]) -> dict[int, _Tally]:
    tallies = {pk: _Tally() for pk in schools}
    if not schools:
        return tallies
    from_year = _year_to_date_tallies(period, schools)
    if from_year is not None:
        return from_year
    ids: Collection[int] = list(schools)
    totals = enrolment_counts(period, school_ids=ids)
    school_of = dict(
        Enrolment.objects.filter(school_id__in=ids)
        .values_list("pk", "school_id")
        .iterator(chunk_size=10000)
    )
    bands: dict[int, CategoryBands] = {
        pk: school.local_authority.bands for pk, school in schools.items()
    }
    for pk, values in totals.items():
        school_id = school_of[pk]
        tallies[school_id].add(_as_counts(values), bands.get(school_id, DEFAULT_BANDS))
    return tallies


# -------------------------------------------------------------------------------------------------
# The year to date from the year summaries (ADR 3)
# -------------------------------------------------------------------------------------------------


def year_to_date_counts(school_ids: Collection[int], period: Period) -> dict[int, list[int]] | None:
    """What ``enrolment_counts(period, school_ids=..., with_codes=True)`` returns, read from
    EnrolmentYearSummary when the period is an academic year to date with no mark after its
    end; otherwise None (the caller takes the weekly path)."""
    year = year_summaries.covers(period.start, period.end)
    return None if year is None else year_summaries.enrolment_rows(year, school_ids)


def _year_to_date_tallies(period: Period, schools: dict[int, School]) -> dict[int, _Tally] | None:
    """The overview's tallies from SchoolYearSummary (one row per school), or None when the
    period is not a year to date or a school's row was counted under other bands."""
    year = year_summaries.covers(period.start, period.end)
    if year is None:
        return None
    tallies = {pk: _Tally() for pk in schools}
    for pk, row in year_summaries.school_rows(year, list(schools)).items():
        if row["bands"] != year_summaries.bands_key(schools[pk].local_authority.bands):
            return None
        tally = tallies[pk]
        tally.counts = Counts(**{c: int(row[c]) for c in BASE_COLUMNS})
        tally.enrolments = int(row["enrolments"])
        tally.persistent = int(row["persistent_absence"])
        tally.severe = int(row["severe_absence"])
        tally.categories = {
            c: int(row[column]) for c, column in year_summaries.CATEGORY_COLUMNS.items()
        }
    return tallies


# -------------------------------------------------------------------------------------------------
# Links on the home page
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringLinks:
    """What the home page links to: dashboards of the actor's own schools where they see pupils,
    the governors' view of those where they see figures, and the overview for trust and LA
    readers."""

    dashboards: list[School]
    governors_views: list[School]
    overview: bool

    def __bool__(self) -> bool:
        return bool(self.dashboards or self.governors_views or self.overview)


def monitoring_links_for(actor: User) -> MonitoringLinks:
    scope = scope_for(actor)
    figures = scope.schools_with(Permission.SCHOOL_AGGREGATES_VIEW) & scope.member_school_ids
    pupils = figures & scope.schools_with(Permission.PUPIL_VIEW_SCHOOL)
    schools = list(School.objects.filter(pk__in=figures).order_by("name")) if figures else []
    return MonitoringLinks(
        dashboards=[s for s in schools if s.pk in pupils],
        governors_views=schools,
        overview=bool(scope.roles & _WIDE_ROLES and scope.school_ids),
    )
