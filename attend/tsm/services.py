"""Writes for targeted support meetings and the schools' named LA attendance officers.

Each service is keyword-only, takes the acting user (``None`` from the command line, with
``actor_name``), checks the actor's permission at the school, runs in one transaction and records
what it did with :func:`attend.audit.services.audit_record` in that transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from attend.accounts.models import Membership, User
from attend.accounts.roles import Permission, Role
from attend.accounts.scope import scope_for
from attend.audit.services import audit_event, audit_record, audit_record_many
from attend.core.exceptions import AttendError, NotFoundOrForbidden
from attend.organisations.models import CalendarEntry, LocalAuthority, School
from attend.tsm import domain
from attend.tsm.domain import Term
from attend.tsm.models import AgreedAction, TargetedSupportMeeting


@dataclass
class TsmInvalid(AttendError):
    """The input was refused, nothing was written: messages by field name."""

    problems: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(self.problems.values())


def _who(actor: User | None, actor_name: str) -> str:
    return actor.display_name if actor is not None else actor_name


def _school_for(actor: User, school_id: int, permission: Permission) -> School:
    if not scope_for(actor).can(permission, school_id):
        raise NotFoundOrForbidden
    school = School.objects.select_related("local_authority").filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


# -------------------------------------------------------------------------------------------------
# The named LA attendance officer
# -------------------------------------------------------------------------------------------------


def officer_problem(school: School, officer: User | None) -> str | None:
    """Why ``officer`` cannot be the school's named officer, or None when they can."""
    if officer is None:
        return None
    if not Membership.objects.filter(
        user=officer, role=Role.LA_OFFICER, local_authority_id=school.local_authority_id
    ).exists():
        return f"{officer.display_name} is not an LA attendance officer of {school.name}’s LA"
    return None


def school_officers_set(*, actor: User, officers: dict[int, int | None]) -> int:
    """Name the LA attendance officer of schools (school id → user id, or None for nobody).

    Needs ``LA_SETTINGS_MANAGE`` at every school given. All or nothing: one bad officer refuses
    the lot (problems keyed ``officer_<school id>``). Returns how many schools changed.
    """
    with transaction.atomic():
        schools = {
            s.pk: s
            for s in School.objects.select_for_update(of=("self",))
            .select_related("la_attendance_officer")
            .filter(pk__in=list(officers))
        }
        scope = scope_for(actor)
        if set(schools) != set(officers) or not all(
            scope.can(Permission.LA_SETTINGS_MANAGE, pk) for pk in schools
        ):
            raise NotFoundOrForbidden
        users = {u.pk: u for u in User.objects.filter(pk__in=[v for v in officers.values() if v])}
        problems: dict[str, str] = {}
        changed = []
        for pk, user_id in officers.items():
            school = schools[pk]
            officer = users.get(user_id) if user_id else None
            if user_id and officer is None:
                problems[f"officer_{pk}"] = "Choose an LA attendance officer from the list"
                continue
            problem = officer_problem(school, officer)
            if problem:
                problems[f"officer_{pk}"] = problem
            elif school.la_attendance_officer_id != (officer.pk if officer else None):
                changed.append((school, officer))
        if problems:
            raise TsmInvalid(problems)
        for school, officer in changed:
            before = school.la_attendance_officer
            school.la_attendance_officer = officer
            school.save(update_fields=["la_attendance_officer"])
            audit_record(
                actor=actor,
                action="school.la_officer_set",
                obj_type="school",
                obj_id=school.pk,
                school=school,
                before={"la_attendance_officer": before.display_name if before else None},
                after={"la_attendance_officer": officer.display_name if officer else None},
                summary=(
                    f"Named LA attendance officer: {officer.display_name if officer else 'none'}"
                ),
            )
    return len(changed)


# -------------------------------------------------------------------------------------------------
# Scheduling
# -------------------------------------------------------------------------------------------------


def planned_dates(school_ids: Sequence[int], year: int) -> dict[int, dict[Term, dt.date]]:
    """Each school's default planned dates for the year, from its term dates (one query)."""
    first, last = domain.year_bounds(year)
    terms: dict[int, list[tuple[dt.date, dt.date]]] = {pk: [] for pk in school_ids}
    for school_id, start, end in CalendarEntry.objects.filter(
        school_id__in=list(school_ids),
        kind=CalendarEntry.Kind.TERM,
        start_date__gte=first,
        start_date__lte=last,
    ).values_list("school_id", "start_date", "end_date"):
        terms[school_id].append((start, end))
    return {
        pk: {
            term: domain.default_planned_date(start)
            for term, start in domain.term_starts(year, entries).items()
        }
        for pk, entries in terms.items()
    }


