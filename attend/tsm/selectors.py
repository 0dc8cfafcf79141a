"""Reads for targeted support meetings: the LA's list for a term, a school's meetings, and the
TSM pack for a school and term.

Each selector takes the actor and starts from their scope: ``TSM_VIEW`` at the school (senior
attendance champion and office at their own school, LA officers and administrators, trust leads).
The pack's figures come from :func:`attend.monitoring.selectors.school_dashboard_for`, so they are
the dashboard's (and `attend report`'s) figures; pupils are named only to readers with
``PUPIL_VIEW_SCHOOL`` there, and counts are suppressed for the others, by that selector.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from attend.accounts.models import Membership, User
from attend.accounts.roles import Permission, Role
from attend.accounts.scope import scope_for
from attend.core.exceptions import NotFoundOrForbidden
from attend.monitoring.cohorts import CohortTable, cohort_table_for
from attend.monitoring.priorities import SchoolPriority, school_priorities
from attend.monitoring.selectors import (
    CategoryRow,
    Cohort,
    Headline,
    PupilLine,
    overview_school_ids,
    school_dashboard_for,
)
from attend.organisations.models import School
from attend.pupils.models import Enrolment
from attend.registers.reports import Period
from attend.tsm import domain
from attend.tsm.domain import ActionStatus, Status, Term
from attend.tsm.models import AgreedAction, TargetedSupportMeeting


def _school_for(actor: User, school_id: int, permission: Permission) -> School:
    if not scope_for(actor).can(permission, school_id):
        raise NotFoundOrForbidden
    school = (
        School.objects.select_related("local_authority", "la_attendance_officer")
        .filter(pk=school_id)
        .first()
    )
    if school is None:
        raise NotFoundOrForbidden
    return school


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


# -------------------------------------------------------------------------------------------------
# The LA's list for a term
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TsmListRow:
    school: School
    officer: str
    officer_id: int | None
    meeting: TargetedSupportMeeting | None
    status: Status

    @property
    def overdue(self) -> bool:
        return self.status == Status.OVERDUE


@dataclass(frozen=True)
class TsmList:
    year: int
    term: Term
    rows: list[TsmListRow]
    #: The actor is an LA officer (the "my schools" filter applies to them).
    is_officer: bool
    mine: bool
    can_manage: bool
    #: The LAs whose schools are listed, for scheduling (id, name, code).
    local_authorities: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def summary(self) -> list[tuple[str, int]]:
        """How many meetings of each status, e.g. [("Held", 3), ("Overdue", 1), ...]."""
        return [(s.label, sum(1 for r in self.rows if r.status == s)) for s in Status]

    @property
    def year_label(self) -> str:
        return domain.year_label(self.year)

    @property
    def label(self) -> str:
        return f"{self.term.label} term {domain.year_label(self.year)}"


def tsm_school_ids(actor: User) -> frozenset[int]:
    """The schools of the actor's trust and LA memberships at which they see meetings; a 404
    for anyone without such a membership (school staff see their own school's page instead)."""
    ids = overview_school_ids(actor)
    if ids is None:
        raise NotFoundOrForbidden
    visible = ids & scope_for(actor).schools_with(Permission.TSM_VIEW)
    if not visible:
        raise NotFoundOrForbidden
    return visible


def tsm_list_for(
    actor: User, year: int, term: Term, *, mine: bool = False, today: dt.date
) -> TsmList:
    """Every school the actor sees at LA or trust level, with its meeting for the term, its status
    (overdue when the planned date has passed without the meeting) and its named officer.
    ``mine``: only the schools of which the actor is the named officer. Three queries."""
    ids = tsm_school_ids(actor)
    schools = (
        School.objects.filter(pk__in=ids)
        .select_related("la_attendance_officer", "local_authority")
        .order_by("name", "urn")
    )
    if mine:
        schools = schools.filter(la_attendance_officer=actor)
    school_list = list(schools)
    meetings = {
        m.school_id: m
        for m in TargetedSupportMeeting.objects.filter(
            school_id__in=[s.pk for s in school_list], year=year, term=term.value
        )
    }
    rows = []
    las: dict[int, tuple[int, str, str]] = {}
    for school in school_list:
        la = school.local_authority
        las[la.pk] = (la.pk, la.name, la.code)
        meeting = meetings.get(school.pk)
        rows.append(
            TsmListRow(
                school=school,
                officer=_name(school.la_attendance_officer),
                officer_id=school.la_attendance_officer_id,
                meeting=meeting,
                status=domain.meeting_status(meeting.state if meeting else None, today),
            )
        )
    scope = scope_for(actor)
    return TsmList(
        year=year,
        term=term,
        rows=rows,
        is_officer=Role.LA_OFFICER in scope.roles,
        mine=mine,
        can_manage=bool(ids & scope.schools_with(Permission.TSM_MANAGE)),
        local_authorities=sorted(las.values(), key=lambda la: la[1]),
    )


# -------------------------------------------------------------------------------------------------
# The LA's schools and their named officers
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerRow:
    school: School
    officer_id: int | None
    officer: str


@dataclass(frozen=True)
class OfficerChoices:
    rows: list[OfficerRow]
    #: The LA attendance officers of each LA: local authority id → [(user id, name)].
    officers: dict[int, list[tuple[int, str]]]


def school_officers_for(actor: User) -> OfficerChoices:
    """The schools at which the actor manages LA settings, with their named officer, and the LA
    attendance officers who may be named (a 404 for anyone else). Two queries."""
    ids = scope_for(actor).schools_with(Permission.LA_SETTINGS_MANAGE)
    if not ids:
        raise NotFoundOrForbidden
    schools = list(
        School.objects.filter(pk__in=ids)
        .select_related("la_attendance_officer")
        .order_by("name", "urn")
    )
    officers = school_officer_lists({s.local_authority_id for s in schools})
    return OfficerChoices(
        rows=[
            OfficerRow(
                school=s,
                officer_id=s.la_attendance_officer_id,
                officer=_name(s.la_attendance_officer),
            )
            for s in schools
        ],
        officers=officers,
    )


def la_officer_choices(local_authority_id: int) -> list[tuple[int, str]]:
    """The LA attendance officers of one LA who may be named: (user id, name)."""
    return school_officer_lists({local_authority_id})[local_authority_id]


def school_officer_lists(la_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    officers: dict[int, list[tuple[int, str]]] = {pk: [] for pk in la_ids}
    for membership in (
        Membership.objects.filter(
            role=Role.LA_OFFICER, local_authority_id__in=la_ids, user__is_active=True
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    ):
        assert membership.local_authority_id is not None
        officers[membership.local_authority_id].append(
            (membership.user.pk, membership.user.display_name)
        )
    return officers


# -------------------------------------------------------------------------------------------------
# A school's meetings
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    action: AgreedAction
    #: The meeting that agreed it ("Autumn term 2026/27").
    agreed_at: str
    status: ActionStatus


@dataclass(frozen=True)
class MeetingView:
    year: int
    term: Term
    meeting: TargetedSupportMeeting | None
    status: Status
    officer: str
    actions: list[ActionLine]

    @property
    def label(self) -> str:
        return f"{self.term.label} term {domain.year_label(self.year)}"


@dataclass(frozen=True)
class YearMeetings:
    year: int
    label: str
    meetings: list[MeetingView]


@dataclass(frozen=True)
class SchoolTsms:
    school: School
    officer: str
    years: list[YearMeetings]
    can_manage: bool
    current: tuple[int, Term]


def _meetings_of(school: School) -> dict[tuple[int, Term], TargetedSupportMeeting]:
    return {
        (m.year, m.term_enum): m
        for m in TargetedSupportMeeting.objects.filter(school=school)
        .select_related("la_officer")
        .prefetch_related("actions")
    }


def _action_lines(meeting: TargetedSupportMeeting, today: dt.date) -> list[ActionLine]:
    return [
        ActionLine(
            action=a,
            agreed_at=meeting.label,
            status=domain.action_status(a.due_on, a.done_on, today),
        )
        for a in meeting.actions.all()
    ]


def _meeting_view(
    year: int,
    term: Term,
    meetings: dict[tuple[int, Term], TargetedSupportMeeting],
    today: dt.date,
) -> MeetingView:
    meeting = meetings.get((year, term))
    return MeetingView(
        year=year,
        term=term,
        meeting=meeting,
        status=domain.meeting_status(meeting.state if meeting else None, today),
        officer=_name(meeting.la_officer) if meeting else "",
        actions=_action_lines(meeting, today) if meeting else [],
    )


def school_tsms_for(actor: User, school_id: int, *, today: dt.date) -> SchoolTsms:
    """The school's meetings this academic year and last, each with its agreed actions. Four
    queries."""
    school = _school_for(actor, school_id, Permission.TSM_VIEW)
    meetings = _meetings_of(school)
    this_year = domain.year_of(today)
    years = [
        YearMeetings(
            year=year,
            label=domain.year_label(year),
            meetings=[_meeting_view(year, term, meetings, today) for term in Term],
        )
        for year in (this_year, this_year - 1)
    ]
    return SchoolTsms(
        school=school,
        officer=_name(school.la_attendance_officer),
        years=years,
        can_manage=scope_for(actor).can(Permission.TSM_MANAGE, school.pk),
        current=domain.current_term(today),
    )


@dataclass(frozen=True)
class MeetingForm:
    """What the plan and record forms start from."""

    school: School
    view: MeetingView
    #: Open actions of earlier meetings, to be updated at this one.
    earlier_open: list[ActionLine]
    officers: list[tuple[int, str]]


def meeting_for(
    actor: User, school_id: int, year: int, term: Term, *, today: dt.date
) -> MeetingForm:
    """The school's meeting for the term (``view.meeting`` None if not scheduled), for the plan
    and record forms: needs ``TSM_MANAGE``."""
    school = _school_for(actor, school_id, Permission.TSM_MANAGE)
    meetings = _meetings_of(school)
    return MeetingForm(
        school=school,
        view=_meeting_view(year, term, meetings, today),
        earlier_open=_earlier_open(meetings, year, term, today),
        officers=la_officer_choices(school.local_authority_id),
    )


def _earlier_open(
    meetings: dict[tuple[int, Term], TargetedSupportMeeting],
    year: int,
    term: Term,
    today: dt.date,
) -> list[ActionLine]:
    """Actions of meetings before (year, term) that are not done, oldest meeting first."""
    key = domain.sort_key(year, term)
    lines = []
    for (y, t), meeting in sorted(meetings.items(), key=lambda kv: domain.sort_key(*kv[0])):
        if domain.sort_key(y, t) >= key:
            continue
        lines += [line for line in _action_lines(meeting, today) if line.action.done_on is None]
    return lines


# -------------------------------------------------------------------------------------------------
# The TSM pack
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeverePupil:
    enrolment_id: int
    upn: str
    name: str
    year_group: str
    attendance_rate: Decimal | None
    possible_sessions: int
    attended_sessions: int
    absent_sessions: int
    unauthorised_sessions: int


@dataclass(frozen=True)
class TsmPack:
    """Everything the pack for a school and term shows, one field per section, in order.

    ``cohorts`` and ``priorities`` come from attend.monitoring (the school's cohorts against all
    other pupils, and the school's value on each of the LA's priorities).
    """

    school: School
    year: int
    term: Term
    #: The meeting (None: not scheduled yet) and its status.
    meeting: TargetedSupportMeeting | None
    status: Status
    officer: str
    generated_at: dt.datetime
    #: 1. The school's figures for the academic year to date (school_dashboard_for).
    period: Period
    headline: Headline
    categories: list[CategoryRow]
    #: Counts under 5 are withheld (the reader sees aggregates only at this school).
    suppressed: bool
    #: 2. The severely absent pupils, for whom a joint approach must be agreed. None for a reader
    #: of aggregates only, who sees ``severe_count`` alone.
    severe_pupils: list[SeverePupil] | None
    severe_count: Cohort
    #: 3. The previous meeting, its discussion and its actions with their status now.
    previous: TargetedSupportMeeting | None
    previous_actions: list[ActionLine]
    #: 4. Actions of meetings before the previous one that are still open.
    earlier_open_actions: list[ActionLine]
    #: 5. This meeting's own record, once there is one.
    actions: list[ActionLine]
    #: 6. The school's cohorts against all other pupils (monitoring.cohorts), suppressed as the
    #: dashboard is for this reader.
    cohorts: CohortTable | None = None
    #: 7. The school's own value on each of its LA's priorities (monitoring.priorities).
    priorities: list[SchoolPriority] | None = None

    @property
    def label(self) -> str:
        return f"{self.term.label} term {domain.year_label(self.year)}"

    @property
    def named(self) -> bool:
        return self.severe_pupils is not None


def pack_period(year: int, today: dt.date) -> Period:
    """The academic year ``year`` to date (to its end once it is over)."""
    first, last = domain.year_bounds(year)
    if today < first:
        return Period.of(today)
    return Period(first, min(today, last))


def tsm_pack_for(
    actor: User, school_id: int, year: int, term: Term, *, today: dt.date, now: dt.datetime
) -> TsmPack:
    """The TSM pack of the school for the term (needs ``TSM_VIEW``)."""
    school = _school_for(actor, school_id, Permission.TSM_VIEW)
    period = pack_period(year, today)
    dashboard = school_dashboard_for(actor, school.pk, period)
    severe: list[SeverePupil] | None = None
    if dashboard.named:
        lines: list[PupilLine] = [
            p for row in dashboard.categories for p in (row.pupils or []) if p.severe_absence
        ]
        lines.sort(key=lambda p: p.sort_name)
        year_groups = dict(
            Enrolment.objects.filter(pk__in=[p.enrolment_id for p in lines]).values_list(
                "pk", "year_group"
            )
        )
        severe = [
            SeverePupil(
                enrolment_id=p.enrolment_id,
                upn=p.upn,
                name=p.name,
                year_group=year_groups.get(p.enrolment_id, ""),
                attendance_rate=p.attendance_rate,
                possible_sessions=p.counts.possible,
                attended_sessions=p.counts.attended,
                absent_sessions=p.counts.absent,
                unauthorised_sessions=p.counts.unauthorised,
            )
            for p in lines
        ]
    meetings = _meetings_of(school)
    this = _meeting_view(year, term, meetings, today)
    key = domain.sort_key(year, term)
    before = sorted(
        (k for k in meetings if domain.sort_key(*k) < key), key=lambda k: domain.sort_key(*k)
    )
    previous = meetings[before[-1]] if before else None
    earlier: list[ActionLine] = []
    if previous is not None:
        earlier = _earlier_open(meetings, previous.year, previous.term_enum, today)
    return TsmPack(
        school=school,
        year=year,
        term=term,
        meeting=this.meeting,
        status=this.status,
        officer=this.officer or _name(school.la_attendance_officer),
        generated_at=now,
        period=period,
        headline=dashboard.headline,
        categories=dashboard.categories,
        suppressed=dashboard.suppressed,
        severe_pupils=severe,
        severe_count=dashboard.headline.severe_absence,
        previous=previous,
        previous_actions=_action_lines(previous, today) if previous else [],
        earlier_open_actions=earlier,
        actions=this.actions,
        cohorts=cohort_table_for(dashboard),
        priorities=school_priorities(school, period, dashboard.enrolment_counts),
    )


# -------------------------------------------------------------------------------------------------
# Links on the home page
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TsmLinks:
    """The LA's list (trust and LA readers), the named-officer page (LA administrators), and the
    meetings page of each of the actor's own schools (senior and office staff)."""

    meetings: bool
    officers: bool
    schools: list[School]

    def __bool__(self) -> bool:
        return bool(self.meetings or self.officers or self.schools)


def tsm_links_for(actor: User) -> TsmLinks:
    scope = scope_for(actor)
    own = scope.schools_with(Permission.TSM_VIEW) & scope.member_school_ids
    wide = bool(scope.schools_with(Permission.TSM_VIEW) - scope.member_school_ids)
    return TsmLinks(
        meetings=wide and overview_school_ids(actor) is not None,
        officers=bool(scope.schools_with(Permission.LA_SETTINGS_MANAGE)),
        schools=list(School.objects.filter(pk__in=own).order_by("name")) if own else [],
    )
