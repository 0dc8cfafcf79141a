"""Data-protection rules as plain Python: how long registers are kept."""

from __future__ import annotations

from datetime import date

from attend.registers.domain import academic_year_start

#: Registers (and their marks and amendments) are kept for six years after the end of the
#: academic year they belong to (DESIGN.md; the School Attendance (Pupil Registration)
#: (England) Regulations 2024 require at least three).
RETENTION_YEARS = 6


def academic_year_label(d: date) -> str:
    """The academic year of ``d`` as "2018/19"."""
    start = academic_year_start(d).year
    return f"{start}/{(start + 1) % 100:02d}"


def years_before(d: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def retention_cutoff(as_of: date, years: int = RETENTION_YEARS) -> date:
    """The first day kept: data dated before it belongs to an academic year that ended (31 July)
    more than ``years`` years before ``as_of``.

    A year ending on 31 July Y is removed when 31 July Y < as_of − years, so every date before the
    1 August of the academic year containing (as_of − years) goes.
    """
    return academic_year_start(years_before(as_of, years))
