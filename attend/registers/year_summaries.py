"""Year-to-date summaries: per enrolment and per school, per academic year (ADR 3).

`EnrolmentYearSummary` is the sum of an enrolment's marks in one academic year (1 August to
31 July): its whole weeks from WeekSummary, the part-weeks at the ends of the year from the marks.
It also holds the enrolment's category under its LA's bands and the persistent and severe flags,
decided here by :mod:`attend.registers.domain` (the rules live once). `SchoolYearSummary` is the
sum of a school's enrolment rows, with the number of enrolments in each category, and records the
bands it counted them under.

Every write that refreshes WeekSummary refreshes the rows of the (enrolment, year) pairs it
touched in the same transaction (`registers.summaries` calls :func:`refresh_years`): the
enrolments' year rows are summed again from their weeks (at most 53 rows each, through the
unique (enrolment, week) index), then the rows of their schools are summed again from the
schools' enrolment rows. :func:`rebuild_years` runs the same code for every enrolment, and tests
hold the two paths equal.

Changing an LA's bands changes the categories: :func:`reclassify` recomputes them for the
schools concerned (the LA admin does it in the transaction of the change); the readers also
check each school row's bands against the LA's and fall back to the weekly path when they
differ, so a change made by any other path is never shown wrong, only slower.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db import connection

from attend.organisations.models import LocalAuthority, School
from attend.pupils.models import Enrolment
from attend.registers.domain import (
    AttendanceCategory,
    CategoryBands,
    Counts,
    academic_year_start,
    attendance_category,
    is_persistent_absence,
    is_severe_absence,
    week_of,
)
from attend.registers.models import (
    CODE_COLUMNS,
    EnrolmentYearSummary,
    Mark,
    SchoolYearSummary,
    WeekSummary,
)

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
ENROLMENT_YEAR = EnrolmentYearSummary._meta.db_table
SCHOOL_YEAR = SchoolYearSummary._meta.db_table
SUMMARY = WeekSummary._meta.db_table
MARK = Mark._meta.db_table
ENROLMENT = Enrolment._meta.db_table
SCHOOL = School._meta.db_table
LA = LocalAuthority._meta.db_table

#: Summed columns, in the order of registers.summaries' select list (BASE_COLUMNS, then codes).
BASE = ("present", "aea", "authorised", "unauthorised", "not_possible", "late", "penalty")
CODES = tuple(CODE_COLUMNS.values())
SUMMED = (*BASE, *CODES)
CATEGORY_COLUMNS = {c: f"category_{c.value}" for c in AttendanceCategory}
#: SchoolYearSummary's counted columns.
SCHOOL_SUMMED = (
    "enrolment_rows", "enrolments", "persistent_absence", "severe_absence",
    *CATEGORY_COLUMNS.values(), "late_minutes", *SUMMED,
)  # fmt: skip
_CATEGORY_INDEX = {c.value: i for i, c in enumerate(AttendanceCategory)}
_BAND_FIELDS = (
    "band_expected_from",
    "band_persistent_above",
    "band_persistent_from",
    "band_severe_above",
)


def bands_key(bands: CategoryBands) -> str:
    """The bands as exact fractions, as stored on SchoolYearSummary."""
    return "/".join(
        str(f)
        for f in (bands.expected_from, bands.persistent_above, bands.persistent_from,
                  bands.severe_above)
    )  # fmt: skip


def year_end(year_start: dt.date) -> dt.date:
    return year_start.replace(year=year_start.year + 1) - DAY


def year_spans(
    year_start: dt.date,
) -> tuple[tuple[dt.date, dt.date], list[tuple[dt.date, dt.date]]]:
    """(first and last Monday of the whole weeks inside the academic year; the part-weeks at its
    ends as date ranges, read from the marks)."""
    last_day = year_end(year_start)
    first = year_start if year_start.weekday() == 0 else week_of(year_start) + WEEK
    last = week_of(last_day) if last_day.weekday() == 6 else week_of(last_day) - WEEK
    parts = []
    if year_start < first:
        parts.append((year_start, first - DAY))
    if last + WEEK <= last_day:
        parts.append((last + WEEK, last_day))
    return (first, last), parts


def _date_param() -> str:
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def _counts(values: Sequence[int]) -> Counts:
    return Counts(*values[: len(BASE)])


# -------------------------------------------------------------------------------------------------
# Writing
# -------------------------------------------------------------------------------------------------


def refresh_years(cursor: Any, years: Collection[dt.date], ids_sql: str | None,
                  params: Sequence[Any]) -> None:  # fmt: skip
    """Recompute the year rows of the enrolments that `ids_sql` selects (SQL usable inside
    ``enrolment_id IN (...)``; None for every enrolment) for each academic year in `years`, then
    the rows of their schools."""
    for year in sorted(set(years)):
        _refresh_year(cursor, year, ids_sql, list(params))


def years_touching(first: dt.date, last: dt.date) -> list[dt.date]:
    """The academic years (1 August) that the days first..last fall in."""
    years = []
    year = academic_year_start(first)
    while year <= last:
        years.append(year)
        year = year.replace(year=year.year + 1)
    return years


def _school_bands(cursor: Any, ids_sql: str | None, params: list[Any]) -> dict[int, CategoryBands]:
    """The bands of the LA of each school of the selected enrolments (every school: None)."""
    columns = ", ".join(f"la.{f}" for f in _BAND_FIELDS)
    if ids_sql is None:
        cursor.execute(
            f"SELECT s.id, {columns} FROM {SCHOOL} s JOIN {LA} la ON la.id = s.local_authority_id"
        )
    else:
        cursor.execute(
            f"SELECT s.id, {columns} FROM {SCHOOL} s JOIN {LA} la ON la.id = s.local_authority_id "
            f"WHERE s.id IN (SELECT DISTINCT e.school_id FROM {ENROLMENT} e "
            f"WHERE e.id IN ({ids_sql}))",
            params,
        )
    return {
        row[0]: LocalAuthority(
            **{f: _decimal(v) for f, v in zip(_BAND_FIELDS, row[1:], strict=True)}
        ).bands
        for row in cursor.fetchall()
    }


def _decimal(value: Any) -> Decimal:
    """A DecimalField read by a raw cursor: a float on SQLite (exact to its two places through
    its shortest repr), a Decimal on PostgreSQL."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _classify(values: Sequence[int], bands: CategoryBands) -> tuple[str, bool, bool]:
    counts = _counts(values)
    category = attendance_category(counts, bands)
    return (
        category.value if category else "",
        is_persistent_absence(counts),
        is_severe_absence(counts),
    )


