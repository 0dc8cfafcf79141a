"""Rules of the governors' comparison and termly report, as plain Python: which dates make a
term, a school's position among the schools of its phase, and ordinals.

Terms: a school's terms come from its calendar (``CalendarEntry`` rows of kind "term"). A term
entry belongs to the autumn term when it starts from August to December, to the spring term from
January to March, and to the summer term from April to July (of the academic year that starts
in August); a term split in two halves (two entries) runs from the first start to the last end.
A school with no term entry for a term uses fixed dates instead: autumn 1 September to
31 December, spring 1 January to 31 March, summer 1 April to 31 July.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


TERM_LABELS = {Term.AUTUMN: "Autumn term", Term.SPRING: "Spring term", Term.SUMMER: "Summer term"}
TERM_ORDER = (Term.AUTUMN, Term.SPRING, Term.SUMMER)


def academic_year_of(day: dt.date) -> int:
    """The start year of the academic year (1 August to 31 July) of ``day``."""
    return day.year if day.month >= 8 else day.year - 1


def term_of(start: dt.date) -> Term:
    """The term a calendar term entry belongs to, by the month it starts in."""
    if start.month >= 8:
        return Term.AUTUMN
    if start.month <= 3:
        return Term.SPRING
    return Term.SUMMER


def fallback_dates(year: int, term: Term) -> tuple[dt.date, dt.date]:
    """The fixed dates of a term for a school whose calendar does not give it."""
    if term == Term.AUTUMN:
        return dt.date(year, 9, 1), dt.date(year, 12, 31)
    if term == Term.SPRING:
        return dt.date(year + 1, 1, 1), dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 4, 1), dt.date(year + 1, 7, 31)


@dataclass(frozen=True, order=True)
class TermDates:
    year: int
    term: Term
    start: dt.date
    end: dt.date
    #: True when the dates come from the school's calendar, False for the fixed dates.
    from_calendar: bool

    @property
    def label(self) -> str:
        return f"{TERM_LABELS[self.term]} {self.year}/{(self.year + 1) % 100:02d}"


def term_dates(year: int, term: Term, entries: Iterable[tuple[dt.date, dt.date]]) -> TermDates:
    """The dates of ``term`` of the academic year starting in ``year``, from the school's term
    entries (start, end) when it has any for that term, else the fixed dates."""
    mine = [
        (start, end)
        for start, end in entries
        if academic_year_of(start) == year and term_of(start) == term
    ]
    if mine:
        return TermDates(
            year, term, min(s for s, _ in mine), max(e for _, e in mine), from_calendar=True
        )
    start, end = fallback_dates(year, term)
    return TermDates(year, term, start, end, from_calendar=False)


def terms_of_year(year: int, entries: Sequence[tuple[dt.date, dt.date]]) -> list[TermDates]:
    return [term_dates(year, term, entries) for term in TERM_ORDER]


def last_ended_term(today: dt.date, entries: Sequence[tuple[dt.date, dt.date]]) -> TermDates:
    """The most recent term that ended before ``today``: of this academic year, else the summer
    term of the last one (which has ended by 1 August)."""
    year = academic_year_of(today)
    for term in reversed(TERM_ORDER):
        dates = term_dates(year, term, entries)
        if dates.end < today:
            return dates
    return term_dates(year - 1, Term.SUMMER, entries)


# -------------------------------------------------------------------------------------------------
# Positions
# -------------------------------------------------------------------------------------------------


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Position:
    """Where a school stands among ``of`` schools: 1 is the best."""

    place: int
    of: int
    joint: bool

    def describe(self, schools: str, measure: str) -> str:
        """E.g. "3rd of 12 primary schools by attendance" ("joint 3rd" on a tie)."""
        joint = "joint " if self.joint else ""
        return f"{joint}{ordinal(self.place)} of {self.of} {schools} by {measure}"


def position(mine: Fraction, others: Iterable[Fraction], *, higher_is_better: bool) -> Position:
    """The school's place among itself and ``others`` (exact rates, never rounded ones):
    1 plus the number of schools strictly better; joint when another school has the same rate."""
    others = list(others)
    if higher_is_better:
        better = sum(1 for o in others if o > mine)
    else:
        better = sum(1 for o in others if o < mine)
    return Position(place=better + 1, of=len(others) + 1, joint=any(o == mine for o in others))


#: The comparison group must hold at least this many other schools of the phase; with fewer, the
#: group's figures would be (nearly) one named school's and are not shown.
SMALLEST_GROUP = 2
