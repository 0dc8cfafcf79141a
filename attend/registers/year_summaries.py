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
        row[0]: LocalAuthority(**dict(zip(_BAND_FIELDS, row[1:], strict=True))).bands
        for row in cursor.fetchall()
    }


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
            f"INSERT INTO {SCHOOL_YEAR} (school_id, year_start, bands, enrolments, "
            f"persistent_absence, severe_absence, {', '.join(CATEGORY_COLUMNS.values())}, "
            f"late_minutes, {', '.join(SUMMED)}) "
            f"SELECT school_id, {_date_param()}, %s, "
            "SUM(CASE WHEN category <> '' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN persistent_absence THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN severe_absence THEN 1 ELSE 0 END), "
            f"{categories}, SUM(late_minutes), {', '.join(f'SUM({c})' for c in SUMMED)} "
            f"FROM {ENROLMENT_YEAR} WHERE year_start = %s AND school_id IN ({marks}) "
            "GROUP BY school_id",
            [year.isoformat(), key, year.isoformat(), *school_ids],
        )


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
