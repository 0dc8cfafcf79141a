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
from attend.audit.services import audit_event, audit_record, audit_record_many
from attend.core.csvfiles import CsvFile
from attend.core.exceptions import AttendError, NotFoundOrForbidden
from attend.core.results import ImportResult
from attend.organisations.models import RegistrationGroup, School
from attend.pupils.domain import InvalidUPN, upn_validate
from attend.pupils.models import Enrolment, Pupil
from attend.registers import summaries
from attend.registers.domain import (
    CODES_2024_FROM,
    LATE_CODES,
    Session,
    UnknownCode,
    code_for,
    week_of,
)
from attend.registers.models import Amendment, Mark, Register, Source

MARK_REQUIRED = ("upn", "urn", "date", "session", "code")
MARK_OPTIONAL = ("minutes_late",)
STAGE = "attend_stage_marks"
WEEK_END = dt.timedelta(days=6)


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
        result = _marks_write(csv_file.name, staged, who)
        audit_record(
            actor=None,
            actor_name=who,
            action="marks.import",
            obj_type="file",
            obj_id=csv_file.name,
            after={
                "file": csv_file.name,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            summary=str(result),
        )
        return result


Staged = tuple[int, str, str, str, int | None, str, str]


def _marks_parse(csv_file: CsvFile) -> list[Staged]:
    """Validate every line; returns (enrolment, date, session, code, minutes, week, week_end).

    Written for files of millions of lines: values that repeat (UPNs, dates, codes) are checked
    once, and a line is a list of cells rather than a dict.
    """
    records = list(csv_file.records())
    if csv_file.errors:
        return []
    index = {column: i for i, column in enumerate(csv_file.columns)}
    i_upn, i_urn, i_date = index["upn"], index["urn"], index["date"]
    i_session, i_code, i_minutes = index["session"], index["code"], index.get("minutes_late")
    error = csv_file.error

    upn_problems: dict[str, str | None] = {}
    for _, cells in records:
        raw = cells[i_upn]
        if raw not in upn_problems:
            try:
                upn_validate(raw)
                upn_problems[raw] = None
            except InvalidUPN as exc:
                upn_problems[raw] = str(exc) if raw.strip() else "is required"
    valid = [raw.strip().upper() for raw, problem in upn_problems.items() if problem is None]
    spans: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = {}
    for pk, pupil_upn, school_urn, start, leaving in (
        Enrolment.objects.filter(pupil__upn__in=valid)
        .order_by("start_date")
        .values_list("pk", "pupil__upn", "school__urn", "start_date", "leaving_date")
        .iterator(chunk_size=5000)
    ):
        spans.setdefault((pupil_upn, school_urn), []).append((start, leaving, pk))
    known_urns = set(School.objects.values_list("urn", flat=True))

    dates: dict[str, tuple[dt.date, str, str] | None] = {}
    codes: dict[tuple[str, bool], str] = {}
    code_problems: dict[tuple[str, bool], str] = {}
    enrolment_of: dict[tuple[str, str, str], int | str] = {}
    seen: dict[tuple[int, str, str], int] = {}
    staged: list[Staged] = []
    append = staged.append
    for line, cells in records:
        ok = True
        raw_upn, urn, raw_date = cells[i_upn], cells[i_urn].strip(), cells[i_date].strip()
        problem = upn_problems[raw_upn]
        if problem is not None:
            error(line, "upn", problem)
            ok = False
        if urn not in known_urns:
            error(line, "urn", f"no school with URN {urn}" if urn else "is required")
            ok = False
        if raw_date not in dates:
            try:
                day = dt.date.fromisoformat(raw_date) if len(raw_date) == 10 else None
            except ValueError:
                day = None
            if day is None:
                dates[raw_date] = None
            else:
                week = week_of(day)
                dates[raw_date] = (day, week.isoformat(), (week + WEEK_END).isoformat())
        parsed = dates[raw_date]
        if parsed is None:
            error(line, "date", f"{raw_date!r} is not a date in the form YYYY-MM-DD")
            ok = False
        session = cells[i_session].strip().upper()
        if session != "AM" and session != "PM":
            error(line, "session", f"{cells[i_session]!r} is not AM or PM")
            ok = False
        code = ""
        if parsed is not None:
            key = (cells[i_code], parsed[0] < CODES_2024_FROM)
            if key not in codes and key not in code_problems:
                try:
                    codes[key] = code_for(key[0], parsed[0]).code
                except UnknownCode as exc:
                    code_problems[key] = str(exc)
            if key in code_problems:
                error(line, "code", code_problems[key])
                ok = False
            else:
                code = codes[key]
        minutes: int | None = None
        raw_minutes = cells[i_minutes].strip() if i_minutes is not None else ""
        if raw_minutes:
            if not raw_minutes.isdigit():
                error(line, "minutes_late", f"{raw_minutes!r} is not a whole number of minutes")
                ok = False
            elif code and code not in LATE_CODES:
                error(line, "minutes_late", f"is only for late codes (L, U), not {code}")
                ok = False
            else:
                minutes = int(raw_minutes)
        if not ok or parsed is None:
            continue
        key3 = (raw_upn, urn, raw_date)
        enrolment_id = enrolment_of.get(key3)
        if enrolment_id is None:
            upn = raw_upn.strip().upper()
            day = parsed[0]
            enrolment_id = next(
                (
                    pk
                    for start, leaving, pk in spans.get((upn, urn), ())
                    if start <= day and (leaving is None or day <= leaving)
                ),
                f"pupil {upn} "
                + ("is not on the roll" if (upn, urn) in spans else "has no enrolment")
                + f" at school {urn} on {day}",
            )
            enrolment_of[key3] = enrolment_id
        if isinstance(enrolment_id, str):
            error(line, "date", enrolment_id)
            continue
        session_key = (enrolment_id, raw_date, session)
        if session_key in seen:
            error(line, "session", f"the same session is also on line {seen[session_key]}")
            continue
        seen[session_key] = line
        append((enrolment_id, parsed[0].isoformat(), session, code, minutes, parsed[1], parsed[2]))
    return staged


def _marks_write(file_name: str, staged: list[Staged], who: str) -> ImportResult:
    result = ImportResult(file_name, rows=len(staged))
    now = timezone.now()
    mark, amendment = Mark._meta.db_table, Amendment._meta.db_table
    stage_cols = "enrolment_id, date, session, code, minutes_late, week, week_end"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A batch touches most pages of the marks indexes: give this connection a 2 GB page
            # cache (it grows only as used), as a PostgreSQL server would have shared buffers.
            cursor.execute("PRAGMA cache_size = -2097152")
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
            f"s.code, s.minutes_late, e.school_id, e.pupil_id, p.upn, s.date, s.session "
            f"FROM {STAGE} s JOIN {mark} m ON m.enrolment_id = "
            "s.enrolment_id AND m.date = s.date AND m.session = s.session "
            f"JOIN {Enrolment._meta.db_table} e ON e.id = m.enrolment_id "
            f"JOIN {Pupil._meta.db_table} p ON p.id = e.pupil_id WHERE s.status = 2"
        )
        changed = cursor.fetchall()
        reason = f"import {file_name}"
        audit_record_many(
            audit_event(
                actor=None,
                actor_name=who,
                action="mark.amend",
                obj_type="mark",
                obj_id=c[0],
                school=c[7],
                pupil_id=c[8],
                pupil_upn=c[9],
                before={"code": c[1], "minutes_late": c[2]},
                after={"code": c[5], "minutes_late": c[6], "reason": reason},
                summary=f"{_iso_text(c[10])} {c[11]} {c[1]} → {c[5]} ({reason})",
                at=now,
            )
            for c in changed
        )
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
            f"minutes_late, %s, %s, %s FROM {STAGE} WHERE status = 1 "
            "ORDER BY enrolment_id, date, session",
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


