"""Keeping WeekSummary in step with the marks, in the same transaction as the marks change.

One SQL statement recomputes the rows of the (enrolment, week) pairs a write touched from the marks
(at most 14 marks per pair, found through the unique (enrolment, date, session) index). The same
statement, week by week, is the full rebuild; a test holds the two paths equal.

SchoolSessionSummary (a school's counts per date and session) is kept in the same transaction: the
(school, date, session) rows a write touched are recomputed from the marks of that school's
enrolments, one probe of the unique (enrolment, date, session) index per enrolment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

from attend.pupils.models import Enrolment
from attend.registers.domain import CODES, HISTORIC_CODES, LATE_CODES, PENALTY_CODES, week_of
from attend.registers.models import (
    CODE_COLUMNS,
    Mark,
    SchoolSessionSummary,
    SchoolWeekSummary,
    WeekSummary,
)

MARK = Mark._meta.db_table
SUMMARY = WeekSummary._meta.db_table
ENROLMENT = Enrolment._meta.db_table
SCHOOL_SUMMARY = SchoolWeekSummary._meta.db_table
AFFECTED = "attend_affected_weeks"
SESSION_SUMMARY = SchoolSessionSummary._meta.db_table
AFFECTED_SESSIONS = "attend_affected_sessions"


def _sql_literal(code: str) -> str:
    return "'" + code.replace("'", "''") + "'"


def _count_in(codes: Iterable[str]) -> str:
    listed = ", ".join(_sql_literal(c) for c in sorted(codes))
    return f"SUM(CASE WHEN m.code IN ({listed}) THEN 1 ELSE 0 END)"


_ALL = {**HISTORIC_CODES, **CODES}
CATEGORY_COLUMNS = ("present", "aea", "authorised", "unauthorised", "not_possible")
_COLUMNS = ", ".join([*CATEGORY_COLUMNS, "late", "penalty", *CODE_COLUMNS.values()])
_COUNT_LIST = [
    *(_count_in(c for c, v in _ALL.items() if v.category == cat) for cat in CATEGORY_COLUMNS),
    _count_in(LATE_CODES),
    _count_in(PENALTY_CODES),
    *(f"SUM(CASE WHEN m.code = {_sql_literal(code)} THEN 1 ELSE 0 END)" for code in CODE_COLUMNS),
]
_COUNTS = ", ".join(_COUNT_LIST)


def select_counts(width: int | None = None, *, codes_only: bool = False) -> str:
    """The SQL select list of the summary columns computed from marks aliased `m`: categories,
    late, penalty, then one count per code (the first `width` of them); or only the per-code
    counts."""
    if codes_only:
        return ", ".join(_COUNT_LIST[len(CATEGORY_COLUMNS) + 2 :])
    return ", ".join(_COUNT_LIST[:width])


_INSERT = f"INSERT INTO {SUMMARY} (enrolment_id, school_id, week, late_minutes, {_COLUMNS}) "
_SCHOOL_INSERT = (
    f"INSERT INTO {SCHOOL_SUMMARY} (school_id, week, enrolments, late_minutes, {_COLUMNS}) "
    f"SELECT w.school_id, w.week, COUNT(*), SUM(w.late_minutes), "
    + ", ".join(f"SUM(w.{c})" for c in _COLUMNS.split(", "))
    + f" FROM {SUMMARY} w "
)


def _refresh_school_weeks(cursor: Any, pairs: str, params: list[Any]) -> None:
    """Recompute the SchoolWeekSummary rows of the (school, week) pairs that `pairs` selects
    (a SELECT of school_id, week) from WeekSummary."""
    cursor.execute(
        f"DELETE FROM {SCHOOL_SUMMARY} WHERE EXISTS (SELECT 1 FROM ({pairs}) p "
        f"WHERE p.school_id = {SCHOOL_SUMMARY}.school_id AND p.week = {SCHOOL_SUMMARY}.week)",
        params,
    )
    cursor.execute(
        _SCHOOL_INSERT + f"JOIN (SELECT DISTINCT school_id, week FROM ({pairs}) q) p "
        "ON p.school_id = w.school_id AND p.week = w.week GROUP BY w.school_id, w.week",
        params,
    )


# The session summary: categories and late (the first six counts), and minutes late.
_SESSION_COLUMNS = ", ".join([*CATEGORY_COLUMNS, "late"])


def _session_insert(keys: str) -> str:
    """INSERT ... SELECT of session summary rows: `keys` selects school_id, date and session,
    then the counts of the marks aliased `m`."""
    return (
        f"INSERT INTO {SESSION_SUMMARY} (school_id, date, session, late_minutes, "
        f"{_SESSION_COLUMNS}) SELECT {keys}, COALESCE(SUM(m.minutes_late), 0), "
        f"{select_counts(len(CATEGORY_COLUMNS) + 1)} "
    )


def _insert_sessions(cursor: Any, sessions: str, params: list[Any]) -> None:
    """Insert the SchoolSessionSummary rows of the (school_id, date, session) triples that
    `sessions` selects (no duplicates), from the marks of each school's enrolments."""
    # CROSS JOIN keeps this order on SQLite (sessions, then the school's enrolments, then one
    # probe of the unique mark index each) rather than reading every school's marks of the date
    # through the date index; PostgreSQL plans it as the inner join it is.
    cursor.execute(
        _session_insert("p.school_id, p.date, p.session") + f"FROM ({sessions}) p "
        f"CROSS JOIN {ENROLMENT} e CROSS JOIN {MARK} m "
        "WHERE e.school_id = p.school_id AND m.enrolment_id = e.id AND m.date = p.date "
        "AND m.session = p.session GROUP BY p.school_id, p.date, p.session",
        params,
    )


