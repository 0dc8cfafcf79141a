"""Every write to the register: importing marks, taking a register, amending marks.

Each service is one transaction that keeps WeekSummary in step with the marks. A mark is never
overwritten silently: a change keeps the entry before it, the reason, and who made it and when.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from attend.accounts.models import User
from attend.accounts.roles import Permission
from attend.accounts.scope import scope_for
from attend.core.csvfiles import CsvFile
from attend.core.exceptions import AttendError, NotFoundOrForbidden
from attend.core.results import ImportResult
from attend.organisations.models import RegistrationGroup, School
from attend.pupils.domain import InvalidUPN, upn_validate
from attend.pupils.models import Enrolment
from attend.registers import summaries
from attend.registers.domain import LATE_CODES, Code, Session, UnknownCode, code_for, week_of
from attend.registers.models import Amendment, Mark, Register, Source

MARK_REQUIRED = ("upn", "urn", "date", "session", "code")
MARK_OPTIONAL = ("minutes_late",)
STAGE = "attend_stage_marks"


class RegisterError(AttendError):
    """A register could not be saved as asked; the message says why, for the person saving it."""


class RegisterConflict(AttendError):
    """Someone else saved this register (or changed its marks) after it was opened."""


@dataclass(frozen=True)
class MarkInput:
    code: str
    minutes_late: int | None = None


# -------------------------------------------------------------------------------------------------
# Importing marks
# -------------------------------------------------------------------------------------------------


def marks_import(*, path: Path, by: str | None = None) -> ImportResult:
    """Import `upn,urn,date,session,code[,minutes_late]`; a mark that differs from the one held is
    recorded as an amendment with the reason `import <file name>`."""
    csv_file = CsvFile(path, required=MARK_REQUIRED, optional=MARK_OPTIONAL)
    staged = _marks_parse(csv_file)
    csv_file.raise_if_errors()
    who = by or f"import by {getpass.getuser()}"
    with transaction.atomic():
        return _marks_write(csv_file.name, staged, who)


def _marks_parse(csv_file: CsvFile) -> list[tuple[int, str, str, str, int | None, str, str]]:
    """Validate every row; returns (enrolment, date, session, code, minutes, week, week_end)."""
    rows = list(csv_file.rows())
    if csv_file.errors:
        return []
    upns: dict[str, str | None] = {}
    for row in rows:
        raw = row.values["upn"].strip()
        if raw not in upns:
            try:
                upns[raw] = upn_validate(raw)
            except InvalidUPN:
                upns[raw] = None
    valid_upns = {u for u in upns.values() if u}
    spans: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = {}
    for pk, pupil_upn, school_urn, start, leaving in (
        Enrolment.objects.filter(pupil__upn__in=valid_upns)
        .order_by("start_date")
        .values_list("pk", "pupil__upn", "school__urn", "start_date", "leaving_date")
        .iterator(chunk_size=5000)
    ):
        spans.setdefault((pupil_upn, school_urn), []).append((start, leaving, pk))
    known_urns = set(School.objects.values_list("urn", flat=True))
    dates: dict[str, dt.date | None] = {}
    codes: dict[tuple[str, bool], Code | str] = {}
    seen: dict[tuple[int, str, str], int] = {}
    staged = []
    errors = csv_file.errors
    has_minutes = "minutes_late" in (rows[0].values if rows else {})
    for row in rows:
        v = row.values
        line_errors = len(errors)
        raw_upn = v["upn"].strip()
        upn: str | None = upns[raw_upn]
        if not raw_upn:
            row.error("upn", "is required")
        elif upn is None:
            try:
                upn_validate(raw_upn)
            except InvalidUPN as exc:
                row.error("upn", str(exc))
        urn = v["urn"].strip()
        if not urn:
            row.error("urn", "is required")
        elif urn not in known_urns:
            row.error("urn", f"no school with URN {urn}")
        raw_date = v["date"].strip()
        if raw_date not in dates:
            try:
                dates[raw_date] = dt.date.fromisoformat(raw_date) if len(raw_date) == 10 else None
            except ValueError:
                dates[raw_date] = None
        day = dates[raw_date]
        if day is None:
            row.error("date", f"{raw_date!r} is not a date in the form YYYY-MM-DD")
        session = v["session"].strip().upper()
        if session not in ("AM", "PM"):
            row.error("session", f"{v['session']!r} is not AM or PM")
        code = ""
        if day is not None:
            key = (v["code"], day < dt.date(2024, 8, 19))
            if key not in codes:
                try:
                    codes[key] = code_for(v["code"], day)
                except UnknownCode as exc:
                    codes[key] = str(exc)
            found = codes[key]
            if isinstance(found, str):
                row.error("code", found)
            else:
                code = found.code
        minutes: int | None = None
        raw_minutes = v["minutes_late"].strip() if has_minutes else ""
        if raw_minutes:
            if not raw_minutes.isdigit():
                row.error("minutes_late", f"{raw_minutes!r} is not a whole number of minutes")
            elif code and code not in LATE_CODES:
                row.error("minutes_late", f"is only for late codes (L, U), not {code}")
            else:
                minutes = int(raw_minutes)
        enrolment_id = 0
        if upn and urn in known_urns and day is not None:
            for start, leaving, pk in spans.get((upn, urn), ()):
                if start <= day and (leaving is None or day <= leaving):
                    enrolment_id = pk
            if not enrolment_id:
                what = "is not on the roll" if (upn, urn) in spans else "has no enrolment"
                row.error("date", f"pupil {upn} {what} at school {urn} on {day}")
        if len(errors) > line_errors:
            continue
        key3 = (enrolment_id, raw_date, session)
        if key3 in seen:
            row.error("session", f"the same session is also on line {seen[key3]}")
            continue
        seen[key3] = row.line
        assert day is not None
        week = week_of(day)
        staged.append(
            (
                enrolment_id,
                day.isoformat(),
                session,
                code,
                minutes,
                week.isoformat(),
                (week + dt.timedelta(days=6)).isoformat(),
            )
        )
    return staged


def _marks_write(
    file_name: str, staged: list[tuple[int, str, str, str, int | None, str, str]], who: str
) -> ImportResult:
    result = ImportResult(file_name, rows=len(staged))
    now = timezone.now()
    mark, amendment = Mark._meta.db_table, Amendment._meta.db_table
    stage_cols = "enrolment_id, date, session, code, minutes_late, week, week_end"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (enrolment_id bigint NOT NULL, date date NOT NULL, "
            "session varchar(2) NOT NULL, code varchar(2) NOT NULL, minutes_late integer, "
            "week date NOT NULL, week_end date NOT NULL, status smallint NOT NULL DEFAULT 0)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {STAGE} ({stage_cols}) FROM STDIN") as copy:
                for item in staged:
                    copy.write_row(item)
        else:
            cursor.executemany(
                f"INSERT INTO {STAGE} ({stage_cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                staged,
            )
        match = (
            f"m.enrolment_id = {STAGE}.enrolment_id AND m.date = {STAGE}.date "
            f"AND m.session = {STAGE}.session"
        )
        cursor.execute(
            f"UPDATE {STAGE} SET status = 1 WHERE NOT EXISTS (SELECT 1 FROM {mark} m WHERE {match})"
        )
        cursor.execute(
            f"UPDATE {STAGE} SET status = 2 WHERE EXISTS (SELECT 1 FROM {mark} m "
            f"WHERE {match} AND (m.code <> {STAGE}.code "
            f"OR COALESCE(m.minutes_late, -1) <> COALESCE({STAGE}.minutes_late, -1)))"
        )
        # Changed marks: keep the entry before the change, then update the mark.
        cursor.execute(
            f"SELECT m.id, m.code, m.minutes_late, m.recorded_at, m.recorded_by_name, "
            f"s.code, s.minutes_late FROM {STAGE} s JOIN {mark} m ON m.enrolment_id = "
            "s.enrolment_id AND m.date = s.date AND m.session = s.session WHERE s.status = 2"
        )
        changed = cursor.fetchall()
        reason = f"import {file_name}"
        if changed:
            cursor.executemany(
                f"INSERT INTO {amendment} (mark_id, old_code, old_minutes_late, "
                "old_recorded_at, old_recorded_by, new_code, new_minutes_late, reason, "
                "amended_by_name, amended_by_position, amended_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(c[0], c[1], c[2], c[3], c[4], c[5], c[6], reason, who, "", now) for c in changed],
            )
            cursor.executemany(
                f"UPDATE {mark} SET code = %s, minutes_late = %s, recorded_at = %s, "
                "recorded_by_id = NULL, recorded_by_name = %s, source = %s WHERE id = %s",
                [(c[5], c[6], now, who, Source.IMPORT.value, c[0]) for c in changed],
            )
        cursor.execute(
            f"INSERT INTO {mark} (enrolment_id, date, session, code, minutes_late, "
            "recorded_at, recorded_by_name, source) SELECT enrolment_id, date, session, code, "
            f"minutes_late, %s, %s, %s FROM {STAGE} WHERE status = 1",
            [now, who, Source.IMPORT.value],
        )
        result.created = cursor.rowcount
        result.updated = len(changed)
        result.unchanged = len(staged) - result.created - result.updated
        if result.created or result.updated:
            summaries.create_affected_table()
            cursor.execute(
                f"INSERT INTO {summaries.AFFECTED} (enrolment_id, week, week_end) "
                f"SELECT DISTINCT enrolment_id, week, week_end FROM {STAGE} WHERE status > 0"
            )
            summaries.refresh_affected()
        cursor.execute(f"DROP TABLE {STAGE}")
    return result


# -------------------------------------------------------------------------------------------------
# Taking and amending a register
# -------------------------------------------------------------------------------------------------


def late_code(code: str, minutes_late: int | None, school: School) -> str:
    """L after the register has closed is U (the school's register-open minutes, at most 30)."""
    if code == "L" and minutes_late is not None and minutes_late > school.register_open_minutes:
        return "U"
    return code


def _check_can_take(actor: User, group: RegistrationGroup) -> None:
    scope = scope_for(actor)
    if scope.can(Permission.REGISTER_TAKE_ANY, group.school_id):
        return
    if scope.can(Permission.REGISTER_TAKE_OWN_GROUPS, group.school_id) and (
        group.pk in scope.group_ids
    ):
        return
    raise NotFoundOrForbidden


def _validated(
    entries: Mapping[int, MarkInput], day: dt.date, school: School
) -> dict[int, MarkInput]:
    problems = []
    clean: dict[int, MarkInput] = {}
    for enrolment_id, entry in entries.items():
        try:
            code = code_for(entry.code, day).code
        except UnknownCode as exc:
            problems.append(str(exc))
            continue
        if entry.minutes_late is not None and code not in LATE_CODES:
            problems.append(f"Minutes late are only for late marks (L or U), not {code}.")
            continue
        clean[enrolment_id] = MarkInput(
            late_code(code, entry.minutes_late, school), entry.minutes_late
        )
    if problems:
        raise RegisterError(" ".join(sorted(set(problems))))
    return clean


def register_version(group: RegistrationGroup, day: dt.date, session: Session) -> str:
    """A token for the state of a register; saving with a stale token is a conflict."""
    register = Register.objects.filter(group=group, date=day, session=session).first()
    if register is None:
        return "new"
    latest = (
        Mark.objects.filter(enrolment__registration_group=group, date=day, session=session)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    stamp = max(filter(None, [register.taken_at, latest]))
    return f"{register.pk}:{stamp.isoformat()}"


def register_take(
    *,
    actor: User,
    group: RegistrationGroup,
    day: dt.date,
    session: Session,
    entries: Mapping[int, MarkInput],
    version: str,
) -> Register:
    """Save a register that has not been taken yet: a mark for every pupil on the roll.

    Marks already held (approved leave, an office entry) stay as they are.
    """
    _check_can_take(actor, group)
    school = group.school
    if day > timezone.localdate():
        raise RegisterError("A register cannot be taken for a future date.")
    clean = _validated(entries, day, school)
    now = timezone.now()
    with transaction.atomic():
        if version != "new":
            raise RegisterConflict
        try:
            with transaction.atomic():
                register = Register.objects.create(
                    group=group, date=day, session=session, taken_by=actor, taken_at=now
                )
        except IntegrityError as exc:
            raise RegisterConflict from exc
        roll = list(Enrolment.objects.on_roll(day).filter(registration_group=group))
        held = set(
            Mark.objects.filter(enrolment__in=roll, date=day, session=session).values_list(
                "enrolment_id", flat=True
            )
        )
        missing = [e for e in roll if e.pk not in held and e.pk not in clean]
        if missing:
            raise RegisterError(f"Enter a mark for every pupil: {len(missing)} have no mark.")
        new = [
            Mark(
                enrolment_id=e.pk,
                date=day,
                session=session,
                code=clean[e.pk].code,
                minutes_late=clean[e.pk].minutes_late,
                recorded_by=actor,
                recorded_by_name=actor.display_name,
                recorded_at=now,
                source=Source.REGISTER,
            )
            for e in roll
            if e.pk not in held
        ]
        Mark.objects.bulk_create(new)
        summaries.refresh_week((m.enrolment_id for m in new), day)
    return register


def register_amend(
    *,
    actor: User,
    group: RegistrationGroup,
    day: dt.date,
    session: Session,
    changes: Mapping[int, MarkInput],
    reason: str,
    version: str,
) -> int:
    """Change marks of a register; each change keeps the original entry. Returns the count."""
    scope = scope_for(actor)
    if not scope.can(Permission.REGISTER_AMEND, group.school_id):
        raise NotFoundOrForbidden
    reason = reason.strip()
    if not reason:
        raise RegisterError("Enter the reason for the amendment.")
    clean = _validated(changes, day, group.school)
    now = timezone.now()
    count = 0
    with transaction.atomic():
        if register_version(group, day, session) != version:
            raise RegisterConflict
        roll = {e.pk: e for e in Enrolment.objects.on_roll(day).filter(registration_group=group)}
        unknown = set(clean) - set(roll)
        if unknown:
            raise NotFoundOrForbidden
        marks = {
            m.enrolment_id: m
            for m in Mark.objects.select_for_update().filter(
                enrolment_id__in=list(clean), date=day, session=session
            )
        }
        touched = []
        for enrolment_id, entry in clean.items():
            mark = marks.get(enrolment_id)
            if mark is None:
                Mark.objects.create(
                    enrolment_id=enrolment_id,
                    date=day,
                    session=session,
                    code=entry.code,
                    minutes_late=entry.minutes_late,
                    recorded_by=actor,
                    recorded_by_name=actor.display_name,
                    recorded_at=now,
                    source=Source.OFFICE,
                )
            elif (mark.code, mark.minutes_late) == (entry.code, entry.minutes_late):
                continue
            else:
                _amend(mark, entry, reason=reason, actor=actor, now=now)
            touched.append(enrolment_id)
            count += 1
        summaries.refresh_week(touched, day)
    return count


def _amend(mark: Mark, entry: MarkInput, *, reason: str, actor: User, now: Any) -> None:
    Amendment.objects.create(
        mark=mark,
        old_code=mark.code,
        old_minutes_late=mark.minutes_late,
        old_recorded_at=mark.recorded_at,
        old_recorded_by=mark.recorded_by_name,
        new_code=entry.code,
        new_minutes_late=entry.minutes_late,
        reason=reason,
        amended_by=actor,
        amended_by_name=actor.display_name,
        amended_by_position=actor.position,
        amended_at=now,
    )
    mark.code, mark.minutes_late = entry.code, entry.minutes_late
    mark.recorded_by, mark.recorded_by_name, mark.recorded_at = actor, actor.display_name, now
    mark.source = Source.OFFICE
    mark.save(
        update_fields=[
            "code",
            "minutes_late",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "source",
        ]
    )
