"""Reads of the follow-up: the office's worklist for a day, a pupil's follow-up, overdue N marks.

Only staff who may amend the register *and* see every pupil of the school (office and senior
attendance champion) see them; anyone else gets the same 404 as for a missing school.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from attend.absence import domain
from attend.absence.domain import Escalation, Flags, Step
from attend.absence.models import ContactAttempt, FollowUpSettings, Purpose
from attend.accounts.models import CaseloadEntry, User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.exceptions import NotFoundOrForbidden
from attend.organisations.models import CalendarEntry, School
from attend.pupils.models import Characteristic, Contact, Enrolment
from attend.registers.domain import academic_year_start, school_sessions, week_of
from attend.registers.models import Mark, WeekSummary

FOLLOW_UP_PERMISSIONS = (Permission.REGISTER_AMEND, Permission.PUPIL_VIEW_SCHOOL)
#: How far back the run of unexplained days is counted (well past the referral on day 10).
LOOKBACK = dt.timedelta(weeks=8)


def follow_up_school_ids(actor: User) -> frozenset[int]:
    scope = scope_for(actor)
    return scope.schools_with(FOLLOW_UP_PERMISSIONS[0]) & scope.schools_with(
        FOLLOW_UP_PERMISSIONS[1]
    )


def follow_up_schools_for(actor: User) -> list[School]:
    """The schools whose absences the actor follows up (for links on the home page)."""
    return list(School.objects.filter(pk__in=follow_up_school_ids(actor)).order_by("name"))


def follow_up_school_get_for(actor: User, school_id: int) -> School:
    if school_id not in follow_up_school_ids(actor):
        raise NotFoundOrForbidden
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


def follow_up_enrolment_get_for(actor: User, enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, school_id__in=follow_up_school_ids(actor))
        .select_related("pupil", "school", "registration_group")
        .first()
    )
    if enrolment is None:
        raise NotFoundOrForbidden
    return enrolment


def settings_for(school: School) -> FollowUpSettings:
    """The school's settings, or the defaults (unsaved) when it has none."""
    found = FollowUpSettings.objects.filter(school=school).first()
    return found or FollowUpSettings(school=school)


