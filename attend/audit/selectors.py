"""Reads for the audit app: what retention would remove, and everything held on one pupil for a
subject access request. These serve operators at the command line (no signed-in actor); pages read
the audit log through the admin, which only superusers reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from attend.audit.domain import academic_year_label, retention_cutoff
from attend.audit.models import AuditEvent
from attend.core.exceptions import AttendError
from attend.organisations.models import School
from attend.pupils.domain import InvalidUPN, upn_validate
from attend.pupils.models import CharacteristicKind, DeletionGround, Pupil
from attend.registers.domain import academic_year_start, week_of
from attend.registers.models import Amendment, Mark, Register, WeekSummary


class PupilNotFound(AttendError):
    """No pupil with that UPN (or the UPN is not valid); the message says which."""


# -------------------------------------------------------------------------------------------------
# Retention
# -------------------------------------------------------------------------------------------------

TABLES = ("registers", "marks", "amendments", "week summaries")


@dataclass(frozen=True)
class RetentionRow:
    school_urn: str
    school_name: str
    year: str
    counts: dict[str, int]


@dataclass(frozen=True)
class RetentionPlan:
    as_of: dt.date
    cutoff: dt.date
    rows: list[RetentionRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {t: sum(r.counts.get(t, 0) for r in self.rows) for t in TABLES}

    @property
    def empty(self) -> bool:
        return not any(self.totals.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "removed_before": self.cutoff.isoformat(),
            "totals": self.totals,
            "by_school_year": [
                {"urn": r.school_urn, "year": r.year, **r.counts} for r in self.rows
            ],
        }


def _per_school(qs: QuerySet[Any], school_path: str) -> dict[int, int]:
    return {
        row[school_path]: row["n"]
        for row in qs.values(school_path).annotate(n=Count("pk")).order_by(school_path)
    }


def retention_plan(*, as_of: dt.date) -> RetentionPlan:
    """What `attend retention` removes as of a day: counts per table, per school and academic
    year, of the rows dated before the cutoff (never any pupil's name)."""
    cutoff = retention_cutoff(as_of)
    summary_cutoff = week_of(cutoff)  # a week across the cutoff is recomputed, not removed
    firsts = [
        Mark.objects.filter(date__lt=cutoff).aggregate(first=Min("date"))["first"],
        Register.objects.filter(date__lt=cutoff).aggregate(first=Min("date"))["first"],
        WeekSummary.objects.filter(week__lt=summary_cutoff).aggregate(first=Min("week"))["first"],
    ]
    dated = [d for d in firsts if d is not None]
    if not dated:
        return RetentionPlan(as_of, cutoff)
    counts: dict[tuple[int, str], dict[str, int]] = {}
    year = academic_year_start(min(dated))
    while year < cutoff:
        end = year.replace(year=year.year + 1)
        label = academic_year_label(year)
        in_year = {"date__gte": year, "date__lt": min(end, cutoff)}
        for table, per_school in (
            ("registers", _per_school(Register.objects.filter(**in_year), "group__school_id")),
            ("marks", _per_school(Mark.objects.filter(**in_year), "enrolment__school_id")),
            (
                "amendments",
                _per_school(
                    Amendment.objects.filter(mark__date__gte=year, mark__date__lt=min(end, cutoff)),
                    "mark__enrolment__school_id",
                ),
            ),
            (
                "week summaries",
                _per_school(
                    WeekSummary.objects.filter(week__gte=year, week__lt=min(end, summary_cutoff)),
                    "school_id",
                ),
            ),
        ):
            for school_id, n in per_school.items():
                counts.setdefault((school_id, label), dict.fromkeys(TABLES, 0))[table] = n
        year = end
    schools = School.objects.in_bulk({school_id for school_id, _ in counts})
    rows = [
        RetentionRow(schools[school_id].urn, schools[school_id].name, label, values)
        for (school_id, label), values in counts.items()
    ]
    rows.sort(key=lambda r: (r.school_urn, r.year))
    return RetentionPlan(as_of, cutoff, rows)


# -------------------------------------------------------------------------------------------------
# Subject access
# -------------------------------------------------------------------------------------------------


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def pupil_subject_access_data(upn: str) -> dict[str, Any]:
    """Everything Attend holds on one pupil, as one JSON-ready object with stable keys and ISO
    dates: the pupil, characteristics with their dates, contacts, enrolments (with the school),
    every mark with its amendment history, and the audit events about the pupil."""
    try:
        upn = upn_validate(upn)
    except InvalidUPN as exc:
        raise PupilNotFound(f"{upn!r} is not a valid UPN: {exc}") from exc
    pupil = Pupil.objects.filter(upn=upn).first()
    if pupil is None:
        raise PupilNotFound(f"No pupil with UPN {upn}")
    kinds = dict(CharacteristicKind.choices)
    grounds = dict(DeletionGround.choices)
    enrolments = []
    for e in pupil.enrolments.select_related("school", "registration_group").order_by(
        "start_date", "pk"
    ):
        marks = (
            Mark.objects.filter(enrolment=e)
            .prefetch_related(
                Prefetch("amendments", queryset=Amendment.objects.order_by("amended_at", "pk"))
            )
            .order_by("date", "session")
        )
        enrolments.append(
            {
                "school_urn": e.school.urn,
                "school_name": e.school.name,
                "start_date": _iso(e.start_date),
                "leaving_date": _iso(e.leaving_date),
                "deletion_ground": e.deletion_ground,
                "deletion_ground_text": grounds.get(e.deletion_ground, ""),
                "dual_registration": e.dual_registration,
                "year_group": e.year_group,
                "registration_group": e.registration_group.name if e.registration_group else "",
                "marks": [
                    {
                        "date": _iso(m.date),
                        "session": m.session,
                        "code": m.code,
                        "minutes_late": m.minutes_late,
                        "recorded_at": _iso(m.recorded_at),
                        "recorded_by": m.recorded_by_name,
                        "source": m.source,
                        "amendments": [
                            {
                                "old_code": a.old_code,
                                "old_minutes_late": a.old_minutes_late,
                                "old_recorded_at": _iso(a.old_recorded_at),
                                "old_recorded_by": a.old_recorded_by,
                                "new_code": a.new_code,
                                "new_minutes_late": a.new_minutes_late,
                                "reason": a.reason,
                                "amended_by": a.amended_by_name,
                                "amended_by_position": a.amended_by_position,
                                "amended_at": _iso(a.amended_at),
                            }
                            for a in m.amendments.all()
                        ],
                    }
                    for m in marks
                ],
            }
        )
    events = (
        AuditEvent.objects.filter(Q(pupil=pupil) | Q(pupil_upn=pupil.upn))
        .select_related("school")
        .order_by("at", "pk")
    )
    return {
        "format": "attend-subject-access-1",
        "upn": pupil.upn,
        "pupil": {
            "upn": pupil.upn,
            "surname": pupil.surname,
            "forename": pupil.forename,
            "date_of_birth": _iso(pupil.date_of_birth),
            "gender": pupil.gender,
            "ethnicity": pupil.ethnicity,
        },
        "characteristics": [
            {
                "kind": c.kind,
                "kind_text": kinds.get(c.kind, c.kind),
                "value": c.value,
                "applies_from": _iso(c.applies_from),
            }
            for c in pupil.characteristics.order_by("kind", "applies_from")
        ],
        "contacts": [
            {
                "surname": c.surname,
                "forename": c.forename,
                "relationship": c.relationship,
                "parental_responsibility": c.parental_responsibility,
                "lives_with_pupil": c.lives_with_pupil,
                "priority": c.priority,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
            }
            for c in pupil.contacts.order_by("priority", "surname", "forename")
        ],
        "enrolments": enrolments,
        "audit_events": [
            {
                "at": _iso(ev.at),
                "action": ev.action,
                "actor": ev.actor_name,
                "actor_position": ev.actor_position,
                "object_type": ev.object_type,
                "object_id": ev.object_id,
                "school_urn": ev.school.urn if ev.school else "",
                "summary": ev.summary,
                "before": ev.before,
                "after": ev.after,
            }
            for ev in events
        ],
    }