def _refresh_sessions(cursor: Any, triples: str, params: list[Any]) -> None:
    """Recompute the SchoolSessionSummary rows of the (school_id, date, session) triples that
    `triples` selects, through a temporary table (a batch write)."""
    cursor.execute(f"DROP TABLE IF EXISTS {AFFECTED_SESSIONS}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {AFFECTED_SESSIONS} (school_id bigint NOT NULL, "
        "date date NOT NULL, session varchar(2) NOT NULL, PRIMARY KEY (school_id, date, session))"
    )
    cursor.execute(
        f"INSERT INTO {AFFECTED_SESSIONS} (school_id, date, session) "
        f"SELECT DISTINCT school_id, date, session FROM ({triples}) t",
        params,
    )
    cursor.execute(
        f"DELETE FROM {SESSION_SUMMARY} WHERE school_id IN "
        f"(SELECT school_id FROM {AFFECTED_SESSIONS}) AND EXISTS (SELECT 1 FROM "
        f"{AFFECTED_SESSIONS} a WHERE a.school_id = {SESSION_SUMMARY}.school_id "
        f"AND a.date = {SESSION_SUMMARY}.date AND a.session = {SESSION_SUMMARY}.session)"
    )
    _insert_sessions(cursor, f"SELECT school_id, date, session FROM {AFFECTED_SESSIONS}", [])
    cursor.execute(f"DROP TABLE {AFFECTED_SESSIONS}")


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _date_param() -> str:
    """A date parameter used as a value (not compared to a column): typed on PostgreSQL."""
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def refresh_week(
    enrolment_ids: Iterable[int], week: dt.date, *, session: str | None = None
) -> None:
    """Recompute the summaries of some enrolments for one week (a register save).

    With ``session``, the write touched only that session of the date ``week`` (a register):
    the school's session summary is recomputed for that date and session alone. Without it, for
    every date and session of the week on which the enrolments have a mark.
    """
    ids = sorted(set(enrolment_ids))
    if not ids:
        return
    day = week
    week = week_of(week)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SUMMARY} WHERE week = %s AND enrolment_id IN ({placeholders})",
            [_iso(week), *ids],
        )
        cursor.execute(
            _INSERT + "SELECT m.enrolment_id, e.school_id, %s, COALESCE(SUM(m.minutes_late), 0), "
            f"{_COUNTS} FROM {MARK} m JOIN {ENROLMENT} e ON e.id = m.enrolment_id "
            f"WHERE m.enrolment_id IN ({placeholders}) AND m.date >= %s AND m.date <= %s "
            "GROUP BY m.enrolment_id, e.school_id",
            [_iso(week), *ids, _iso(week), _iso(week + dt.timedelta(days=6))],
        )
        _refresh_school_weeks(
            cursor,
            f"SELECT DISTINCT school_id, {_date_param()} AS week FROM {ENROLMENT} "
            f"WHERE id IN ({placeholders})",
            [_iso(week), *ids],
        )
        if session is None:
            _refresh_sessions(
                cursor,
                f"SELECT DISTINCT e.school_id, m.date, m.session FROM {MARK} m "
                f"JOIN {ENROLMENT} e ON e.id = m.enrolment_id "
                f"WHERE m.enrolment_id IN ({placeholders}) AND m.date >= %s AND m.date <= %s",
                [*ids, _iso(week), _iso(week + dt.timedelta(days=6))],
            )
            return
        schools = f"SELECT DISTINCT school_id FROM {ENROLMENT} WHERE id IN ({placeholders})"
        cursor.execute(
            f"DELETE FROM {SESSION_SUMMARY} WHERE school_id IN ({schools}) "
            "AND date = %s AND session = %s",
            [*ids, _iso(day), str(session)],
        )
        _insert_sessions(
            cursor,
            f"SELECT DISTINCT school_id, {_date_param()} AS date, %s AS session "
            f"FROM {ENROLMENT} WHERE id IN ({placeholders})",
            [_iso(day), str(session), *ids],
        )