def school_days(school: School, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days from ``start`` to ``end`` with at least one session in the school's calendar
    (weekdays when it has no calendar), sorted."""
    entries = [e.as_rule() for e in CalendarEntry.objects.filter(school=school)]
    if not entries:
        return domain.weekdays(start, end)
    return sorted({d for d, _ in school_sessions(entries) if start <= d <= end})


def _year_days(school: School, day: dt.date) -> list[dt.date]:
    """School days from the start of the academic year of ``day`` to the end of the next one
    (deadlines of marks late in July fall in September)."""
    start = academic_year_start(day)
    return school_days(school, start, start.replace(year=start.year + 2))


# -------------------------------------------------------------------------------------------------
# The worklist
# -------------------------------------------------------------------------------------------------


@dataclass
class WorklistRow:
    enrolment: Enrolment
    sessions: list[str]
    flags: Flags
    social_workers: list[User]
    contacts: list[Contact]
    attempts: list[ContactAttempt]
    days: int
    previous_unexplained: int
    step: Step
    deadline: dt.date | None
    illness_spells: int = 0
    repeated_illness: bool = False

    @property
    def last_attempt(self) -> ContactAttempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def first_day_sent(self) -> bool:
        return any(a.purpose == Purpose.FIRST_DAY for a in self.attempts)

    @property
    def contacted(self) -> bool:
        return any(a.purpose != Purpose.PROFESSIONAL_ALERT for a in self.attempts)


@dataclass(frozen=True)
class OverdueMark:
    enrolment: Enrolment
    date: dt.date
    sessions: list[str]
    deadline: dt.date | None


@dataclass(frozen=True)
class RepeatedIllness:
    enrolment: Enrolment
    spells: int


@dataclass
class Worklist:
    school: School
    day: dt.date
    settings: FollowUpSettings
    rows: list[WorklistRow]
    overdue: list[OverdueMark] = field(default_factory=list)
    repeated_illness: list[RepeatedIllness] = field(default_factory=list)

    @property
    def vulnerable(self) -> int:
        return sum(1 for r in self.rows if r.flags.vulnerability < domain.Vulnerability.NONE)

    @property
    def contacted(self) -> int:
        return sum(1 for r in self.rows if r.contacted)

    @property
    def not_contacted(self) -> int:
        return len(self.rows) - self.contacted


def worklist_for(actor: User, school_id: int, day: dt.date) -> Worklist:
    """Every pupil with an N mark on ``day`` (morning or afternoon), vulnerable first, with what
    the office needs to follow it up; and the school's overdue N marks as of ``day``.

    A fixed number of queries, however many pupils.
    """
    school = follow_up_school_get_for(actor, school_id)
    settings = settings_for(school)
    days = _year_days(school, day)
    marks = list(
        Mark.objects.filter(enrolment__school=school, date=day, code="N")
        .select_related("enrolment__pupil", "enrolment__registration_group")
        .order_by("session")
    )
    sessions: dict[int, list[str]] = defaultdict(list)
    enrolments: dict[int, Enrolment] = {}
    for mark in marks:
        sessions[mark.enrolment_id].append(mark.session)
        enrolments[mark.enrolment_id] = mark.enrolment
    rows = _rows(list(enrolments.values()), day, days, settings.escalation)
    spells = _illness_spells(Q(enrolment__school=school), day, days)
    for row in rows:
        row.sessions = sessions[row.enrolment.pk]
        row.illness_spells = spells.get(row.enrolment.pk, 0)
        row.repeated_illness = row.illness_spells >= settings.illness_spells
    repeated = {pk: n for pk, n in spells.items() if n >= settings.illness_spells}
    return Worklist(
        school=school,
        day=day,
        settings=settings,
        rows=rows,
        overdue=_overdue(school, day, days),
        repeated_illness=sorted(
            (
                RepeatedIllness(e, repeated[e.pk])
                for e in Enrolment.objects.filter(pk__in=list(repeated)).select_related("pupil")
            ),
            key=lambda r: (-r.spells, r.enrolment.pupil.surname, r.enrolment.pupil.forename),
        ),
    )


def _illness_spells(where: Q, day: dt.date, days: list[dt.date]) -> dict[int, int]:
    """Spells of illness (I) this academic year up to ``day``, by enrolment (one query)."""
    ill: dict[int, set[dt.date]] = defaultdict(set)
    for enrolment_id, date in Mark.objects.filter(
        where, code="I", date__gte=academic_year_start(day), date__lte=day
    ).values_list("enrolment_id", "date"):
        ill[enrolment_id].add(date)
    upto = [d for d in days if d <= day]
    return {pk: domain.illness_spells(dates, upto) for pk, dates in ill.items()}


def _rows(
    enrolments: list[Enrolment], day: dt.date, days: list[dt.date], escalation: Escalation
) -> list[WorklistRow]:
    """Worklist rows of ``enrolments`` for ``day``, in worklist order (6 queries)."""
    if not enrolments:
        return []
    ids = [e.pk for e in enrolments]
    pupil_ids = [e.pupil_id for e in enrolments]
    characteristics: dict[int, dict[str, str]] = defaultdict(dict)
    for pupil_id, kind, value in (
        Characteristic.objects.filter(pupil_id__in=pupil_ids, applies_from__lte=day)
        .order_by("applies_from")
        .values_list("pupil_id", "kind", "value")
    ):
        characteristics[pupil_id][kind] = value  # the latest in force wins
    workers: dict[int, list[User]] = defaultdict(list)
    for entry in _caseload_on(pupil_ids, day):
        workers[entry.pupil_id].append(entry.user)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(pupil_id__in=pupil_ids).order_by(
        "-parental_responsibility", "priority", "surname", "forename"
    ):
        contacts[contact.pupil_id].append(contact)
    attempts: dict[int, list[ContactAttempt]] = defaultdict(list)
    for attempt in (
        ContactAttempt.objects.filter(enrolment_id__in=ids, absence_date=day)
        .select_related("contact", "message")
        .order_by("recorded_at", "pk")
    ):
        attempts[attempt.enrolment_id].append(attempt)
    codes, previous = _history(ids, day)
    rows = []
    for enrolment in enrolments:
        run = domain.consecutive_unexplained_days(day, days, codes[enrolment.pk])
        flags = domain.flags_from(
            characteristics[enrolment.pupil_id].items(), bool(workers[enrolment.pupil_id])
        )
        rows.append(
            WorklistRow(
                enrolment=enrolment,
                sessions=[],
                flags=flags,
                social_workers=workers[enrolment.pupil_id],
                contacts=contacts[enrolment.pupil_id],
                attempts=attempts[enrolment.pk],
                days=max(run, 1),
                previous_unexplained=previous[enrolment.pk],
                step=domain.next_step(max(run, 1), escalation),
                deadline=domain.n_deadline(day, days),
            )
        )
    rows.sort(
        key=lambda r: domain.worklist_key(
            r.flags, r.previous_unexplained, r.enrolment.pupil.surname, r.enrolment.pupil.forename
        )
    )
    return rows


def _caseload_on(pupil_ids: list[int], day: dt.date) -> list[CaseloadEntry]:
    return list(
        CaseloadEntry.objects.filter(pupil_id__in=pupil_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("user")
        .order_by("pk")
    )


def _history(
    ids: list[int], day: dt.date
) -> tuple[dict[int, dict[dt.date, list[str]]], dict[int, int]]:
    """Each enrolment's codes by day over the lookback (for the run of unexplained days), and its
    unexplained (N or O) sessions this academic year before ``day``: whole weeks from WeekSummary,
    the part-weeks at either end from the marks. Three queries."""
    year_start = academic_year_start(day)
    first_monday = week_of(year_start + dt.timedelta(days=6))  # first Monday on or after
    this_week = week_of(day)
    window_start = max(year_start, min(day - LOOKBACK, this_week))
    codes: dict[int, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    previous: dict[int, int] = defaultdict(int)
    for enrolment_id, date, code in Mark.objects.filter(
        enrolment_id__in=ids, date__gte=window_start, date__lte=day
    ).values_list("enrolment_id", "date", "code"):
        codes[enrolment_id][date].append(code)
        in_part_week = date >= this_week or first_monday >= this_week
        if in_part_week and date < day and code in domain.UNEXPLAINED_CODES:
            previous[enrolment_id] += 1
    if first_monday < this_week:
        for enrolment_id, total in (
            WeekSummary.objects.filter(
                enrolment_id__in=ids, week__gte=first_monday, week__lt=this_week
            )
            .values("enrolment_id")
            .annotate(total=Sum("n_n") + Sum("n_o"))
            .values_list("enrolment_id", "total")
        ):
            previous[enrolment_id] += total or 0
        for enrolment_id in Mark.objects.filter(
            enrolment_id__in=ids,
            date__gte=year_start,
            date__lt=first_monday,
            code__in=sorted(domain.UNEXPLAINED_CODES),
        ).values_list("enrolment_id", flat=True):
            previous[enrolment_id] += 1
    return codes, previous


def _overdue(school: School, as_of: dt.date, days: list[dt.date]) -> list[OverdueMark]:
    """N marks of this academic year that are past their deadline on ``as_of`` (one query)."""
    grouped: dict[tuple[int, dt.date], list[Mark]] = defaultdict(list)
    for mark in (
        Mark.objects.filter(
            enrolment__school=school,
            code="N",
            date__gte=academic_year_start(as_of),
            date__lt=as_of,
        )
        .select_related("enrolment__pupil")
        .order_by("date", "enrolment__pupil__surname", "enrolment__pupil__forename", "session")
    ):
        if domain.n_overdue(mark.date, as_of, days):
            grouped[(mark.enrolment_id, mark.date)].append(mark)
    return [
        OverdueMark(
            enrolment=marks[0].enrolment,
            date=date,
            sessions=[m.session for m in marks],
            deadline=domain.n_deadline(date, days),
        )
        for (_, date), marks in grouped.items()
    ]


# -------------------------------------------------------------------------------------------------
# One pupil's follow-up for a day
# -------------------------------------------------------------------------------------------------


@dataclass
class PupilFollowUp:
    enrolment: Enrolment
    day: dt.date
    marks: list[Mark]
    row: WorklistRow
    log: list[ContactAttempt]
    overdue: bool

    @property
    def n_marks(self) -> list[Mark]:
        return [m for m in self.marks if m.code == "N"]


def pupil_follow_up(
    actor: User, enrolment_id: int, day: dt.date, today: dt.date | None = None
) -> PupilFollowUp:
    """A pupil's marks on ``day``, their contacts, flags and step, the log of every attempt made
    about this absence (the run of unexplained days up to ``day``), and whether it is overdue."""
    enrolment = follow_up_enrolment_get_for(actor, enrolment_id)
    today = today or timezone.localdate()
    settings = settings_for(enrolment.school)
    days = _year_days(enrolment.school, day)
    marks = list(
        Mark.objects.filter(enrolment=enrolment, date=day)
        .prefetch_related("amendments")
        .order_by("session")
    )
    (row,) = _rows([enrolment], day, days, settings.escalation)
    row.sessions = [m.session for m in marks if m.code == "N"]
    row.illness_spells = _illness_spells(Q(enrolment=enrolment), day, days).get(enrolment.pk, 0)
    row.repeated_illness = row.illness_spells >= settings.illness_spells
    run_start = _run_start(day, days, row.days)
    log = list(
        ContactAttempt.objects.filter(
            enrolment=enrolment, absence_date__gte=run_start, absence_date__lte=day
        )
        .select_related("contact", "message")
        .order_by("absence_date", "recorded_at", "pk")
    )
    return PupilFollowUp(
        enrolment=enrolment,
        day=day,
        marks=marks,
        row=row,
        log=log,
        overdue=bool(row.sessions) and domain.n_overdue(day, today, days),
    )


def _run_start(day: dt.date, days: list[dt.date], run: int) -> dt.date:
    before = [d for d in days if d <= day]
    return before[-run] if 0 < run <= len(before) else day
