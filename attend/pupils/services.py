"""Writes for pupils, their characteristics, contacts and enrolments. Imports are atomic and
idempotent: importing the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from attend.audit.services import audit_import, field_changes
from attend.core.csvfiles import CsvFile, Row
from attend.core.results import ImportResult
from attend.organisations.models import RegistrationGroup, School
from attend.pupils.domain import InvalidUPN, upn_validate
from attend.pupils.models import (
    BOOLEAN_CHARACTERISTICS,
    SEN_STATUSES,
    Characteristic,
    CharacteristicKind,
    Contact,
    DeletionGround,
    Enrolment,
    Pupil,
)

PUPIL_REQUIRED = ("upn", "urn", "surname", "forename", "date_of_birth", "start_date")
PUPIL_OPTIONAL = (
    "gender",
    "year_group",
    "registration_group",
    "leaving_date",
    "deletion_ground",
    "dual_registration",
    "sen_status",
    *(k.value for k in BOOLEAN_CHARACTERISTICS),
    "ethnicity",
)
CONTACT_REQUIRED = (
    "upn",
    "surname",
    "forename",
    "relationship",
    "parental_responsibility",
    "lives_with_pupil",
    "priority",
)
CONTACT_OPTIONAL = ("phone", "email", "address")


def _upn(row: Row) -> str:
    raw = row.text("upn")
    if not raw:
        return ""
    try:
        return upn_validate(raw)
    except InvalidUPN as exc:
        row.error("upn", str(exc))
        return raw


@dataclass
class _PupilRow:
    line: int
    upn: str
    school_id: int
    surname: str
    forename: str
    date_of_birth: dt.date
    start_date: dt.date
    leaving_date: dt.date | None
    deletion_ground: str
    dual_registration: bool
    gender: str
    year_group: str
    group_name: str
    ethnicity: str
    characteristics: dict[str, str]


def pupils_import(*, path: Path, by: str | None = None) -> ImportResult:
    """One row is one enrolment; a pupil who moved school has a row per school."""
    csv_file = CsvFile(path, required=PUPIL_REQUIRED, optional=PUPIL_OPTIONAL)
    schools = dict(School.objects.values_list("urn", "pk"))
    parsed: list[_PupilRow] = []
    seen: dict[tuple[str, str, dt.date | None], int] = {}
    for row in csv_file.rows():
        upn = _upn(row)
        urn = row.text("urn")
        if urn and urn not in schools:
            row.error("urn", f"no school with URN {urn} (import schools first)")
        dob = row.date("date_of_birth")
        start = row.date("start_date")
        leaving = row.date("leaving_date", required=False)
        if start and leaving and leaving < start:
            row.error("leaving_date", "is before start_date")
        if dob and start and dob >= start:
            row.error("date_of_birth", "is not before start_date")
        key = (upn, urn, start)
        if key in seen:
            row.error("start_date", f"the same enrolment also appears on line {seen[key]}")
        seen[key] = row.line
        ground = row.choice(
            "deletion_ground", {g.value for g in DeletionGround}, required=False
        ).lower()
        if ground and not leaving:
            row.error("deletion_ground", "is given but there is no leaving_date")
        characteristics: dict[str, str] = {}
        sen = row.choice("sen_status", set(SEN_STATUSES), required=False)
        if sen:
            characteristics[CharacteristicKind.SEN_STATUS] = sen
        for kind in BOOLEAN_CHARACTERISTICS:
            flag = row.boolean(kind.value)
            if flag is not None:
                characteristics[kind.value] = "Y" if flag else "N"
        parsed.append(
            _PupilRow(
                line=row.line,
                upn=upn,
                school_id=schools.get(urn, 0),
                surname=row.text("surname", max_length=100),
                forename=row.text("forename", max_length=100),
                date_of_birth=dob or dt.date.min,
                start_date=start or dt.date.min,
                leaving_date=leaving,
                deletion_ground=ground,
                dual_registration=bool(row.boolean("dual_registration", default=False)),
                gender=row.choice("gender", {"F", "M"}, required=False),
                year_group=row.text("year_group", required=False, max_length=3),
                group_name=row.text("registration_group", required=False, max_length=50),
                ethnicity=row.text("ethnicity", required=False, max_length=4),
                characteristics=characteristics,
            )
        )
    csv_file.raise_if_errors()
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        result = _pupils_write(csv_file.name, parsed, changes)
        audit_import(action="pupils.import", result=result, by=by, changes=changes)
    return result


def _pupils_write(
    file_name: str, rows: list[_PupilRow], changes: list[dict[str, Any]]
) -> ImportResult:
    """Write the rows; each changed pupil or enrolment is appended to `changes` (for the audit)."""
    result = ImportResult(file_name, rows=len(rows))
    upns = {r.upn for r in rows}
    pupils = {p.upn: p for p in Pupil.objects.filter(upn__in=upns)}
    new_pupils, changed_pupils = [], []
    for r in rows:
        fields = {
            "surname": r.surname,
            "forename": r.forename,
            "date_of_birth": r.date_of_birth,
            "gender": r.gender,
            "ethnicity": r.ethnicity,
        }
        pupil = pupils.get(r.upn)
        if pupil is None:
            pupil = Pupil(upn=r.upn, **fields)
            pupils[r.upn] = pupil
            new_pupils.append(pupil)
        elif any(getattr(pupil, k) != v for k, v in fields.items()):
            if pupil.pk:
                change = field_changes(r.upn, {k: getattr(pupil, k) for k in fields}, fields)
                if change is not None:
                    changes.append(change)
            for k, v in fields.items():
                setattr(pupil, k, v)
            if pupil.pk:
                changed_pupils.append(pupil)
    Pupil.objects.bulk_create(new_pupils, batch_size=2000)
    if new_pupils and new_pupils[0].pk is None:  # backends without RETURNING ids
        pupils = {p.upn: p for p in Pupil.objects.filter(upn__in=upns)}
    Pupil.objects.bulk_update(
        changed_pupils,
        ["surname", "forename", "date_of_birth", "gender", "ethnicity"],
        batch_size=2000,
    )

    groups = {
        (g.school_id, g.name): g
        for g in RegistrationGroup.objects.filter(school_id__in={r.school_id for r in rows})
    }
    for r in rows:
        if r.group_name and (r.school_id, r.group_name) not in groups:
            groups[(r.school_id, r.group_name)] = RegistrationGroup.objects.create(
                school_id=r.school_id, name=r.group_name
            )

    pupil_ids = [p.pk for p in pupils.values()]
    group_names = {g.pk: g.name for g in groups.values()}
    urns = dict(School.objects.filter(pk__in={r.school_id for r in rows}).values_list("pk", "urn"))
    enrolments = {
        (e.pupil_id, e.school_id, e.start_date): e
        for e in Enrolment.objects.filter(pupil_id__in=pupil_ids)
    }
    new_enrolments, changed_enrolments = [], []
    enrolment_fields = [
        "leaving_date",
        "deletion_ground",
        "dual_registration",
        "year_group",
        "registration_group",
    ]
    for r in rows:
        pupil = pupils[r.upn]
        group = groups.get((r.school_id, r.group_name)) if r.group_name else None
        values: dict[str, Any] = {
            "leaving_date": r.leaving_date,
            "deletion_ground": r.deletion_ground,
            "dual_registration": r.dual_registration,
            "year_group": r.year_group,
            "registration_group": group,
        }
        enrolment = enrolments.get((pupil.pk, r.school_id, r.start_date))
        if enrolment is None:
            new_enrolments.append(
                Enrolment(pupil=pupil, school_id=r.school_id, start_date=r.start_date, **values)
            )
            result.created += 1
        elif any(
            getattr(enrolment, "registration_group_id" if k == "registration_group" else k)
            != (v.pk if k == "registration_group" and v is not None else v)
            for k, v in values.items()
        ):
            change = field_changes(
                f"{r.upn} at {urns.get(r.school_id, '')} from {r.start_date.isoformat()}",
                {
                    k: group_names.get(enrolment.registration_group_id or 0, "")
                    if k == "registration_group"
                    else getattr(enrolment, k)
                    for k in values
                },
                {**values, "registration_group": group.name if group else ""},
            )
            if change is not None:
                changes.append(change)
            for k, v in values.items():
                setattr(enrolment, k, v)
            changed_enrolments.append(enrolment)
            result.updated += 1
        else:
            result.unchanged += 1
    Enrolment.objects.bulk_create(new_enrolments, batch_size=2000)
    Enrolment.objects.bulk_update(changed_enrolments, enrolment_fields, batch_size=2000)

    # Characteristics: a value that differs from the one in force on the row's start date is
    # recorded as applying from that date.
    history: dict[tuple[int, str], list[Characteristic]] = defaultdict(list)
    for c in Characteristic.objects.filter(pupil_id__in=pupil_ids).order_by("applies_from"):
        history[(c.pupil_id, c.kind)].append(c)
    new_characteristics = []
    for r in sorted(rows, key=lambda r: r.start_date):
        pupil = pupils[r.upn]
        for kind, value in r.characteristics.items():
            entries = history[(pupil.pk, kind)]
            in_force = [c for c in entries if c.applies_from <= r.start_date]
            if in_force and in_force[-1].value == value:
                continue
            same_day = [c for c in entries if c.applies_from == r.start_date]
            if same_day:
                same_day[0].value = value
                same_day[0].save(update_fields=["value"])
                continue
            c = Characteristic(pupil=pupil, kind=kind, value=value, applies_from=r.start_date)
            entries.append(c)
            entries.sort(key=lambda c: c.applies_from)
            new_characteristics.append(c)
    Characteristic.objects.bulk_create(new_characteristics, batch_size=2000)
    return result


def contacts_import(*, path: Path, by: str | None = None) -> ImportResult:
    csv_file = CsvFile(path, required=CONTACT_REQUIRED, optional=CONTACT_OPTIONAL)
    rows: list[tuple[Row, str, dict[str, Any]]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in csv_file.rows():
        upn = _upn(row)
        surname = row.text("surname", max_length=100)
        forename = row.text("forename", max_length=100)
        key = (upn, surname.lower(), forename.lower())
        if key in seen:
            row.error("forename", f"the same contact also appears on line {seen[key]}")
        seen[key] = row.line
        email = row.text("email", required=False, max_length=254)
        if email and "@" not in email:
            row.error("email", f"{email!r} is not an email address")
        rows.append(
            (
                row,
                upn,
                {
                    "surname": surname,
                    "forename": forename,
                    "relationship": row.text("relationship", max_length=50),
                    "parental_responsibility": bool(row.boolean("parental_responsibility")),
                    "lives_with_pupil": bool(row.boolean("lives_with_pupil")),
                    "priority": row.integer("priority", minimum=1) or 1,
                    "phone": row.text("phone", required=False, max_length=30),
                    "email": email,
                    "address": row.text("address", required=False, max_length=500),
                },
            )
        )
    pupils = dict(Pupil.objects.filter(upn__in={r[1] for r in rows}).values_list("upn", "pk"))
    for row, upn, _ in rows:
        if upn and upn not in pupils and not any(e.line == row.line for e in csv_file.errors):
            row.error("upn", f"no pupil with UPN {upn} (import pupils first)")
    csv_file.raise_if_errors()

    result = ImportResult(csv_file.name, rows=len(rows))
    fields = list(rows[0][2]) if rows else []
    with transaction.atomic():
        existing = {
            (c.pupil_id, c.surname.lower(), c.forename.lower()): c
            for c in Contact.objects.filter(pupil_id__in=set(pupils.values()))
        }
        new, changed = [], []
        changes: list[dict[str, Any]] = []
        for _, upn, values in rows:
            contact = existing.get(
                (pupils[upn], str(values["surname"]).lower(), str(values["forename"]).lower())
            )
            if contact is None:
                new.append(Contact(pupil_id=pupils[upn], **values))
            elif any(getattr(contact, k) != v for k, v in values.items()):
                change = field_changes(
                    f"{upn} contact {contact.pk}",
                    {k: getattr(contact, k) for k in values},
                    values,
                )
                if change is not None:
                    changes.append(change)
                for k, v in values.items():
                    setattr(contact, k, v)
                changed.append(contact)
        Contact.objects.bulk_create(new, batch_size=2000)
        Contact.objects.bulk_update(changed, fields, batch_size=2000)
        result.created, result.updated = len(new), len(changed)
        result.unchanged = len(rows) - len(new) - len(changed)
        audit_import(action="contacts.import", result=result, by=by, changes=changes)
    return result