def _iso_text(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


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
    """A token for the state of a register: "new" when nothing is recorded yet, otherwise the
    register and its latest mark. Saving with a stale token is a conflict."""
    register = Register.objects.filter(group=group, date=day, session=session).first()
    latest = (
        Mark.objects.filter(enrolment__registration_group=group, date=day, session=session)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    if register is None and latest is None:
        return "new"
    stamps = [s for s in (register.taken_at if register else None, latest) if s is not None]
    return f"{register.pk if register else 0}:{max(stamps).isoformat()}"


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
        if register_version(group, day, session) != version:
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
        summaries.refresh_week((m.enrolment_id for m in new), day, session=session)
        audit_record(
            actor=actor,
            action="register.take",
            obj_type="register",
            obj_id=register.pk,
            school=school,
            after={str(m.enrolment_id): m.code for m in new},
            summary=f"{group.name} {day.isoformat()} {session} register taken: {len(new)} marks",
        )
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
        roll = {
            e.pk: e
            for e in Enrolment.objects.on_roll(day)
            .filter(registration_group=group)
            .select_related("pupil")
        }
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
                mark = Mark.objects.create(
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
                before = None
            elif (mark.code, mark.minutes_late) == (entry.code, entry.minutes_late):
                continue
            else:
                before = {"code": mark.code, "minutes_late": mark.minutes_late}
                _amend(mark, entry, reason=reason, actor=actor, now=now)
            audit_record(
                actor=actor,
                action="mark.amend",
                obj_type="mark",
                obj_id=mark.pk,
                school=group.school_id,
                pupil=roll[enrolment_id].pupil,
                before=before,
                after={"code": entry.code, "minutes_late": entry.minutes_late, "reason": reason},
                summary=(
                    f"{day.isoformat()} {session} {before['code'] if before else '(none)'} → "
                    f"{entry.code}"
                ),
            )
            touched.append(enrolment_id)
            count += 1
        summaries.refresh_week(touched, day, session=session)
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