def _refresh_year(cursor: Any, year: dt.date, ids_sql: str | None, params: list[Any]) -> None:
    (first, last), parts = year_spans(year)
    bands = _school_bands(cursor, ids_sql, params)
    if not bands:
        return
    only = "" if ids_sql is None else f" AND enrolment_id IN ({ids_sql})"
    cursor.execute(
        f"DELETE FROM {ENROLMENT_YEAR} WHERE year_start = %s{only}", [year.isoformat(), *params]
    )
    from attend.registers import summaries  # the per-mark select list; imports this module

    selects = [
        f"SELECT w.enrolment_id, w.late_minutes, {', '.join(f'w.{c}' for c in SUMMED)} "
        f"FROM {SUMMARY} w WHERE w.week >= %s AND w.week <= %s"
        + ("" if ids_sql is None else f" AND w.enrolment_id IN ({ids_sql})")
    ]
    select_params: list[Any] = [first.isoformat(), last.isoformat(), *params]
    for start, end in parts:
        selects.append(
            f"SELECT m.enrolment_id, COALESCE(SUM(m.minutes_late), 0), "
            f"{summaries.select_counts()} FROM {MARK} m WHERE m.date >= %s AND m.date <= %s"
            + ("" if ids_sql is None else f" AND m.enrolment_id IN ({ids_sql})")
            + " GROUP BY m.enrolment_id"
        )
        select_params += [start.isoformat(), end.isoformat(), *params]
    sums = ", ".join(f"SUM(x.{c})" for c in ("late_minutes", *SUMMED))
    cursor.execute(
        f"SELECT x.enrolment_id, e.school_id, {sums} FROM ({' UNION ALL '.join(selects)}) x "
        f"JOIN {ENROLMENT} e ON e.id = x.enrolment_id GROUP BY x.enrolment_id, e.school_id",
        select_params,
    )
    rows = []
    for enrolment_id, school_id, late_minutes, *values in cursor.fetchall():
        values = [int(v or 0) for v in values]
        category, persistent, severe = _classify(values, bands[school_id])
        rows.append(
            (enrolment_id, school_id, year.isoformat(), int(late_minutes or 0), *values,
             category, persistent, severe)
        )  # fmt: skip
    columns = ", ".join(
        ["enrolment_id", "school_id", "year_start", "late_minutes", *SUMMED, "category",
         "persistent_absence", "severe_absence"]
    )  # fmt: skip
    if rows:
        cursor.executemany(
            f"INSERT INTO {ENROLMENT_YEAR} ({columns}) VALUES ({', '.join(['%s'] * len(rows[0]))})",
            rows,
        )
    _refresh_schools(cursor, year, bands)


