"""Reads for "who needs attention" at one school: pupils newly in a worse category, attendance
falling fastest, projected to become persistently absent, and persistently or severely absent
with no open support case.

The rules are :mod:`attend.monitoring.trends` (plain Python); the figures come from
:mod:`attend.registers.reports` (``enrolment_counts``: whole weeks from WeekSummary, part-weeks
from the marks) and from WeekSummary rows for whole weeks, so the number of queries does not
depend on the number of pupils. Needs ``PUPIL_VIEW_SCHOOL`` at the school.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.exceptions import NotFoundOrForbidden
from attend.monitoring import trends
from attend.monitoring.selectors import CATEGORY_LABELS
from attend.monitoring.trends import Window
from attend.organisations.models import CalendarEntry, School
from attend.pupils.models import Enrolment
from attend.registers.domain import (
    AttendanceCategory,
    CategoryBands,
    Counts,
    Session,
    academic_year_start,
    attendance_category,
    percent,
    percent_of,
    school_sessions,
    school_weeks,
    week_of,
)
from attend.registers.models import WeekSummary
from attend.registers.reports import (
    BASE_COLUMNS,
    Period,
    any_marks_between,
    enrolment_counts,
)

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
_WIDTH = len(BASE_COLUMNS)

#: The categories of "persistent or severe absence" for the support-case list.
PERSISTENT_OR_SEVERE = (
    AttendanceCategory.PERSISTENT,
    AttendanceCategory.AT_RISK_OF_SEVERE,
    AttendanceCategory.SEVERE,
)


def open_case_enrolment_ids(school_id: int) -> set[int]:
    """The enrolments at the school with an open support case.

    Support cases are not recorded in Attend yet: they come with the case-work issue (the
    ``support`` app), which will replace this body with a query of its open cases. Until then
    the set is empty, so the list of persistently or severely absent pupils with no open case
    is every such pupil, which is correct today and will shrink when cases exist.
    """
    return set()


def school_for_pupils(actor: User, school_id: int) -> School:
    """The school, if the actor may see its pupils (``PUPIL_VIEW_SCHOOL``); else not found."""
    if not scope_for(actor).can(Permission.PUPIL_VIEW_SCHOOL, school_id):
        raise NotFoundOrForbidden
    school = School.objects.select_related("local_authority").filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


def school_calendar(school: School) -> list[tuple[dt.date, Session]] | None:
    """The sessions the school meets (sorted), or None when it has no calendar."""
    rules = [e.as_rule() for e in CalendarEntry.objects.filter(school=school)]
    return school_sessions(rules) if rules else None


def school_term_dates(
    school: School,
) -> tuple[list[tuple[dt.date, dt.date]], list[tuple[dt.date, Session]]]:
    """The school's terms (start, end) and the sessions it meets, in one query."""
    entries = list(CalendarEntry.objects.filter(school=school))
    terms = [(e.start_date, e.end_date) for e in entries if e.kind == CalendarEntry.Kind.TERM]
    return terms, school_sessions([e.as_rule() for e in entries])


def _counts(values: list[int]) -> Counts:
    return Counts(**dict(zip(BASE_COLUMNS, values[:_WIDTH], strict=True)))


def _window(c: Counts) -> Window:
    return Window(c.attended, c.possible)


def points(change: Fraction | None) -> Decimal | None:
    """A change of rate (a Fraction of 1) in percentage points, two decimals, for display."""
    return percent(change)


@dataclass(frozen=True)
class PupilRef:
    enrolment_id: int
    upn: str
    name: str
    sort_name: tuple[str, str]
    group: str


@dataclass(frozen=True)
class WorseRow:
    pupil: PupilRef
    before: AttendanceCategory
    after: AttendanceCategory
    before_rate: Decimal | None
    after_rate: Decimal | None

    @property
    def before_label(self) -> str:
        return CATEGORY_LABELS[self.before]

    @property
    def after_label(self) -> str:
        return CATEGORY_LABELS[self.after]


