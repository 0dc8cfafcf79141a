"""The tables of the dashboard's patterns (monitoring.patterns) as exports: CSV and Excel through
:mod:`attend.core.exports`, reached by ``?format=csv|xlsx&table=NAME`` on the dashboard."""

from __future__ import annotations

from collections.abc import Callable

from attend.core.exports import Table
from attend.monitoring.patterns import LateFigures, Patterns, SessionFigures

_SESSION_HEADER = [
    "possible_sessions",
    "attended_sessions",
    "authorised_absence",
    "unauthorised_absence",
    "late_sessions",
    "attendance_rate",
    "overall_absence_rate",
    "authorised_absence_rate",
    "unauthorised_absence_rate",
    "late_rate",
]


def _session_cells(f: SessionFigures) -> list[object]:
    c = f.counts
    return [
        c.possible,
        c.attended,
        c.authorised,
        c.unauthorised,
        c.late,
        f.attendance_rate,
        f.absence_rate,
        f.authorised_rate,
        f.unauthorised_rate,
        f.late_rate,
    ]


_LATE_HEADER = [
    "possible_sessions",
    "late_before_close_l",
    "late_before_close_rate",
    "late_after_close_u",
    "late_after_close_rate",
    "late_sessions",
    "late_rate",
]


def _late_cells(f: LateFigures) -> list[object]:
    return [
        f.possible,
        f.before_close,
        f.before_close_rate,
        f.after_close,
        f.after_close_rate,
        f.late,
        f.late_rate,
    ]


def _days(p: Patterns, name: str) -> Table:
    return Table(
        name,
        "By day of the week",
        ["day", *_SESSION_HEADER],
        [[d.day.label, *_session_cells(d.day)] for d in p.days.days],
    )


def _sessions(p: Patterns, name: str) -> Table:
    return Table(
        name,
        "Morning and afternoon",
        ["session", *_SESSION_HEADER],
        [
            [label, *_session_cells(f)]
            for label, f in zip(("AM", "PM"), p.days.sessions, strict=True)
        ],
    )


def _day_sessions(p: Patterns, name: str) -> Table:
    rows = []
    for d in p.days.days:
        rows.append([d.day.label, "AM", *_session_cells(d.am)])
        rows.append([d.day.label, "PM", *_session_cells(d.pm)])
    return Table(name, "By day and session", ["day", "session", *_SESSION_HEADER], rows)


def _lateness(p: Patterns, name: str) -> Table:
    return Table(
        name,
        "Late sessions by week",
        ["week_beginning", *_LATE_HEADER, "minutes_late"],
        [
            [w.week.isoformat(), *_late_cells(w.figures), w.figures.minutes]
            for w in p.lateness.weeks
        ],
    )


def _late_total(p: Patterns, name: str) -> Table:
    total = p.lateness.total
    return Table(
        name,
        "Late sessions in the period",
        ["figure", "value"],
        [
            *zip(_LATE_HEADER, _late_cells(total), strict=True),
            ("minutes_late", total.minutes),
            ("pupils_late", p.lateness.pupils_late),
            ("pupils_late_share", p.lateness.pupils_late.share),
        ],
    )


def _late_pupils(p: Patterns, name: str) -> Table | None:
    if p.lateness.pupils is None:  # aggregates only: no list of pupils
        return None
    return Table(
        name,
        "Pupils most often late",
        ["upn", "name", *_LATE_HEADER],
        [[x.upn, x.name, *_late_cells(x.figures)] for x in p.lateness.pupils],
    )


def _last_year(p: Patterns, name: str) -> Table:
    rows = []
    for r in p.last_year.rows:
        last = r.last_year
        rows.append(
            [
                r.number,
                r.this_year.week.isoformat(),
                r.this_year.possible,
                r.this_year.counts.absent,
                r.this_year.absence_rate,
                None if last is None else last.week.isoformat(),
                None if last is None else last.possible,
                None if last is None else last.counts.absent,
                r.last_year_absence_rate,
                r.difference,
            ]
        )
    return Table(
        name,
        "By week against last year",
        [
            "school_week",
            "week_beginning",
            "possible_sessions",
            "absence_sessions",
            "overall_absence_rate",
            "last_year_week_beginning",
            "last_year_possible_sessions",
            "last_year_absence_sessions",
            "last_year_overall_absence_rate",
            "difference_percentage_points",
        ],
        rows,
    )


TABLES: dict[str, Callable[[Patterns, str], Table | None]] = {
    "days": _days,
    "sessions": _sessions,
    "day_sessions": _day_sessions,
    "lateness": _lateness,
    "late_total": _late_total,
    "late_pupils": _late_pupils,
    "last_year": _last_year,
}


def pattern_table(patterns: Patterns | None, table: str, name: str) -> Table | None:
    """The export ``table`` of the patterns, or None when there is no such table for this
    reader (the view answers 404)."""
    make = TABLES.get(table)
    if patterns is None or make is None:
        return None
    return make(patterns, name)