def _refresh_schools(cursor: Any, year: dt.date, bands: dict[int, CategoryBands]) -> None:
    """Sum the schools' enrolment rows of the year again (one statement per LA's bands)."""
    by_bands: dict[str, list[int]] = defaultdict(list)
    for school_id, school_bands in bands.items():
        by_bands[bands_key(school_bands)].append(school_id)
    for key, school_ids in by_bands.items():
        marks = ", ".join(["%s"] * len(school_ids))
        cursor.execute(
            f"DELETE FROM {SCHOOL_YEAR} WHERE year_start = %s AND school_id IN ({marks})",
            [year.isoformat(), *school_ids],
        )
        categories = ", ".join(
            f"SUM(CASE WHEN category = '{c.value}' THEN 1 ELSE 0 END)" for c in CATEGORY_COLUMNS
        )
        cursor.execute(
            f"INSERT INTO {SCHOOL_YEAR} (school_id, year_start, bands, {', '.join(SCHOOL_SUMMED)}) "
            f"SELECT school_id, {_date_param()}, %s, COUNT(*), "
            "SUM(CASE WHEN category <> '' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN persistent_absence THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN severe_absence THEN 1 ELSE 0 END), "
            f"{categories}, SUM(late_minutes), {', '.join(f'SUM({c})' for c in SUMMED)} "
            f"FROM {ENROLMENT_YEAR} WHERE year_start = %s AND school_id IN ({marks}) "
            "GROUP BY school_id",
            [year.isoformat(), key, year.isoformat(), *school_ids],
        )


def straddling_weeks(year: dt.date) -> list[dt.date]:
    """The Mondays of the weeks that the academic year shares with the years either side."""
    (first, last), _ = year_spans(year)
    return sorted({first - WEEK, last + WEEK} & {week_of(year), week_of(year_end(year))})


def week_sums(cursor: Any, year: dt.date, rows: str, params: Sequence[Any]) -> dict[int, list[int]]:
    """Per enrolment: late minutes then the SUMMED columns, summed over the WeekSummary rows `w`
    that `rows` selects (a FROM clause and its WHERE conditions) among the whole weeks of the
    academic year."""
    (first, last), _ = year_spans(year)
    sums = ", ".join(f"SUM(w.{c})" for c in ("late_minutes", *SUMMED))
    cursor.execute(
        f"SELECT w.enrolment_id, {sums} FROM {rows} AND w.week >= %s AND w.week <= %s "
        "GROUP BY w.enrolment_id",
        [*params, first.isoformat(), last.isoformat()],
    )
    return {row[0]: [int(v or 0) for v in row[1:]] for row in cursor.fetchall()}


def apply_week_changes(
    cursor: Any, year: dt.date, before: dict[int, list[int]], rows: str, params: Sequence[Any]
) -> None:
    """After WeekSummary rows were refreshed: add to the year rows of their enrolments the
    difference between the rows' new sums and `before` (their :func:`week_sums` taken before the
    refresh), and to the school rows the difference their enrolment rows made. Weeks that
    straddle two years are not whole weeks of either: the caller sums those enrolments again."""
    after = week_sums(cursor, year, rows, params)
    width = 1 + len(SUMMED)
    zero = [0] * width
    deltas = {}
    for pk in before.keys() | after.keys():
        delta = [b - a for a, b in zip(before.get(pk, zero), after.get(pk, zero), strict=True)]
        if any(delta):
            deltas[pk] = delta
    ids = sorted(deltas)
    for i in range(0, len(ids), 5000):
        _apply(cursor, year, {pk: deltas[pk] for pk in ids[i : i + 5000]})


def _school_state(row: Sequence[int], category: str, persistent: bool, severe: bool) -> list[int]:
    """A row's contribution to SCHOOL_SUMMED (row: late minutes then SUMMED)."""
    state = [1, 1 if category else 0, int(persistent), int(severe), 0, 0, 0, 0, 0, *row]
    if category:
        state[4 + _CATEGORY_INDEX[category]] = 1
    return state