@dataclass(frozen=True)
class FallingRow:
    pupil: PupilRef
    earlier: Window
    recent: Window
    change: Fraction

    @property
    def earlier_rate(self) -> Decimal | None:
        return percent_of(self.earlier.attended, self.earlier.possible)

    @property
    def recent_rate(self) -> Decimal | None:
        return percent_of(self.recent.attended, self.recent.possible)

    @property
    def change_points(self) -> Decimal | None:
        return points(self.change)

    @property
    def fall_points(self) -> Decimal | None:
        """The fall as a positive number of percentage points."""
        return points(-self.change)


@dataclass(frozen=True)
class ProjectionRow:
    pupil: PupilRef
    year_to_date: Window
    recent: Window
    remaining: int
    projected: Fraction

    @property
    def rate_now(self) -> Decimal | None:
        return percent_of(self.year_to_date.attended, self.year_to_date.possible)

    @property
    def recent_rate(self) -> Decimal | None:
        return percent_of(self.recent.attended, self.recent.possible)

    @property
    def projected_rate(self) -> Decimal | None:
        return percent(self.projected)


@dataclass(frozen=True)
class NoCaseRow:
    pupil: PupilRef
    counts: Counts
    category: AttendanceCategory

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent_of(self.counts.attended, self.counts.possible)


@dataclass(frozen=True)
class Attention:
    school: School
    as_of: dt.date
    #: The end of last week (the Sunday before as_of's week), or None before the year began.
    last_week_end: dt.date | None
    #: The recent window (first and last Monday) and the earlier weeks (first and last Monday).
    recent_weeks: tuple[dt.date, dt.date] | None
    earlier_weeks: tuple[dt.date, dt.date] | None
    #: Possible sessions left in the year after as_of, from the calendar (None: no calendar).
    remaining_sessions: int | None
    worse: list[WorseRow]
    falling: list[FallingRow]
    projected: list[ProjectionRow]
    no_case: list[NoCaseRow]
    #: Support cases are recorded in Attend (False until the case-work issue).
    cases_recorded: bool = False


def _categories(
    period: Period, school_id: int, bands: CategoryBands
) -> dict[int, tuple[Counts, AttendanceCategory]]:
    found = {}
    for pk, values in enrolment_counts(period, school_ids=[school_id]).items():
        counts = _counts(values)
        category = attendance_category(counts, bands)
        if category is not None:
            found[pk] = (counts, category)
    return found


def _weekly(school_id: int, first: dt.date, last: dt.date) -> dict[int, dict[dt.date, Window]]:
    """Per enrolment and whole week (Mondays first..last): attended and possible sessions."""
    weeks: dict[int, dict[dt.date, Window]] = {}
    for pk, week, present, aea, authorised, unauthorised in WeekSummary.objects.filter(
        school_id=school_id, week__gte=first, week__lte=last
    ).values_list("enrolment_id", "week", "present", "aea", "authorised", "unauthorised"):
        weeks.setdefault(pk, {})[week] = Window(
            present + aea, present + aea + authorised + unauthorised
        )
    return weeks


def _sum(weeks: dict[dt.date, Window], first: dt.date, last: dt.date) -> Window:
    total = Window()
    for week, window in weeks.items():
        if first <= week <= last:
            total += window
    return total


