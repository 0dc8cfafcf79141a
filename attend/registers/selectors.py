"""Reads of registers and marks. Every selector takes the actor and starts from what they may see;
an object out of scope is the same 404 as a missing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from attend.accounts.models import User
from attend.accounts.roles import VIRTUAL_SCHOOL_CHARACTERISTICS, Permission
from attend.accounts.scope import scope_for
from attend.core.exceptions import NotFoundOrForbidden
from attend.organisations.models import CalendarEntry, RegistrationGroup, School
from attend.pupils.models import Enrolment, EnrolmentQuerySet, Pupil
from attend.registers.domain import Session, school_sessions
from attend.registers.models import Amendment, Mark, Register


def groups_for(actor: User) -> QuerySet[RegistrationGroup]:
    """The registration groups whose registers the actor may take."""
    scope = scope_for(actor)
    any_school = scope.schools_with(Permission.REGISTER_TAKE_ANY)
    own = scope.schools_with(Permission.REGISTER_TAKE_OWN_GROUPS)
    from django.db.models import Q

    return (
        RegistrationGroup.objects.filter(
            Q(school_id__in=any_school) | Q(school_id__in=own, pk__in=scope.group_ids)
        )
        .select_related("school")
        .order_by("school__name", "name")
    )


def group_get_for(actor: User, group_id: int) -> RegistrationGroup:
    group = groups_for(actor).filter(pk=group_id).first()
    if group is None:
        raise NotFoundOrForbidden
    return group


def schools_for(actor: User, permission: Permission) -> QuerySet[School]:
    return School.objects.filter(pk__in=scope_for(actor).schools_with(permission))


def school_get_for(actor: User, school_id: int, permission: Permission) -> School:
    school = schools_for(actor, permission).filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


def school_session_set(school: School) -> set[tuple[dt.date, Session]] | None:
    """The school's sessions from its calendar, or None when it has no calendar yet."""
    entries = [e.as_rule() for e in CalendarEntry.objects.filter(school=school)]
    if not entries:
        return None
    return set(school_sessions(entries))


def is_school_session(school: School, day: dt.date, session: Session) -> bool:
    sessions = school_session_set(school)
    if sessions is None:
        return day.weekday() < 5
    return (day, session) in sessions


@dataclass(frozen=True)
class RegisterRow:
    enrolment: Enrolment
    mark: Mark | None


@dataclass(frozen=True)
class RegisterSheet:
    group: RegistrationGroup
    day: dt.date
    session: Session
    register: Register | None
    rows: list[RegisterRow]

    @property
    def taken(self) -> bool:
        """Taken in Attend, or every pupil already has a mark (e.g. imported from another MIS):
        from then on it changes only by amendment."""
        return self.register is not None or (
            bool(self.rows) and all(row.mark is not None for row in self.rows)
        )


def register_sheet(actor: User, group_id: int, day: dt.date, session: Session) -> RegisterSheet:
    """A group's register for one session: every pupil on the roll, with any mark already held."""
    group = group_get_for(actor, group_id)
    roll = list(
        Enrolment.objects.on_roll(day)
        .filter(registration_group=group)
        .select_related("pupil")
        .order_by("pupil__surname", "pupil__forename")
    )
    marks = {
        m.enrolment_id: m
        for m in Mark.objects.filter(enrolment__in=roll, date=day, session=session)
        .select_related("recorded_by")
        .prefetch_related("amendments")
    }
    register = Register.objects.filter(group=group, date=day, session=session).first()
    return RegisterSheet(
        group=group,
        day=day,
        session=session,
        register=register,
        rows=[RegisterRow(e, marks.get(e.pk)) for e in roll],
    )


@dataclass(frozen=True)
class MissingRegister:
    group: RegistrationGroup
    pupils: int


def registers_missing(
    actor: User, school: School, day: dt.date, session: Session
) -> list[MissingRegister]:
    """Groups with pupils on roll whose register has not been taken for the session."""
    if not scope_for(actor).can(Permission.REGISTER_MISSING_VIEW, school.pk):
        raise NotFoundOrForbidden
    counts: dict[int, int] = {}
    for group_id in (
        Enrolment.objects.on_roll(day)
        .filter(school=school, registration_group__isnull=False)
        .values_list("registration_group_id", flat=True)
    ):
        counts[group_id] = counts.get(group_id, 0) + 1
    taken = _groups_taken(list(counts), counts, day, {session})
    groups = RegistrationGroup.objects.filter(school=school, pk__in=counts).order_by("name")
    return [MissingRegister(g, counts[g.pk]) for g in groups if (g.pk, session) not in taken]


