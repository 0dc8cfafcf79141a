"""School-defined flags on pupils (for example "Anxiety-related absence"): reads and writes.

A flag belongs to a school or to an LA (then every school of the LA has it). A school's staff with
``FLAG_MANAGE`` and ``PUPIL_VIEW_SCHOOL`` define the school's flags and put their pupils in any of
the school's flags from a date, by UPN; they end a pupil's flag on a date. The pupil flags a
school sets are seen by that school only. Every write is one transaction and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.audit.services import audit_event, audit_record, audit_record_many
from attend.core.exceptions import AttendError, NotFoundOrForbidden
from attend.organisations.models import School
from attend.pupils.domain import InvalidUPN, upn_validate
from attend.pupils.models import Enrolment, Flag, PupilFlag


@dataclass
class FlagInputError(AttendError):
    """What was asked cannot be done; each problem names its field (and its UPN)."""

    field: str
    messages: list[str]

    def __str__(self) -> str:
        return "; ".join(self.messages)


def _school_for(actor: User, school_id: int) -> School:
    scope = scope_for(actor)
    if not (
        scope.can(Permission.FLAG_MANAGE, school_id)
        and scope.can(Permission.PUPIL_VIEW_SCHOOL, school_id)
    ):
        raise NotFoundOrForbidden
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        raise NotFoundOrForbidden
    return school


def _flags_of(school: School) -> Q:
    return Q(school_id=school.pk) | Q(local_authority_id=school.local_authority_id)


# -------------------------------------------------------------------------------------------------
# Reads
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagLine:
    flag: Flag
    #: Pupils with the flag today (set by this school).
    current: int
    by_la: bool


def flag_list_for(actor: User, school_id: int) -> tuple[School, list[FlagLine]]:
    """The school's flags and its LA's, each with the pupils flagged today by this school."""
    school = _school_for(actor, school_id)
    today = timezone.localdate()
    in_force = Q(pupil_flags__school_id=school.pk, pupil_flags__start_date__lte=today) & (
        Q(pupil_flags__end_date__isnull=True) | Q(pupil_flags__end_date__gte=today)
    )
    flags = (
        Flag.objects.filter(_flags_of(school))
        .annotate(current=Count("pupil_flags", filter=in_force))
        .order_by("name", "pk")
    )
    return school, [
        FlagLine(flag=f, current=f.current, by_la=f.local_authority_id is not None) for f in flags
    ]


@dataclass(frozen=True)
class PupilFlagLine:
    pupil_flag_id: int
    upn: str
    name: str
    start_date: dt.date
    end_date: dt.date | None
    set_by: str
    ended_by: str
    current: bool


def flag_for(actor: User, school_id: int, flag_id: int) -> tuple[School, Flag, list[PupilFlagLine]]:
    """One of the school's flags with the pupils this school flagged (current first)."""
    school = _school_for(actor, school_id)
    flag = Flag.objects.filter(_flags_of(school), pk=flag_id).first()
    if flag is None:
        raise NotFoundOrForbidden
    today = timezone.localdate()
    lines = [
        PupilFlagLine(
            pupil_flag_id=pf.pk,
            upn=pf.pupil.upn,
            name=pf.pupil.full_name,
            start_date=pf.start_date,
            end_date=pf.end_date,
            set_by=pf.set_by_name,
            ended_by=pf.ended_by_name,
            current=pf.start_date <= today and (pf.end_date is None or pf.end_date >= today),
        )
        for pf in PupilFlag.objects.filter(school_id=school.pk, flag=flag).select_related("pupil")
    ]
    lines.sort(key=lambda x: (not x.current, x.name.casefold(), x.start_date))
    return school, flag, lines


def pupil_flag_for(
    actor: User, school_id: int, flag_id: int, pupil_flag_id: int
) -> tuple[School, Flag, PupilFlag]:
    school, flag, _ = flag_for(actor, school_id, flag_id)
    found = (
        PupilFlag.objects.filter(pk=pupil_flag_id, school_id=school.pk, flag=flag)
        .select_related("pupil")
        .first()
    )
    if found is None:
        raise NotFoundOrForbidden
    return school, flag, found


# -------------------------------------------------------------------------------------------------
# Writes
# -------------------------------------------------------------------------------------------------


def flag_create(*, actor: User, school_id: int, name: str, description: str = "") -> Flag:
    """A new flag of the school. Its name must differ from the school's and the LA's flags."""
    school = _school_for(actor, school_id)
    name = " ".join(name.split())
    if not name:
        raise FlagInputError("name", ["Enter the flag’s name"])
    with transaction.atomic():
        if Flag.objects.filter(_flags_of(school), name__iexact=name).exists():
            raise FlagInputError("name", [f"The school already has a flag called “{name}”"])
        flag = Flag.objects.create(school=school, name=name, description=description.strip())
        audit_record(
            actor=actor,
            action="flag.create",
            obj_type="flag",
            obj_id=flag.pk,
            school=school,
            after={"name": flag.name, "description": flag.description},
            summary=f"Flag {flag.pk} created",
        )
    return flag


