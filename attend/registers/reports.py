"""The figures of `attend report ...`: per enrolment, per school, the penalty-notice threshold and
a pupil's marks with their history.

Reports read WeekSummary for the whole weeks of the period and the marks only for the part-weeks
at its ends; the rules (rates, persistent and severe absence, categories, the window) come from
registers.domain, so a page, the API and the command give the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from attend.organisations.models import CalendarEntry, LocalAuthority, School
from attend.pupils.models import Enrolment, Pupil
from attend.registers import summaries
from attend.registers.domain import (
    DEFAULT_BANDS,
    PENALTY_CODES,
    CategoryBands,
    Counts,
    Session,
    academic_year_start,
    attendance_category,
    is_persistent_absence,
    is_severe_absence,
    penalty_threshold_week,
    percent_of,
    school_sessions,
    school_weeks,
    week_of,
)
from attend.registers.models import (
    CODE_COLUMNS,
    Amendment,
    Mark,
    SchoolWeekSummary,
    WeekSummary,
)

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
#: Columns summed per enrolment, in the order of summaries.select_counts().
BASE_COLUMNS = ("present", "aea", "authorised", "unauthorised", "not_possible", "late", "penalty")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, as_of: dt.date, start: dt.date | None = None) -> Period:
        start = start or academic_year_start(as_of)
        if start > as_of:
            raise ValueError(f"--from ({start}) is after --as-of ({as_of})")
        return cls(start, as_of)

    def split(
        self, has_marks: Callable[[dt.date, dt.date], bool] | None = None
    ) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
        """(whole weeks as first and last Monday, or None; part-week date ranges from marks).

        A week cut by the period is read whole from the summary when no mark falls in the part
        outside the period (`has_marks(first, last)` says whether any mark lies in those days):
        a period ending on a Friday usually reads no marks at all.
        """
        first = week_of(self.start)
        if first < self.start and (has_marks is None or has_marks(first, self.start - DAY)):
            first += WEEK
        last = week_of(self.end)
        if self.end < last + WEEK - DAY and (
            has_marks is None or has_marks(self.end + DAY, last + WEEK - DAY)
        ):
            last -= WEEK
        if first > last:
            return None, [(self.start, self.end)]
        parts = []
        if self.start < first:
            parts.append((self.start, first - DAY))
        if last + WEEK - DAY < self.end:
            parts.append((last + WEEK, self.end))
        return (first, last), parts


def any_marks_between(first: dt.date, last: dt.date) -> bool:
    """Whether any mark is dated in [first, last] (through the date index)."""
    return Mark.objects.filter(date__gte=first, date__lte=last).exists()


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _in(column: str, ids: Collection[int] | None) -> tuple[str, list[Any]]:
    if ids is None:
        return "", []
    ids = list(ids) or [0]
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


def enrolment_counts(
    period: Period, *, school_ids: Collection[int] | None = None, with_codes: bool = False
) -> dict[int, list[int]]:
    """Per enrolment: the BASE_COLUMNS counts (then sessions per code, with_codes) in the period."""
    columns = [*BASE_COLUMNS, *(CODE_COLUMNS.values() if with_codes else ())]
    width = len(columns)
    totals: dict[int, list[int]] = {}

    def add(rows: Iterator[tuple[Any, ...]]) -> None:
        if not totals:  # the common case: one query of whole weeks
            totals.update((row[0], [int(v or 0) for v in row[1:]]) for row in rows)
            return
        for row in rows:
            current = totals.get(row[0])
            if current is None:
                totals[row[0]] = [int(v or 0) for v in row[1:]]
            else:
                for i in range(width):
                    current[i] += int(row[i + 1] or 0)

    weeks, parts = period.split(any_marks_between)
    with connection.cursor() as cursor:
        if weeks is not None:
            where, params = _in("school_id", school_ids)
            cursor.execute(
                f"SELECT enrolment_id, {', '.join(f'SUM({c})' for c in columns)} "
                f"FROM {WeekSummary._meta.db_table} WHERE week >= %s AND week <= %s{where} "
                "GROUP BY enrolment_id",
                [_iso(weeks[0]), _iso(weeks[1]), *params],
            )
            add(iter(cursor.fetchall()))
        for first, last in parts:
            where, params = _in("e.school_id", school_ids)
            cursor.execute(
                f"SELECT m.enrolment_id, {summaries.select_counts(width)} "
                f"FROM {Mark._meta.db_table} m JOIN {Enrolment._meta.db_table} e "
                f"ON e.id = m.enrolment_id WHERE m.date >= %s AND m.date <= %s{where} "
                "GROUP BY m.enrolment_id",
                [_iso(first), _iso(last), *params],
            )
            add(iter(cursor.fetchall()))
    return totals


def school_code_counts(period: Period) -> dict[int, list[int]]:
    """Per school: sessions per code (in the order of CODE_COLUMNS) in the period."""
    columns = list(CODE_COLUMNS.values())
    totals: dict[int, list[int]] = {}

    def add(rows: list[tuple[Any, ...]]) -> None:
        for school_id, *values in rows:
            current = totals.setdefault(school_id, [0] * len(columns))
            for i, value in enumerate(values):
                current[i] += int(value or 0)

    weeks, parts = period.split(any_marks_between)
    with connection.cursor() as cursor:
        if weeks is not None:
            cursor.execute(
                f"SELECT school_id, {', '.join(f'SUM({c})' for c in columns)} "
                f"FROM {SchoolWeekSummary._meta.db_table} WHERE week >= %s AND week <= %s "
                "GROUP BY school_id",
                [_iso(weeks[0]), _iso(weeks[1])],
            )
            add(cursor.fetchall())
        for first, last in parts:
            cursor.execute(
                f"SELECT e.school_id, {summaries.select_counts(codes_only=True)} "
                f"FROM {Mark._meta.db_table} m JOIN {Enrolment._meta.db_table} e "
                "ON e.id = m.enrolment_id WHERE m.date >= %s AND m.date <= %s "
                "GROUP BY e.school_id",
                [_iso(first), _iso(last)],
            )
            add(cursor.fetchall())
    return totals


def _counts(values: list[int]) -> Counts:
    return Counts(
        present=values[0],
        aea=values[1],
        authorised=values[2],
        unauthorised=values[3],
        not_possible=values[4],
        late=values[5],
        penalty=values[6],
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _bands() -> dict[int, CategoryBands]:
    return {la.pk: la.bands for la in LocalAuthority.objects.all()}


def _school_ids(urn: str | None) -> list[int] | None:
    if urn is None:
        return None
    ids = list(School.objects.filter(urn=urn).values_list("pk", flat=True))
    if not ids:
        raise ValueError(f"--urn: no school with URN {urn}")
    return ids


PUPIL_FIELDS = (
    "upn",
    "urn",
    "possible_sessions",
    "present_sessions",
    "aea_sessions",
    "attended_sessions",
    "authorised_absence",
    "unauthorised_absence",
    "attendance_rate",
    "absence_rate",
    "persistent_absence",
    "severe_absence",
    "category",
)


def pupils_report(
    *, as_of: dt.date, start: dt.date | None = None, urn: str | None = None
) -> list[dict[str, Any]]:
    """One row per enrolment with a possible session in the period."""
    period = Period.of(as_of, start)
    school_ids = _school_ids(urn)
    totals = enrolment_counts(period, school_ids=school_ids)
    bands = _bands()
    where, params = _in("e.school_id", school_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, p.upn, s.urn, s.local_authority_id FROM {Enrolment._meta.db_table} e "
            f"JOIN {Pupil._meta.db_table} p ON p.id = e.pupil_id "
            f"JOIN {School._meta.db_table} s ON s.id = e.school_id WHERE 1 = 1{where}",
            params,
        )
        info = {pk: (upn, school_urn, la) for pk, upn, school_urn, la in cursor.fetchall()}
    rows = []
    for pk, values in totals.items():
        counts = _counts(values)
        possible = counts.possible
        if possible == 0:
            continue
        upn, school_urn, la = info[pk]
        category = attendance_category(counts, bands.get(la, DEFAULT_BANDS))
        rows.append(
            {
                "upn": upn,
                "urn": school_urn,
                "possible_sessions": possible,
                "present_sessions": counts.present,
                "aea_sessions": counts.aea,
                "attended_sessions": counts.attended,
                "authorised_absence": counts.authorised,
                "unauthorised_absence": counts.unauthorised,
                "attendance_rate": _number(percent_of(counts.attended, possible)),
                "absence_rate": _number(percent_of(counts.absent, possible)),
                "persistent_absence": is_persistent_absence(counts),
                "severe_absence": is_severe_absence(counts),
                "category": category.value if category else None,
            }
        )
    rows.sort(key=lambda r: (r["urn"], r["upn"]))
    return rows


SCHOOL_FIELDS = (
    "urn",
    "enrolments",
    "possible_sessions",
    "present_sessions",
    "aea_sessions",
    "authorised_absence",
    "unauthorised_absence",
    "attendance_rate",
    "overall_absence_rate",
    "authorised_absence_rate",
    "unauthorised_absence_rate",
    "persistent_absence_rate",
    "severe_absence_rate",
    "codes",
)


def schools_report(*, as_of: dt.date, start: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per school: totals, rates and sessions per code over the enrolments with a
    possible session in the period."""
    period = Period.of(as_of, start)
    totals = enrolment_counts(period)
    school_of = dict(Enrolment.objects.values_list("pk", "school_id").iterator(chunk_size=10000))
    code_names = list(CODE_COLUMNS)
    per_school: dict[int, dict[str, Any]] = {}
    for school_id, codes in school_code_counts(period).items():
        per_school[school_id] = {
            "counts": Counts(),
            "enrolments": 0,
            "pa": 0,
            "sa": 0,
            "codes": codes,
        }
    for pk, values in totals.items():
        counts = _counts(values)
        school = per_school.setdefault(
            school_of[pk],
            {"counts": Counts(), "enrolments": 0, "pa": 0, "sa": 0, "codes": [0] * len(code_names)},
        )
        school["counts"] += counts
        if counts.possible == 0:
            continue
        school["enrolments"] += 1
        school["pa"] += is_persistent_absence(counts)
        school["sa"] += is_severe_absence(counts)
    rows = []
    for school_row in School.objects.order_by("urn"):
        data = per_school.get(school_row.pk)
        counts = data["counts"] if data else Counts()
        enrolments = data["enrolments"] if data else 0
        possible = counts.possible
        rows.append(
            {
                "urn": school_row.urn,
                "enrolments": enrolments,
                "possible_sessions": possible,
                "present_sessions": counts.present,
                "aea_sessions": counts.aea,
                "authorised_absence": counts.authorised,
                "unauthorised_absence": counts.unauthorised,
                "attendance_rate": _number(percent_of(counts.attended, possible)),
                "overall_absence_rate": _number(percent_of(counts.absent, possible)),
                "authorised_absence_rate": _number(percent_of(counts.authorised, possible)),
                "unauthorised_absence_rate": _number(percent_of(counts.unauthorised, possible)),
                "persistent_absence_rate": _number(
                    percent_of(data["pa"], enrolments) if data else None
                ),
                "severe_absence_rate": _number(
                    percent_of(data["sa"], enrolments) if data else None
                ),
                "codes": {
                    code: n
                    for code, n in zip(code_names, data["codes"] if data else [], strict=False)
                    if n
                },
            }
        )
    return rows