def la_schedule(*, actor: User, local_authority_id: int, year: int) -> list[TargetedSupportMeeting]:
    """:func:`schedule_year` from a page: the LA by id (a 404 when not the actor's to manage)."""
    local_authority = LocalAuthority.objects.filter(pk=local_authority_id).first()
    if local_authority is None:
        raise NotFoundOrForbidden
    return schedule_year(local_authority=local_authority, year=year, actor=actor)


def schedule_year(
    *, local_authority: LocalAuthority, year: int, actor: User | None, actor_name: str = ""
) -> list[TargetedSupportMeeting]:
    """Create the missing meetings of the year (one per term) for every school of the LA, on the
    default planned dates, with the school's named officer. Idempotent: meetings that exist are
    left alone. One transaction, one audit event per meeting created. Returns those created.

    From a page (``actor`` given) the actor needs ``TSM_MANAGE`` at every school of the LA.
    """
    if not 2000 <= year <= 2100:
        raise TsmInvalid({"year": "Enter an academic year such as 2026 (for 2026/27)"})
    who = _who(actor, actor_name)
    with transaction.atomic():
        schools = list(
            School.objects.filter(local_authority=local_authority).order_by("name", "urn")
        )
        if actor is not None:
            scope = scope_for(actor)
            if not schools or not all(scope.can(Permission.TSM_MANAGE, s.pk) for s in schools):
                raise NotFoundOrForbidden
        existing = set(
            TargetedSupportMeeting.objects.filter(
                school__local_authority=local_authority, year=year
            ).values_list("school_id", "term")
        )
        dates = planned_dates([s.pk for s in schools], year)
        new = [
            TargetedSupportMeeting(
                school=school,
                year=year,
                term=term.value,
                planned_on=dates[school.pk][term],
                la_officer_id=school.la_attendance_officer_id,
                created_by_name=who,
                updated_by_name=who,
            )
            for school in schools
            for term in Term
            if (school.pk, term.value) not in existing
        ]
        for meeting in new:
            meeting.save()
        audit_record_many(
            audit_event(
                actor=actor,
                actor_name=actor_name,
                action="tsm.schedule",
                obj_type="tsm",
                obj_id=m.pk,
                school=m.school_id,
                after={"year": year, "term": m.term, "planned_on": m.planned_on.isoformat()},
                summary=f"Scheduled the {m.label} targeted support meeting",
            )
            for m in new
        )
    return new