def _apply(cursor: Any, year: dt.date, deltas: dict[int, list[int]]) -> None:
    ids = list(deltas)
    marks = ", ".join(["%s"] * len(ids))
    bands = _school_bands(cursor, marks, ids)
    cursor.execute(
        f"SELECT e.id, e.school_id, y.id, y.category, y.persistent_absence, y.severe_absence, "
        f"y.late_minutes, {', '.join(f'y.{c}' for c in SUMMED)} FROM {ENROLMENT} e "
        f"LEFT JOIN {ENROLMENT_YEAR} y ON y.enrolment_id = e.id AND y.year_start = %s "
        f"WHERE e.id IN ({marks})",
        [year.isoformat(), *ids],
    )
    width = len(SCHOOL_SUMMED)
    schools: dict[int, list[int]] = defaultdict(lambda: [0] * width)
    inserts, updates, deletes = [], [], []
    for pk, school_id, row_id, category, persistent, severe, *old in cursor.fetchall():
        change = schools[school_id]
        if row_id is not None:
            for i, v in enumerate(_school_state(old, category, persistent, severe)):
                change[i] -= v
            values = [int(v) + d for v, d in zip(old, deltas[pk], strict=True)]
        else:
            values = deltas[pk]
        if not any(values[1:6]):  # no session of any category: no mark left in the year
            deletes.append(row_id)
            continue
        category, persistent, severe = _classify(values[1:], bands[school_id])
        for i, v in enumerate(_school_state(values, category, persistent, severe)):
            change[i] += v
        if row_id is None:
            inserts.append((pk, school_id, year.isoformat(), *values, category, persistent, severe))
        else:
            updates.append((*values, category, persistent, severe, row_id))
    # Rows are updated in place (their index entries do not change), not deleted and inserted.
    columns = ["late_minutes", *SUMMED, "category", "persistent_absence", "severe_absence"]
    if updates:
        cursor.executemany(
            f"UPDATE {ENROLMENT_YEAR} SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s",
            updates,
        )
    if inserts:
        cursor.executemany(
            f"INSERT INTO {ENROLMENT_YEAR} "
            f"(enrolment_id, school_id, year_start, {', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(inserts[0]))})",
            inserts,
        )
    if deletes:
        cursor.execute(
            f"DELETE FROM {ENROLMENT_YEAR} WHERE id IN ({', '.join(['%s'] * len(deletes))})",
            deletes,
        )
    _apply_schools(cursor, year, schools, bands)


def _apply_schools(
    cursor: Any, year: dt.date, changes: dict[int, list[int]], bands: dict[int, CategoryBands]
) -> None:
    """Add the changes to the school rows; a school whose row was counted under other bands is
    classified and summed again instead."""
    changes = {pk: change for pk, change in changes.items() if any(change)}
    if not changes:
        return
    ids = sorted(changes)
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"SELECT school_id, bands FROM {SCHOOL_YEAR} WHERE year_start = %s "
        f"AND school_id IN ({marks})",
        [year.isoformat(), *ids],
    )
    stored = dict(cursor.fetchall())
    updates, inserts, stale = [], [], []
    for pk in ids:
        if pk not in stored:
            inserts.append((pk, year.isoformat(), bands_key(bands[pk]), *changes[pk]))
        elif stored[pk] == bands_key(bands[pk]):
            updates.append((*changes[pk], year.isoformat(), pk))
        else:
            stale.append(pk)
    if updates:
        cursor.executemany(
            f"UPDATE {SCHOOL_YEAR} SET {', '.join(f'{c} = {c} + %s' for c in SCHOOL_SUMMED)} "
            "WHERE year_start = %s AND school_id = %s",
            updates,
        )
    if inserts:
        cursor.executemany(
            f"INSERT INTO {SCHOOL_YEAR} (school_id, year_start, bands, {', '.join(SCHOOL_SUMMED)}) "
            f"VALUES ({', '.join(['%s'] * len(inserts[0]))})",
            inserts,
        )
    cursor.execute(
        f"DELETE FROM {SCHOOL_YEAR} WHERE year_start = %s AND school_id IN ({marks}) "
        "AND enrolment_rows = 0",
        [year.isoformat(), *ids],
    )
    if stale:
        reclassify(stale)