def _groups_taken(
    group_ids: list[int], roll_sizes: dict[int, int], day: dt.date, sessions: set[Session]
) -> set[tuple[int, Session]]:
    """(group, session) pairs whose register was taken in Attend or where every pupil on the
    roll already has a mark."""
    taken = {
        (group_id, Session(session))
        for group_id, session in Register.objects.filter(
            group_id__in=group_ids, date=day, session__in=sessions
        ).values_list("group_id", "session")
    }
    marked: dict[tuple[int, Session], int] = {}
    for group_id, session in Mark.objects.filter(
        enrolment__in=Enrolment.objects.on_roll(day).filter(registration_group_id__in=group_ids),
        date=day,
        session__in=sessions,
    ).values_list("enrolment__registration_group_id", "session"):
        key = (group_id, Session(session))
        marked[key] = marked.get(key, 0) + 1
    taken.update(k for k, n in marked.items() if n >= roll_sizes.get(k[0], 0) > 0)
    return taken


def enrolments_for(actor: User) -> EnrolmentQuerySet:
    """Enrolments whose records the actor may read: whole schools, a teacher's groups, a social
    worker's caseload or a parent's children (every school), and a virtual school head's
    looked-after, previously looked-after and social-worker children at the LA's schools."""
    scope = scope_for(actor)
    from django.db.models import Q

    condition = (
        Q(school_id__in=scope.schools_with(Permission.PUPIL_VIEW_SCHOOL))
        | Q(
            school_id__in=scope.schools_with(Permission.PUPIL_VIEW_OWN_GROUPS),
            registration_group_id__in=scope.group_ids,
        )
        | Q(pupil_id__in=scope.pupil_ids)
    )
    if scope.virtual_school_la_ids:
        condition |= Q(
            school__local_authority_id__in=scope.virtual_school_la_ids,
            pupil__in=Pupil.objects.with_characteristic(
                list(VIRTUAL_SCHOOL_CHARACTERISTICS), timezone.localdate()
            ),
        )
    return Enrolment.objects.filter(condition)


def enrolment_get_for(actor: User, enrolment_id: int) -> Enrolment:
    enrolment = (
        enrolments_for(actor)
        .select_related("pupil", "school", "registration_group")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise NotFoundOrForbidden
    return enrolment


def enrolment_marks(enrolment: Enrolment, start: dt.date, end: dt.date) -> list[Mark]:
    """The marks of an enrolment in a period, with their amendments (oldest first)."""
    return list(
        Mark.objects.filter(enrolment=enrolment, date__gte=start, date__lte=end)
        .prefetch_related(Prefetch("amendments", queryset=Amendment.objects.order_by("amended_at")))
        .order_by("date", "session")
    )


def registers_taken_for(actor: User, day: dt.date) -> set[tuple[int, Session]]:
    """(group id, session) of the registers taken on `day` for the groups the actor registers."""
    group_ids = list(groups_for(actor).values_list("pk", flat=True))
    sizes: dict[int, int] = {}
    for group_id in (
        Enrolment.objects.on_roll(day)
        .filter(registration_group_id__in=group_ids)
        .values_list("registration_group_id", flat=True)
    ):
        sizes[group_id] = sizes.get(group_id, 0) + 1
    return _groups_taken(group_ids, sizes, day, {Session.AM, Session.PM})


def school_terms(school: School) -> list[CalendarEntry]:
    """The school's terms from its calendar, oldest first."""
    return list(
        CalendarEntry.objects.filter(school=school, kind=CalendarEntry.Kind.TERM).order_by(
            "start_date"
        )
    )


def schools_seen_by(actor: User) -> QuerySet[School]:
    """Every school the actor sees at school level (staff, governors, trust and LA roles)."""
    return School.objects.filter(pk__in=scope_for(actor).school_ids).order_by("name")


def children_for(actor: User) -> EnrolmentQuerySet:
    """Current enrolments of the pupils the actor sees one by one rather than by school: a social
    worker's caseload, a parent's children, a virtual school head's children."""
    scope = scope_for(actor)
    if not scope.pupil_ids and not scope.virtual_school_la_ids:
        return Enrolment.objects.none()
    whole_schools = scope.schools_with(Permission.PUPIL_VIEW_SCHOOL)
    return (
        enrolments_for(actor)
        .exclude(school_id__in=whole_schools)
        .on_roll(timezone.localdate())
        .select_related("pupil", "school")
        .order_by("pupil__surname", "pupil__forename")
    )