def meeting_plan(
    *,
    actor: User,
    school_id: int,
    year: int,
    term: Term,
    planned_on: dt.date,
    today: dt.date | None = None,
) -> TargetedSupportMeeting:
    """Plan (or replan) the school's meeting for the term: create it if needed, set its date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        school = _school_for(actor, school_id, Permission.TSM_MANAGE)
        meeting = (
            TargetedSupportMeeting.objects.select_for_update(of=("self",))
            .filter(school=school, year=year, term=term.value)
            .first()
        )
        problems = domain.meeting_problems(
            year=year,
            planned_on=planned_on,
            held_on=meeting.held_on if meeting else None,
            today=today,
        )
        if problems:
            raise TsmInvalid(problems)
        before = meeting.planned_on.isoformat() if meeting else None
        if meeting is None:
            meeting = TargetedSupportMeeting(
                school=school,
                year=year,
                term=term.value,
                la_officer_id=school.la_attendance_officer_id,
                created_by_name=actor.display_name,
            )
        meeting.planned_on = planned_on
        meeting.updated_by_name = actor.display_name
        meeting.save()
        audit_record(
            actor=actor,
            action="tsm.plan",
            obj_type="tsm",
            obj_id=meeting.pk,
            school=school,
            before={"planned_on": before},
            after={"planned_on": planned_on.isoformat()},
            summary=(
                f"Planned the {meeting.label} targeted support meeting for {planned_on:%-d %B %Y}"
            ),
        )
    return meeting


# -------------------------------------------------------------------------------------------------
# The meeting record
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """One action row of the record form: ``action_id`` None for a new action."""

    description: str
    owner: str
    due_on: dt.date | None
    done_on: dt.date | None = None
    notes: str = ""
    action_id: int | None = None


@dataclass(frozen=True)
class CarriedInput:
    """An open action of an earlier meeting, updated at this one (done, notes)."""

    action_id: int
    done_on: dt.date | None
    notes: str


@dataclass(frozen=True)
class MeetingRecord:
    held_on: dt.date | None
    attendees: str
    discussion: str
    successes: str
    improvements: str
    la_officer_id: int | None = None
    actions: list[ActionInput] = field(default_factory=list)
    carried: list[CarriedInput] = field(default_factory=list)


def _action_fields(action: AgreedAction) -> dict[str, str | None]:
    return {
        "description": action.description,
        "owner": action.owner,
        "due_on": action.due_on.isoformat(),
        "done_on": action.done_on.isoformat() if action.done_on else None,
        "notes": action.notes,
    }


def meeting_record(
    *,
    actor: User,
    school_id: int,
    year: int,
    term: Term,
    record: MeetingRecord,
    today: dt.date | None = None,
) -> TargetedSupportMeeting:
    """Record the meeting: when it was held, who came, what was discussed, and the agreed actions
    (new ones added, existing ones edited or marked done), and the progress of open actions
    carried from earlier meetings. One transaction and one audit event for the meeting, one per
    action added or changed. Problems are keyed ``held_on``, ``action-N-field`` (N: the row's
    position) and ``carried-N-done_on``."""
    today = today or timezone.localdate()
    with transaction.atomic():
        school = _school_for(actor, school_id, Permission.TSM_MANAGE)
        meeting = (
            TargetedSupportMeeting.objects.select_for_update(of=("self",))
            .filter(school=school, year=year, term=term.value)
            .first()
        )
        if meeting is None:
            meeting = meeting_plan(
                actor=actor,
                school_id=school_id,
                year=year,
                term=term,
                planned_on=planned_dates([school.pk], year)[school.pk][term],
                today=today,
            )
        problems = domain.meeting_problems(
            year=year, planned_on=meeting.planned_on, held_on=record.held_on, today=today
        )
        problems.pop("planned_on", None)
        officer = None
        if record.la_officer_id:
            officer = User.objects.filter(pk=record.la_officer_id).first()
            problem = (
                officer_problem(school, officer)
                if officer
                else "Choose an LA attendance officer from the list"
            )
            if problem:
                problems["la_officer"] = problem
        own = {a.pk: a for a in meeting.actions.all()}
        for n, row in enumerate(record.actions):
            if row.action_id is not None and row.action_id not in own:
                raise NotFoundOrForbidden
            for name, message in domain.action_problems(
                description=row.description, owner=row.owner, due=row.due_on
            ).items():
                problems[f"action-{n}-{name}"] = message
            if row.done_on is not None and row.done_on > today:
                problems[f"action-{n}-done_on"] = "The date done must be today or in the past"
        earlier = {
            a.pk: a
            for a in AgreedAction.objects.filter(
                meeting__school=school, pk__in=[c.action_id for c in record.carried]
            ).exclude(meeting=meeting)
        }
        for n, carried in enumerate(record.carried):
            if carried.action_id not in earlier:
                raise NotFoundOrForbidden
            if carried.done_on is not None and carried.done_on > today:
                problems[f"carried-{n}-done_on"] = "The date done must be today or in the past"
        if problems:
            raise TsmInvalid(problems)

        fields = ["held_on", "attendees", "discussion", "successes", "improvements"]
        before = {f: _text(getattr(meeting, f)) for f in fields}
        before["la_officer"] = meeting.la_officer.display_name if meeting.la_officer else None
        meeting.held_on = record.held_on
        meeting.attendees = record.attendees.strip()
        meeting.discussion = record.discussion.strip()
        meeting.successes = record.successes.strip()
        meeting.improvements = record.improvements.strip()
        meeting.la_officer = officer
        meeting.updated_by_name = actor.display_name
        meeting.save()
        after = {f: _text(getattr(meeting, f)) for f in fields}
        after["la_officer"] = officer.display_name if officer else None
        audit_record(
            actor=actor,
            action="tsm.record",
            obj_type="tsm",
            obj_id=meeting.pk,
            school=school,
            before=before,
            after=after,
            summary=f"Recorded the {meeting.label} targeted support meeting",
        )
        for row in record.actions:
            action = own[row.action_id] if row.action_id is not None else None
            old = _action_fields(action) if action else None
            action = action or AgreedAction(meeting=meeting)
            action.description = row.description.strip()
            action.owner = row.owner.strip()
            assert row.due_on is not None  # checked above
            action.due_on = row.due_on
            action.done_on = row.done_on
            action.notes = row.notes.strip()
            _save_action(actor, school, action, old)
        for progress in record.carried:
            earlier_action = earlier[progress.action_id]
            old = _action_fields(earlier_action)
            earlier_action.done_on = progress.done_on
            earlier_action.notes = progress.notes.strip()
            _save_action(actor, school, earlier_action, old)
    return meeting


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _save_action(
    actor: User, school: School, action: AgreedAction, old: dict[str, str | None] | None
) -> None:
    new = _action_fields(action)
    if old == new:
        return
    action.save()
    audit_record(
        actor=actor,
        action="tsm.action_add" if old is None else "tsm.action_update",
        obj_type="tsm_action",
        obj_id=action.pk,
        school=school,
        before=old,
        after=new,
        summary=("Agreed action added" if old is None else "Agreed action updated")
        + (" (done)" if action.done_on and not (old and old["done_on"]) else ""),
    )