def attention_for(actor: User, school_id: int, as_of: dt.date) -> Attention:
    """The four lists of "who needs attention" at the school as of ``as_of`` (see
    docs/monitoring.md for the exact definitions)."""
    school = school_for_pupils(actor, school_id)
    bands = school.local_authority.bands
    year_start = academic_year_start(as_of)
    now = _categories(Period.of(as_of), school.pk, bands)
    last_week_end: dt.date | None = week_of(as_of) - DAY
    before: dict[int, tuple[Counts, AttendanceCategory]] = {}
    if last_week_end is not None and last_week_end >= year_start:
        before = _categories(Period.of(last_week_end), school.pk, bands)
    else:
        last_week_end = None  # the year began this week: no category last week

    sessions = school_calendar(school)
    whole, _ = Period.of(as_of).split(any_marks_between)
    weekly: dict[int, dict[dt.date, Window]] = {}
    recent_weeks = earlier_weeks = None
    if whole is not None:
        weekly = _weekly(school.pk, whole[0], whole[1])
        if sessions is not None:
            calendar_weeks = school_weeks(sessions)
        else:
            calendar_weeks = sorted({w for rows in weekly.values() for w in rows})
        # A school week counts once it has marks: the current week before its first register
        # would otherwise be an empty week in the recent window.
        with_marks = {w for rows in weekly.values() for w in rows}
        calendar_weeks = [
            w for w in calendar_weeks if whole[0] <= w <= whole[1] and w in with_marks
        ]
        recent_weeks = trends.split_weeks(calendar_weeks, whole[1])
        if recent_weeks is not None and calendar_weeks[0] < recent_weeks[0]:
            earlier_weeks = (calendar_weeks[0], recent_weeks[0] - WEEK)

    year_end = dt.date(year_start.year + 1, 7, 31)
    future = [d for d, _ in sessions if as_of < d <= year_end] if sessions is not None else None

    info = {
        pk: (
            PupilRef(pk, upn, f"{fore} {sur}", (sur.casefold(), fore.casefold()), group or ""),
            leaving,
        )
        for pk, upn, fore, sur, group, leaving, start in Enrolment.objects.filter(
            school_id=school.pk, pk__in=list(now)
        ).values_list(
            "pk",
            "pupil__upn",
            "pupil__forename",
            "pupil__surname",
            "registration_group__name",
            "leaving_date",
            "start_date",
        )
        if (leaving is None or leaving >= as_of) and start <= as_of
    }

    worse, falling, projected, no_case = [], [], [], []
    cases = open_case_enrolment_ids(school.pk)
    for pk, (counts, category) in now.items():
        if pk not in info:
            continue  # not on roll on as_of
        pupil, leaving = info[pk]
        earlier_counts = before.get(pk)
        if earlier_counts is not None and trends.is_worse(earlier_counts[1], category):
            c = earlier_counts[0]
            worse.append(
                WorseRow(
                    pupil,
                    earlier_counts[1],
                    category,
                    percent_of(c.attended, c.possible),
                    percent_of(counts.attended, counts.possible),
                )
            )
        weeks = weekly.get(pk, {})
        recent = _sum(weeks, *recent_weeks) if recent_weeks else Window()
        if recent_weeks and earlier_weeks:
            earlier = _sum(weeks, *earlier_weeks)
            change = trends.attendance_change(earlier, recent)
            if change is not None and trends.is_falling(change):
                falling.append(FallingRow(pupil, earlier, recent, change))
        if future is not None:
            remaining = bisect.bisect_right(future, leaving) if leaving else len(future)
            ytd = _window(counts)
            rate = trends.projected_persistent(ytd, recent, remaining)
            if rate is not None:
                projected.append(ProjectionRow(pupil, ytd, recent, remaining, rate))
        if category in PERSISTENT_OR_SEVERE and pk not in cases:
            no_case.append(NoCaseRow(pupil, counts, category))

    worse.sort(key=lambda r: (-trends.category_rank(r.after), r.pupil.sort_name))
    falling.sort(key=lambda r: (r.change, r.pupil.sort_name))
    projected.sort(key=lambda r: (r.projected, r.pupil.sort_name))
    no_case.sort(key=lambda r: (-trends.category_rank(r.category), r.pupil.sort_name))
    return Attention(
        school=school,
        as_of=as_of,
        last_week_end=last_week_end,
        recent_weeks=recent_weeks,
        earlier_weeks=earlier_weeks,
        remaining_sessions=len(future) if future is not None else None,
        worse=worse,
        falling=falling,
        projected=projected,
        no_case=no_case,
    )
