"""Writes of the termly governors' reports: make and store one (one transaction, audited), and
record an on-demand download."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from attend.accounts.models import User
from attend.audit.services import audit_record
from attend.governors.domain import TermDates
from attend.governors.exports import termly_report_pdf
from attend.governors.models import GovernorsReport
from attend.governors.selectors import TermlyReport, termly_report
from attend.organisations.models import School


def governors_report_store(
    *, school: School, term: TermDates, today: dt.date, by: str, regenerate: bool = False
) -> tuple[GovernorsReport, bool]:
    """Make the school's report for ``term`` and store it, in one transaction with its audit
    event. An existing report is kept (returns it and False) unless ``regenerate``."""
    with transaction.atomic():
        existing = (
            GovernorsReport.objects.select_for_update()
            .filter(school=school, academic_year=term.year, term=term.term.value)
            .defer("pdf")
            .first()
        )
        if existing is not None and not regenerate:
            return existing, False
        report = termly_report(school, term, today)
        pdf = termly_report_pdf(report)
        values = {
            "start_date": report.period.start,
            "end_date": report.period.end,
            "generated_at": timezone.now(),
            "generated_by": by,
            "pdf": pdf,
        }
        stored, created = GovernorsReport.objects.update_or_create(
            school=school, academic_year=term.year, term=term.term.value, defaults=values
        )
        audit_record(
            actor=None,
            actor_name=by,
            action="governors_report.generate" if created else "governors_report.regenerate",
            obj_type="governors_report",
            obj_id=stored.pk,
            school=school,
            after={
                "term": term.term.value,
                "academic_year": term.year,
                "from": report.period.start.isoformat(),
                "to": report.period.end.isoformat(),
                "bytes": len(pdf),
            },
            summary=f"Termly governors' report, {term.label}",
        )
    return stored, True


def governors_report_download(
    *, actor: User, report: TermlyReport | None = None, stored: GovernorsReport | None = None
) -> None:
    """Record that ``actor`` downloaded a termly report (made on demand, or a stored one)."""
    with transaction.atomic():
        if report is not None:
            audit_record(
                actor=actor,
                action="governors_report.download",
                obj_type="school",
                obj_id=report.school.pk,
                school=report.school,
                after={
                    "term": report.term.term.value,
                    "academic_year": report.term.year,
                    "from": report.period.start.isoformat(),
                    "to": report.period.end.isoformat(),
                    "on_demand": True,
                },
                summary=f"Downloaded the termly governors' report, {report.term.label}",
            )
        elif stored is not None:
            audit_record(
                actor=actor,
                action="governors_report.download",
                obj_type="governors_report",
                obj_id=stored.pk,
                school=stored.school_id,
                after={"term": stored.term, "academic_year": stored.academic_year},
                summary=f"Downloaded the stored termly governors' report, {stored.label}",
            )
