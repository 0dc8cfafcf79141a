"""Writes for local authorities, schools and calendars. Each import is atomic and idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from attend.audit.services import audit_import, field_changes
from attend.core.csvfiles import CsvFile
from attend.core.results import ImportResult
from attend.monitoring.priorities import la_defaults_ensure
from attend.organisations.models import CalendarEntry, LocalAuthority, Phase, School

SCHOOL_COLUMNS = ("urn", "name", "la_code", "la_name", "phase")
CALENDAR_COLUMNS = ("urn", "kind", "start_date", "end_date", "session")


def schools_import(*, path: Path, by: str | None = None) -> ImportResult:
    csv_file = CsvFile(path, required=SCHOOL_COLUMNS)
    rows = []
    seen: dict[str, int] = {}
    for row in csv_file.rows():
        urn = row.text("urn", max_length=6)
        if urn and not urn.isdigit():
            row.error("urn", f"{urn!r} is not a URN (digits only)")
        if urn in seen:
            row.error("urn", f"{urn} also appears on line {seen[urn]}")
        seen[urn] = row.line
        la_code = row.text("la_code", max_length=3)
        if la_code and not (la_code.isdigit() and len(la_code) == 3):
            row.error("la_code", f"{la_code!r} is not a 3-digit LA code")
        rows.append(
            (
                urn,
                row.text("name", max_length=200),
                la_code,
                row.text("la_name", max_length=200),
                row.choice("phase", {p.value for p in Phase}),
            )
        )
    csv_file.raise_if_errors()

    result = ImportResult(csv_file.name, rows=len(rows))
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        las: dict[str, LocalAuthority] = {}
        for urn, name, la_code, la_name, phase in rows:
            la = las.get(la_code)
            if la is None:
                la, created = LocalAuthority.objects.get_or_create(
                    code=la_code, defaults={"name": la_name}
                )
                if created:
                    la_defaults_ensure(la)
                if la.name != la_name:
                    la.name = la_name
                    la.save(update_fields=["name"])
                las[la_code] = la
            school = School.objects.filter(urn=urn).first()
            if school is None:
                School.objects.create(urn=urn, name=name, local_authority=la, phase=phase)
                result.created += 1
            elif (school.name, school.local_authority_id, school.phase) != (name, la.pk, phase):
                change = field_changes(
                    urn,
                    {
                        "name": school.name,
                        "la_code": school.local_authority.code,
                        "phase": school.phase,
                    },
                    {"name": name, "la_code": la_code, "phase": phase},
                )
                if change is not None:
                    changes.append(change)
                school.name, school.local_authority, school.phase = name, la, phase
                school.save(update_fields=["name", "local_authority", "phase"])
                result.updated += 1
            else:
                result.unchanged += 1
        audit_import(action="schools.import", result=result, by=by, changes=changes)
    return result


def calendar_import(*, path: Path, by: str | None = None) -> ImportResult:
    csv_file = CsvFile(path, required=CALENDAR_COLUMNS[:-1], optional=CALENDAR_COLUMNS[-1:])
    schools = dict(School.objects.values_list("urn", "pk"))
    rows = []
    for row in csv_file.rows():
        urn = row.text("urn")
        if urn and urn not in schools:
            row.error("urn", f"no school with URN {urn} (import schools first)")
        kind = row.choice("kind", {"term", "closure"})
        start = row.date("start_date")
        end = row.date("end_date")
        if start and end and end < start:
            row.error("end_date", "is before start_date")
        session = row.choice("session", {"AM", "PM"}, required=False)
        if kind == "term" and session:
            row.error("session", "a term covers both sessions; leave session empty")
        rows.append((schools.get(urn, 0), kind, start or dt.date.min, end or dt.date.min, session))
    csv_file.raise_if_errors()

    result = ImportResult(csv_file.name, rows=len(rows))
    with transaction.atomic():
        for school_id, kind, start, end, session in rows:
            _, created = CalendarEntry.objects.get_or_create(
                school_id=school_id, kind=kind, start_date=start, end_date=end, session=session
            )
            if created:
                result.created += 1
            else:
                result.unchanged += 1
        audit_import(action="calendar.import", result=result, by=by, changes=[])
    return result