def pupil_flags_add(
    *, actor: User, school_id: int, flag_id: int, upns: list[str], start: dt.date
) -> list[PupilFlag]:
    """Put the pupils with these UPNs in the flag from ``start``: all of them or, if any UPN is
    wrong (badly formed, not a pupil of the school, already flagged), none. Each error names its
    UPN."""
    school, flag, _ = flag_for(actor, school_id, flag_id)
    errors: list[str] = []
    wanted: list[str] = []
    for raw in upns:
        try:
            upn = upn_validate(raw)
        except InvalidUPN as exc:
            errors.append(str(exc))
            continue
        if upn in wanted:
            errors.append(f"{upn} is given twice")
            continue
        wanted.append(upn)
    if not wanted and not errors:
        raise FlagInputError("upns", ["Enter the UPNs of the pupils to flag, one a line"])
    with transaction.atomic():
        pupils = dict(
            Enrolment.objects.filter(school_id=school.pk, pupil__upn__in=wanted)
            .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=start))
            .values_list("pupil__upn", "pupil_id")
        )
        open_flags = set(
            PupilFlag.objects.filter(school_id=school.pk, flag=flag, pupil_id__in=pupils.values())
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .values_list("pupil_id", flat=True)
        )
        for upn in wanted:
            if upn not in pupils:
                errors.append(f"{upn} is not a pupil of this school on {start:%-d %B %Y}")
            elif pupils[upn] in open_flags:
                errors.append(f"{upn} already has this flag on {start:%-d %B %Y}")
        if errors:
            raise FlagInputError("upns", errors)
        now = timezone.now()
        created = PupilFlag.objects.bulk_create(
            PupilFlag(
                pupil_id=pupils[upn],
                flag=flag,
                school=school,
                start_date=start,
                set_by=actor,
                set_by_name=actor.display_name,
                set_at=now,
            )
            for upn in wanted
        )
        audit_record_many(
            audit_event(
                actor=actor,
                action="pupil_flag.add",
                obj_type="flag",
                obj_id=flag.pk,
                school=school,
                pupil_id=pupils[upn],
                pupil_upn=upn,
                after={"flag": flag.name, "from": start.isoformat()},
                summary=f"Flag {flag.pk} added from {start.isoformat()}",
                at=now,
            )
            for upn in wanted
        )
    return created


def pupil_flag_end(
    *, actor: User, school_id: int, flag_id: int, pupil_flag_id: int, end: dt.date
) -> PupilFlag:
    """End a pupil's flag on ``end`` (the last day it applies; on or after its start)."""
    school, flag, _ = pupil_flag_for(actor, school_id, flag_id, pupil_flag_id)
    with transaction.atomic():
        pf = PupilFlag.objects.select_for_update().select_related("pupil").get(pk=pupil_flag_id)
        if end < pf.start_date:
            raise FlagInputError(
                "end", [f"The end date must be on or after the start, {pf.start_date:%-d %B %Y}"]
            )
        before = pf.end_date
        pf.end_date = end
        pf.ended_by_name = actor.display_name
        pf.ended_at = timezone.now()
        pf.save(update_fields=["end_date", "ended_by_name", "ended_at"])
        audit_record(
            actor=actor,
            action="pupil_flag.end",
            obj_type="flag",
            obj_id=flag.pk,
            school=school,
            pupil=pf.pupil,
            before={"to": before.isoformat() if before else None},
            after={"flag": flag.name, "to": end.isoformat()},
            summary=f"Flag {flag.pk} ended on {end.isoformat()}",
        )
    return pf


# -------------------------------------------------------------------------------------------------
# Demo data
# -------------------------------------------------------------------------------------------------


def demo_flags_set(school_ids: list[int], on: dt.date, *, by: str = "attend demo") -> int:
    """Flag the demo's most absent pupils (about 4% of each school, at least 6) with their LA's
    "Anxiety or school phobia" from the start of the academic year, so that the cohort and the
    LA's priority have figures. Call inside the demo's transaction; returns the pupils flagged."""
    from attend.registers.domain import academic_year_start
    from attend.registers.reports import Period, enrolment_counts

    start = academic_year_start(on)
    totals = enrolment_counts(Period(start, on), school_ids=school_ids)
    enrolments = list(
        Enrolment.objects.filter(school_id__in=school_ids, pk__in=list(totals)).values_list(
            "pk", "pupil_id", "school_id", "school__local_authority_id"
        )
    )
    anxiety = {
        f.local_authority_id: f
        for f in Flag.objects.filter(
            local_authority_id__in={la for *_, la in enrolments}, name="Anxiety or school phobia"
        )
    }
    by_school: dict[int, list[tuple[int, int, int]]] = {}
    for pk, pupil_id, school_id, _ in enrolments:
        values = totals[pk]
        absent = values[2] + values[3]  # authorised + unauthorised (BASE_COLUMNS)
        by_school.setdefault(school_id, []).append((absent, pk, pupil_id))
    now = timezone.now()
    flags: list[PupilFlag] = []
    la_of = {school_id: la for _, _, school_id, la in enrolments}
    for school_id, rows in by_school.items():
        flag = anxiety.get(la_of[school_id])
        if flag is None:
            continue
        rows.sort(reverse=True)
        chosen = {pupil_id for _, _, pupil_id in rows[: max(6, len(rows) // 25)]}
        flags += [
            PupilFlag(
                pupil_id=pupil_id,
                flag=flag,
                school_id=school_id,
                start_date=start,
                set_by_name=by,
                set_at=now,
            )
            for pupil_id in sorted(chosen)
        ]
    PupilFlag.objects.bulk_create(flags)
    audit_record(
        actor=None,
        actor_name=by,
        action="pupil_flag.demo",
        obj_type="flag",
        obj_id="demo",
        after={"pupils": len(flags)},
        summary=f"{len(flags)} demo pupils flagged",
    )
    return len(flags)