def rebuild_years() -> int:
    """Recompute every year row from WeekSummary and the marks; returns the enrolment rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SCHOOL_YEAR}")
        cursor.execute(f"DELETE FROM {ENROLMENT_YEAR}")
        cursor.execute(f"SELECT MIN(date), MAX(date) FROM {MARK}")
        first, last = cursor.fetchone()
        if first is None:
            return 0
        if isinstance(first, str):
            first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        refresh_years(cursor, years_touching(first, last), None, [])
        cursor.execute(f"SELECT COUNT(*) FROM {ENROLMENT_YEAR}")
        return int(cursor.fetchone()[0])


def reclassify(school_ids: Collection[int]) -> None:
    """Classify the enrolment rows of these schools again under their LAs' current bands and sum
    the schools' rows again (after a change of bands, or of a school's LA)."""
    school_ids = sorted(set(school_ids))
    if not school_ids:
        return
    marks = ", ".join(["%s"] * len(school_ids))
    with connection.cursor() as cursor:
        bands = _school_bands(
            cursor, f"SELECT id FROM {ENROLMENT} WHERE school_id IN ({marks})", school_ids
        )
        cursor.execute(f"DELETE FROM {SCHOOL_YEAR} WHERE school_id IN ({marks})", school_ids)
        cursor.execute(
            f"SELECT id, school_id, year_start, {', '.join(BASE)} FROM {ENROLMENT_YEAR} "
            f"WHERE school_id IN ({marks})",
            school_ids,
        )
        updates, years = [], set()
        for pk, school_id, year, *values in cursor.fetchall():
            years.add(year if isinstance(year, dt.date) else dt.date.fromisoformat(year))
            updates.append((_classify(values, bands[school_id])[0], pk))
        cursor.executemany(f"UPDATE {ENROLMENT_YEAR} SET category = %s WHERE id = %s", updates)
        for year in sorted(years):
            _refresh_schools(cursor, year, bands)


def reclassify_local_authority(la_id: int) -> None:
    reclassify(School.objects.filter(local_authority_id=la_id).values_list("pk", flat=True))


def after_retention(cutoff: dt.date) -> None:
    """Bring the year rows in step after the marks before `cutoff` were removed: the years
    wholly before it go, the year across it is recomputed."""
    year = academic_year_start(cutoff)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SCHOOL_YEAR} WHERE year_start < %s", [year.isoformat()])
        cursor.execute(f"DELETE FROM {ENROLMENT_YEAR} WHERE year_start < %s", [year.isoformat()])
        if cutoff > year:
            cursor.execute(f"DELETE FROM {SCHOOL_YEAR} WHERE year_start = %s", [year.isoformat()])
            refresh_years(cursor, [year], None, [])


# -------------------------------------------------------------------------------------------------
# Reading
# -------------------------------------------------------------------------------------------------


_WEEKLY_ONLY: ContextVar[bool] = ContextVar("weekly_only", default=False)


@contextmanager
def weekly_path() -> Iterator[None]:
    """Readers ignore the year rows inside this block (the benchmark's baseline, and the tests
    holding both paths equal)."""
    token = _WEEKLY_ONLY.set(True)
    try:
        yield
    finally:
        _WEEKLY_ONLY.reset(token)


def covers(start: dt.date, end: dt.date) -> dt.date | None:
    """The academic year whose rows equal the period start..end, or None: the period starts on
    the year's first day and no mark of that year lies after its end (one query)."""
    if _WEEKLY_ONLY.get():
        return None
    year = academic_year_start(start)
    if start != year or end < start:
        return None
    last = year_end(year)
    if end > last:
        return None
    if end < last and Mark.objects.filter(date__gt=end, date__lte=last).exists():
        return None
    return year


def enrolment_rows(year: dt.date, school_ids: Collection[int]) -> dict[int, list[int]]:
    """Per enrolment of the schools: the BASE counts then the sessions per code in the year."""
    ids = list(school_ids) or [0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT enrolment_id, {', '.join(SUMMED)} FROM {ENROLMENT_YEAR} "
            f"WHERE year_start = %s AND school_id IN ({', '.join(['%s'] * len(ids))})",
            [year.isoformat(), *ids],
        )
        return {row[0]: list(row[1:]) for row in cursor.fetchall()}


def school_rows(year: dt.date, school_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Per school with a row: its SchoolYearSummary values (BASE counts, enrolments, persistent,
    severe, categories, bands), one query."""
    ids = list(school_ids) or [0]
    fields = [
        "school_id", "bands", "enrolments", "persistent_absence", "severe_absence",
        *CATEGORY_COLUMNS.values(), *BASE,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(fields)} FROM {SCHOOL_YEAR} "
            f"WHERE year_start = %s AND school_id IN ({', '.join(['%s'] * len(ids))})",
            [year.isoformat(), *ids],
        )
        return {row[0]: dict(zip(fields, row, strict=True)) for row in cursor.fetchall()}
