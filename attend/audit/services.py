"""Writing the audit log, and the data-protection writes: retention and subject access.

Every write service in Attend records what it did with :func:`audit_record` (or
:func:`audit_record_many` for many rows at once) *inside its own transaction*, so the change and
its record commit or roll back together (STYLE.md point 4). Imports and other commands have no
signed-in user: they pass ``actor=None`` and say who ran them in ``actor_name``.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from attend.accounts.models import Membership, User
from attend.audit import selectors
from attend.audit.models import AuditEvent
from attend.core.results import ImportResult
from attend.organisations.models import School
from attend.pupils.models import Enrolment, Pupil
from attend.registers import summaries
from attend.registers.domain import week_of
from attend.registers.models import (
    Amendment,
    Mark,
    Register,
    SchoolSessionSummary,
    SchoolWeekSummary,
    WeekSummary,
)

#: How many changed rows an import's event lists field by field; the rest are only counted.
MAX_CHANGES_RECORDED = 50


class AuditOutsideTransaction(RuntimeError):
    """An audit record was asked for outside a transaction: it could outlive a rolled-back write."""


def audit_event(
    *,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: object,
    school: School | int | None = None,
    pupil: Pupil | None = None,
    pupil_id: int | None = None,
    pupil_upn: str = "",
    before: Any = None,
    after: Any = None,
    summary: str = "",
    actor_name: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved event (for :func:`audit_record_many`). ``school`` is a School or its id."""
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor.display_name if actor is not None else actor_name,
        actor_position=actor.position if actor is not None else "",
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        school_id=school.pk if isinstance(school, School) else school,
        pupil_id=pupil.pk if pupil is not None else pupil_id,
        pupil_upn=pupil.upn if pupil is not None else pupil_upn,
        before=before,
        after=after,
        summary=summary[:300],
    )


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(
            "audit_record must be called inside the transaction of the write it records"
        )


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: object,
    school: School | int | None = None,
    pupil: Pupil | None = None,
    before: Any = None,
    after: Any = None,
    summary: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Record one event. Call it inside the caller's ``transaction.atomic()`` block.

    ``actor_name`` is used only when there is no actor (the command line).
    """
    _require_transaction()
    event = audit_event(
        actor=actor,
        action=action,
        obj_type=obj_type,
        obj_id=obj_id,
        school=school,
        pupil=pupil,
        before=before,
        after=after,
        summary=summary,
        actor_name=actor_name,
    )
    event.save()
    return event


def audit_record_many(events: Iterable[AuditEvent]) -> int:
    """Insert many events built with :func:`audit_event` in batches; returns the count."""
    _require_transaction()
    created = AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(created)


def import_by(by: str | None) -> str:
    """Who ran an import from the command line: ``by``, or the operating-system user."""
    return by or f"import by {getpass.getuser()}"


def audit_import(
    *, action: str, result: ImportResult, by: str | None, changes: list[dict[str, Any]]
) -> AuditEvent:
    """An import file's one event: the counts, and the first changed rows field by field (see
    :func:`field_changes`); the rest are only counted."""
    shown = changes[:MAX_CHANGES_RECORDED]
    return audit_record(
        actor=None,
        actor_name=import_by(by),
        action=action,
        obj_type="file",
        obj_id=result.file_name,
        after={
            "file": result.file_name,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "changes": shown,
            "changes_not_listed": len(changes) - len(shown),
        },
        summary=str(result),
    )


def field_changes(key: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """``{"key", "before", "after"}`` for the fields that differ, or None when none do."""
    names = [k for k in new if old.get(k) != new[k]]
    if not names:
        return None
    return {
        "key": key,
        "before": {k: old.get(k) for k in names},
        "after": {k: new[k] for k in names},
    }


# -------------------------------------------------------------------------------------------------
# Views of a pupil's record
# -------------------------------------------------------------------------------------------------


def audit_pupil_view(*, actor: User, enrolment: Enrolment, page: str = "register") -> bool:
    """Record that ``actor`` viewed the record of ``enrolment``'s pupil, if the actor has no
    membership at that enrolment's school (an LA officer, a social worker, a superuser...).

    Views call it unconditionally; it decides. Returns whether an event was recorded.
    """
    if Membership.objects.filter(user_id=actor.pk, school_id=enrolment.school_id).exists():
        return False
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="pupil.view",
            obj_type="enrolment",
            obj_id=enrolment.pk,
            school=enrolment.school_id,
            pupil=enrolment.pupil,
            summary=f"Viewed the pupil's {page} (from outside the school)",
        )
    return True


def audit_pupil_list_view(
    *, actor: User, school_id: int, pupils: Iterable[tuple[int, str]], page: str
) -> int:
    """Record a view of a list of named pupils at one school — one event per pupil, given as
    (enrolment id, UPN) — if the actor has no membership at that school. Returns the count."""
    if Membership.objects.filter(user_id=actor.pk, school_id=school_id).exists():
        return 0
    upns = dict(pupils)
    pupil_ids = dict(Enrolment.objects.filter(pk__in=list(upns)).values_list("pk", "pupil_id"))
    with transaction.atomic():
        return audit_record_many(
            audit_event(
                actor=actor,
                action="pupil.view",
                obj_type="enrolment",
                obj_id=enrolment_id,
                school=school_id,
                pupil_id=pupil_ids.get(enrolment_id),
                pupil_upn=upn,
                summary=f"Listed on the {page} (from outside the school)",
            )
            for enrolment_id, upn in upns.items()
        )


# -------------------------------------------------------------------------------------------------
# Retention
# -------------------------------------------------------------------------------------------------


def retention_apply(*, as_of: dt.date, by: str) -> selectors.RetentionPlan:
    """Remove the registers, marks, amendments and weekly summaries older than the retention
    period (see :func:`attend.audit.domain.retention_cutoff`), in one transaction with its audit
    event. Pupils and enrolments are not removed. Returns what was removed."""
    mark, amendment = Mark._meta.db_table, Amendment._meta.db_table
    with transaction.atomic():
        plan = selectors.retention_plan(as_of=as_of)
        cutoff = plan.cutoff
        summaries_week = week_of(cutoff)
        straddle = summaries_week < cutoff
        with connection.cursor() as cursor:
            if straddle:
                # The week across the cutoff keeps its later days: recompute it after the delete.
                summaries.create_affected_table()
                cursor.execute(
                    f"INSERT INTO {summaries.AFFECTED} (enrolment_id, week, week_end) "  # noqa: S608
                    f"SELECT DISTINCT enrolment_id, %s, %s FROM {mark} WHERE date >= %s "
                    "AND date < %s",
                    [summaries_week, summaries_week + dt.timedelta(days=6), summaries_week, cutoff],
                )
            cursor.execute(
                f"DELETE FROM {amendment} WHERE mark_id IN "  # noqa: S608
                f"(SELECT id FROM {mark} WHERE date < %s)",
                [cutoff],
            )
            cursor.execute(f"DELETE FROM {mark} WHERE date < %s", [cutoff])  # noqa: S608
        Register.objects.filter(date__lt=cutoff).delete()
        WeekSummary.objects.filter(week__lt=summaries_week).delete()
        SchoolWeekSummary.objects.filter(week__lt=summaries_week).delete()
        SchoolSessionSummary.objects.filter(date__lt=cutoff).delete()
        if straddle:
            summaries.refresh_affected()
        audit_record(
            actor=None,
            actor_name=by,
            action="retention.remove",
            obj_type="retention",
            obj_id=as_of.isoformat(),
            before=plan.as_dict(),
            summary=(
                f"Removed data dated before {cutoff.isoformat()}: "
                + ", ".join(f"{n} {table}" for table, n in plan.totals.items())
            ),
        )
    return plan


# -------------------------------------------------------------------------------------------------
# Subject access
# -------------------------------------------------------------------------------------------------


def subject_access_export(*, upn: str, by: str, output_format: str) -> dict[str, Any]:
    """Everything held on one pupil (:func:`attend.audit.selectors.pupil_subject_access_data`),
    with the export itself recorded in the audit log."""
    with transaction.atomic():
        data = selectors.pupil_subject_access_data(upn)
        pupil = Pupil.objects.get(upn=data["pupil"]["upn"])
        audit_record(
            actor=None,
            actor_name=by,
            action="subject_access.export",
            obj_type="pupil",
            obj_id=pupil.upn,
            pupil=pupil,
            after={
                "format": output_format,
                "marks": sum(len(e["marks"]) for e in data["enrolments"]),
                "audit_events": len(data["audit_events"]),
            },
            summary=f"Subject access export ({output_format})",
        )
    return data