def create_affected_table() -> None:
    """A temporary table of (enrolment, week) pairs that a batch write touched."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {AFFECTED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {AFFECTED} "
            "(enrolment_id bigint NOT NULL, week date NOT NULL, week_end date NOT NULL, "
            "PRIMARY KEY (enrolment_id, week))"
        )


def refresh_affected() -> None:
    """Recompute the summaries of every pair in the affected table, then drop it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SUMMARY} WHERE EXISTS (SELECT 1 FROM {AFFECTED} a "
            f"WHERE a.enrolment_id = {SUMMARY}.enrolment_id AND a.week = {SUMMARY}.week)"
        )
        cursor.execute(
            _INSERT
            + f"SELECT a.enrolment_id, e.school_id, a.week, COALESCE(SUM(m.minutes_late), 0), "
            f"{_COUNTS} FROM {AFFECTED} a "
            f"JOIN {MARK} m ON m.enrolment_id = a.enrolment_id "
            "AND m.date >= a.week AND m.date <= a.week_end "
            f"JOIN {ENROLMENT} e ON e.id = a.enrolment_id "
            "GROUP BY a.enrolment_id, e.school_id, a.week"
        )
        _refresh_school_weeks(
            cursor,
            f"SELECT DISTINCT e.school_id, a.week FROM {AFFECTED} a "
            f"JOIN {ENROLMENT} e ON e.id = a.enrolment_id",
            [],
        )
        # Marks are added or changed, never removed (retention removes the rows by date): the
        # sessions touched are those on which the affected enrolments have marks.
        _refresh_sessions(
            cursor,
            f"SELECT e.school_id, m.date, m.session FROM {AFFECTED} a "
            f"JOIN {MARK} m ON m.enrolment_id = a.enrolment_id "
            "AND m.date >= a.week AND m.date <= a.week_end "
            f"JOIN {ENROLMENT} e ON e.id = a.enrolment_id",
            [],
        )
        cursor.execute(f"DROP TABLE {AFFECTED}")


def rebuild_all() -> int:
    """Recompute every summary from the marks, week by week; returns the number of rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SESSION_SUMMARY}")
        cursor.execute(f"DELETE FROM {SCHOOL_SUMMARY}")
        cursor.execute(f"DELETE FROM {SUMMARY}")
        cursor.execute(f"SELECT MIN(date), MAX(date) FROM {MARK}")
        first, last = cursor.fetchone()
        if first is None:
            return 0
        if isinstance(first, str):
            first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        week = week_of(first)
        while week <= last:
            cursor.execute(
                _INSERT
                + "SELECT m.enrolment_id, e.school_id, %s, COALESCE(SUM(m.minutes_late), 0), "
                f"{_COUNTS} FROM {MARK} m JOIN {ENROLMENT} e ON e.id = m.enrolment_id "
                "WHERE m.date >= %s AND m.date <= %s GROUP BY m.enrolment_id, e.school_id",
                [_iso(week), _iso(week), _iso(week + dt.timedelta(days=6))],
            )
            cursor.execute(
                _session_insert("e.school_id, m.date, m.session")
                + f"FROM {MARK} m JOIN {ENROLMENT} e ON e.id = m.enrolment_id "
                "WHERE m.date >= %s AND m.date <= %s GROUP BY e.school_id, m.date, m.session",
                [_iso(week), _iso(week + dt.timedelta(days=6))],
            )
            week += dt.timedelta(days=7)
        cursor.execute(_SCHOOL_INSERT + "GROUP BY w.school_id, w.week")
        cursor.execute(f"SELECT COUNT(*) FROM {SUMMARY}")
        return int(cursor.fetchone()[0])
