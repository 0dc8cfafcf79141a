"""Which week of last year a week of this year is compared with, as plain Python.

The rule: **school week N of an academic year is compared with school week N of the academic year
before.** A school week is a Monday-to-Sunday week in which the school had at least one possible
session (a session with a mark counted as present, approved educational activity or absence);
weeks without one (holidays, closures, weeks before the first day of term) are not numbered. The
weeks of an academic year are numbered 1, 2, 3, ... in date order. A week belongs to the academic
year (1 August to 31 July) of its Wednesday, the middle of its five weekdays, so a week across
31 July and 1 August goes to the year that holds most of its weekdays.

Numbering school weeks, rather than taking the week with the same date a year earlier, keeps the
first week of term against the first week of term and a half-term holiday out of the comparison,
whichever weeks the school's holidays fell in each year. The weeks with possible sessions come
from the marks held (SchoolWeekSummary), so the rule also works for a year whose calendar was
never loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


def academic_year_of_week(monday: date) -> int:
    """The calendar year in which the academic year of the week beginning ``monday`` starts
    (2025 for 2025/26): the academic year of the week's Wednesday."""
    middle = monday + timedelta(days=2)
    return middle.year if middle.month >= 8 else middle.year - 1


def number_school_weeks(weeks: Iterable[date]) -> dict[date, tuple[int, int]]:
    """Each school week (a Monday) with (its academic year, its number in that year from 1)."""
    numbered: dict[date, tuple[int, int]] = {}
    counts: dict[int, int] = {}
    for monday in sorted(set(weeks)):
        if monday.weekday() != 0:
            raise ValueError(f"A week is given by its Monday, not {monday:%A} {monday}.")
        year = academic_year_of_week(monday)
        counts[year] = counts.get(year, 0) + 1
        numbered[monday] = (year, counts[year])
    return numbered


@dataclass(frozen=True)
class AlignedWeek:
    #: The week of this year (a Monday).
    week: date
    #: Its school week number in its academic year.
    number: int
    #: The school week with the same number in the academic year before, if it had one.
    last_year: date | None


def align_with_last_year(shown: Sequence[date], school_weeks: Iterable[date]) -> list[AlignedWeek]:
    """The weeks of ``shown`` that are school weeks, in date order, each with its school week
    number and the week of the academic year before with the same number (or None).

    ``school_weeks`` are all the weeks with possible sessions from the start of last academic
    year before the first shown week up to the last shown week (the numbering counts from the
    start of each academic year).
    """
    numbered = number_school_weeks(school_weeks)
    by_number = {position: monday for monday, position in numbered.items()}
    aligned = []
    for monday in sorted(set(shown)):
        if monday not in numbered:
            continue
        year, number = numbered[monday]
        aligned.append(AlignedWeek(monday, number, by_number.get((year - 1, number))))
    return aligned