# -------------------------------------------------------------------------------------------------
# The penalty-notice threshold
# -------------------------------------------------------------------------------------------------

PENALTY_FIELDS = ("upn", "urn", "met_on", "met_session", "window_start", "sessions")


def school_week_lists(until: dt.date) -> dict[int, list[dt.date]]:
    """Each school's school weeks (Mondays) up to `until`, from its calendar; a school with no
    calendar falls back to the weeks in which its pupils have marks."""
    entries: dict[int, list[Any]] = defaultdict(list)
    for entry in CalendarEntry.objects.all():
        entries[entry.school_id].append(entry.as_rule())
    weeks: dict[int, list[dt.date]] = {}
    for school_id, rules in entries.items():
        weeks[school_id] = [w for w in school_weeks(school_sessions(rules)) if w <= until]
    missing = set(School.objects.values_list("pk", flat=True)) - set(weeks)
    if missing:
        for school_id, week in (
            WeekSummary.objects.filter(school_id__in=missing, week__lte=until)
            .values_list("school_id", "week")
            .distinct()
        ):
            weeks.setdefault(school_id, []).append(week)
        for school_id in missing:
            weeks[school_id] = sorted(set(weeks.get(school_id, [])))
    return weeks


def penalty_report(*, as_of: dt.date, start: dt.date | None = None) -> list[dict[str, Any]]:
    """Pupils whose threshold (10 sessions of G, N, O or U in 10 school weeks) was first met in
    the period. Earlier weeks count towards windows that end in the period, and the window
    follows a pupil across schools."""
    period = Period.of(as_of, start)
    current = week_of(as_of)
    # The week of as_of comes from the summary too when no mark lies after as_of in it.
    last_whole = current if not any_marks_between(as_of + DAY, current + WEEK - DAY) else None
    per_pupil: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    weeks_seen: dict[Any, dt.date] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            # The week as text: one conversion per distinct week below, not one per row.
            "SELECT e.pupil_id, CAST(w.week AS text), w.penalty "
            f"FROM {WeekSummary._meta.db_table} w "
            f"JOIN {Enrolment._meta.db_table} e ON e.id = w.enrolment_id "
            "WHERE w.penalty > 0 AND w.week <= %s",
            [_iso(last_whole or current - WEEK)],
        )
        for pupil_id, raw_week, n in cursor.fetchall():
            week = weeks_seen.get(raw_week)
            if week is None:
                week = weeks_seen[raw_week] = _as_date(raw_week)
            per_pupil[pupil_id][week] += n
    if last_whole is None:
        for pupil_id, n in _penalty_marks_by_pupil(current, as_of):
            per_pupil[pupil_id][current] += n
    candidates = {p: weeks for p, weeks in per_pupil.items() if sum(weeks.values()) >= 10}
    if not candidates:
        return []

    school_weeks_by_id = school_week_lists(as_of)
    enrolments: dict[int, list[tuple[int, int, dt.date, dt.date | None]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, pupil_id, school_id, CAST(start_date AS text), CAST(leaving_date AS text) "
            f"FROM {Enrolment._meta.db_table}"
        )
        for pk, pupil_id, school_id, first, leaving in cursor.fetchall():
            if pupil_id in candidates:
                enrolments[pupil_id].append(
                    (
                        pk,
                        school_id,
                        _cached_date(first, weeks_seen),
                        _cached_date(leaving, weeks_seen),
                    )
                )

    found = {}
    span_weeks: dict[tuple[int, dt.date, dt.date], list[dt.date]] = {}
    for pupil_id, counts in candidates.items():
        spans = []
        for _, school_id, first, leaving in enrolments[pupil_id]:
            key = (school_id, week_of(first), leaving or as_of)
            if key not in span_weeks:
                span_weeks[key] = [
                    w for w in school_weeks_by_id.get(school_id, ()) if key[1] <= w <= key[2]
                ]
            spans.append(span_weeks[key])
        weeks = spans[0] if len(spans) == 1 else sorted({w for span in spans for w in span})
        threshold = penalty_threshold_week(weeks, counts)
        if threshold is not None:
            found[pupil_id] = (threshold, counts)
    if not found:
        return []

    marks = _penalty_marks_in_weeks(
        [
            (pk, t.week)
            for pupil_id, (t, _) in found.items()
            for pk, _, _, _ in enrolments[pupil_id]
        ],
        as_of,
    )
    upns = dict(Pupil.objects.filter(pk__in=list(found)).values_list("pk", "upn"))
    pupil_of = {pk: p for p, items in enrolments.items() for pk, _, _, _ in items}
    by_pupil: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for enrolment_id, day, session, urn in marks:
        by_pupil[pupil_of[enrolment_id]].append((str(day), session, urn))
    rows = []
    for pupil_id, (threshold, counts) in found.items():
        ordered = sorted(by_pupil[pupil_id], key=lambda m: (m[0], Session(m[1]).index))
        day, session, urn = ordered[threshold.needed - 1]
        met_on = dt.date.fromisoformat(day)
        if met_on < period.start:
            continue
        in_window = sum(
            n for w, n in counts.items() if threshold.window_start <= w <= threshold.week
        )
        rows.append(
            {
                "upn": upns[pupil_id],
                "urn": urn,
                "met_on": met_on.isoformat(),
                "met_session": session,
                "window_start": threshold.window_start.isoformat(),
                "sessions": in_window,
            }
        )
    rows.sort(key=lambda r: (r["met_on"], r["met_session"], r["upn"]))
    return rows


def _cached_date(value: Any, cache: dict[Any, dt.date]) -> Any:
    """`_as_date` through a cache (few distinct dates, many rows); None stays None."""
    if value is None:
        return None
    found = cache.get(value)
    if found is None:
        found = cache[value] = _as_date(value)
    return found


def _as_date(value: Any) -> dt.date:
    """A date from the database: a date on PostgreSQL, ISO text on SQLite's raw cursor."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _penalty_codes_sql() -> str:
    return ", ".join(f"'{c}'" for c in sorted(PENALTY_CODES))


def _penalty_marks_by_pupil(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.pupil_id, COUNT(*) FROM {Mark._meta.db_table} m "
            f"JOIN {Enrolment._meta.db_table} e ON e.id = m.enrolment_id "
            f"WHERE m.date >= %s AND m.date <= %s AND m.code IN ({_penalty_codes_sql()}) "
            "GROUP BY e.pupil_id",
            [_iso(first), _iso(last)],
        )
        return [(int(p), int(n)) for p, n in cursor.fetchall()]


def _penalty_marks_in_weeks(
    pairs: list[tuple[int, dt.date]], as_of: dt.date
) -> list[tuple[int, Any, str, str]]:
    """Penalty marks of the given (enrolment, week) pairs, up to as_of, with the school's URN."""
    summaries.create_affected_table()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {summaries.AFFECTED} (enrolment_id, week, week_end) VALUES (%s, %s, %s)",
            [(pk, _iso(w), _iso(min(w + WEEK - DAY, as_of))) for pk, w in set(pairs)],
        )
        cursor.execute(
            f"SELECT m.enrolment_id, m.date, m.session, s.urn FROM {summaries.AFFECTED} a "
            f"JOIN {Mark._meta.db_table} m ON m.enrolment_id = a.enrolment_id "
            "AND m.date >= a.week AND m.date <= a.week_end "
            f"JOIN {Enrolment._meta.db_table} e ON e.id = m.enrolment_id "
            f"JOIN {School._meta.db_table} s ON s.id = e.school_id "
            f"WHERE m.code IN ({_penalty_codes_sql()})"
        )
        rows = cursor.fetchall()
        cursor.execute(f"DROP TABLE {summaries.AFFECTED}")
    return rows


# -------------------------------------------------------------------------------------------------
# A pupil's marks with their history
# -------------------------------------------------------------------------------------------------


def marks_report(
    *, upn: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    if not Pupil.objects.filter(upn=upn).exists():
        raise ValueError(f"--upn: no pupil with UPN {upn}")
    marks = Mark.objects.filter(enrolment__pupil__upn=upn).select_related("enrolment__school")
    if start:
        marks = marks.filter(date__gte=start)
    if end:
        marks = marks.filter(date__lte=end)
    history: dict[int, list[Amendment]] = defaultdict(list)
    for amendment in Amendment.objects.filter(mark__in=marks).order_by("amended_at", "pk"):
        history[amendment.mark_id].append(amendment)
    rows = []
    for mark in sorted(marks, key=lambda m: (m.date, m.session, m.enrolment.school.urn)):
        changes = history.get(mark.pk, [])
        if changes:
            first = changes[0]
            entries = [
                {
                    "code": first.old_code,
                    "minutes_late": first.old_minutes_late,
                    "recorded_at": first.old_recorded_at.isoformat(),
                    "recorded_by": first.old_recorded_by,
                    "reason": None,
                }
            ] + [
                {
                    "code": a.new_code,
                    "minutes_late": a.new_minutes_late,
                    "recorded_at": a.amended_at.isoformat(),
                    "recorded_by": ", ".join(
                        filter(None, [a.amended_by_name, a.amended_by_position])
                    ),
                    "reason": a.reason,
                }
                for a in changes
            ]
        else:
            entries = [
                {
                    "code": mark.code,
                    "minutes_late": mark.minutes_late,
                    "recorded_at": mark.recorded_at.isoformat(),
                    "recorded_by": mark.recorded_by_name,
                    "reason": None,
                }
            ]
        rows.append(
            {
                "date": mark.date.isoformat(),
                "session": mark.session,
                "urn": mark.enrolment.school.urn,
                "code": mark.code,
                "minutes_late": mark.minutes_late,
                "history": entries,
            }
        )
    return rows
