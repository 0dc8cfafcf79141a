"""Targeted support meetings (TSMs): the rules, in plain Python.

Three meetings per school per academic year, one in each term. An academic year is named by the
calendar year it starts in (2026 for 2026/27, 1 August to 31 July, as in registers.domain). The
default planned date of a meeting is the Wednesday of the fourth week of its term.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: The planned date falls in this week of the term (week 1 holds the first day of term)...
PLANNED_WEEK = 4
#: ... on this weekday (Monday is 0).
PLANNED_WEEKDAY = 2


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def position(self) -> int:
        return list(Term).index(self)


TERM_ORDER = tuple(Term)


def year_label(year: int) -> str:
    """2026 → "2026/27"."""
    return f"{year}/{(year + 1) % 100:02d}"


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last days of the academic year starting in ``year``."""
    return date(year, 8, 1), date(year + 1, 7, 31)


def year_of(day: date) -> int:
    """The academic year (its start year) that ``day`` falls in."""
    return day.year if day.month >= 8 else day.year - 1


def term_of_month(day: date) -> Term:
    """The term a date falls in by month: August-December autumn, January-March spring,
    April-July summer (the summer holidays count with the autumn term to come)."""
    if day.month >= 8:
        return Term.AUTUMN
    if day.month <= 3:
        return Term.SPRING
    return Term.SUMMER


def current_term(today: date) -> tuple[int, Term]:
    return year_of(today), term_of_month(today)


def following(year: int, term: Term) -> tuple[int, Term]:
    """The meeting after (year, term)."""
    if term == Term.SUMMER:
        return year + 1, Term.AUTUMN
    return year, TERM_ORDER[term.position + 1]


def preceding(year: int, term: Term) -> tuple[int, Term]:
    """The meeting before (year, term)."""
    if term == Term.AUTUMN:
        return year - 1, Term.SUMMER
    return year, TERM_ORDER[term.position - 1]


def sort_key(year: int, term: Term) -> tuple[int, int]:
    return year, term.position


_NOMINAL_STARTS = {Term.AUTUMN: (0, 9, 1), Term.SPRING: (1, 1, 5), Term.SUMMER: (1, 4, 20)}


def term_starts(year: int, terms: Iterable[tuple[date, date]]) -> dict[Term, date]:
    """The first day of each term of the academic year, from a school's term entries (start, end):
    a term that starts August-December is autumn, January-March spring, April-July summer; a
    term with no entry gets a nominal start (1 September, 5 January, 20 April)."""
    first, last = year_bounds(year)
    starts: dict[Term, date] = {}
    for start, _end in terms:
        if not first <= start <= last:
            continue
        term = term_of_month(start)
        if term not in starts or start < starts[term]:
            starts[term] = start
    for term, (offset, month, day) in _NOMINAL_STARTS.items():
        starts.setdefault(term, date(year + offset, month, day))
    return starts


def default_planned_date(term_start: date) -> date:
    """The Wednesday of the term's fourth week (week 1 is the week of the first day)."""
    monday = term_start - timedelta(days=term_start.weekday())
    return monday + timedelta(weeks=PLANNED_WEEK - 1, days=PLANNED_WEEKDAY)


@dataclass(frozen=True)
class MeetingState:
    planned_on: date
    held_on: date | None


class Status(StrEnum):
    HELD = "held"
    PLANNED = "planned"
    OVERDUE = "overdue"
    NOT_SCHEDULED = "not_scheduled"

    @property
    def label(self) -> str:
        return {
            Status.HELD: "Held",
            Status.PLANNED: "Planned",
            Status.OVERDUE: "Overdue",
            Status.NOT_SCHEDULED: "Not scheduled",
        }[self]


def meeting_status(meeting: MeetingState | None, today: date) -> Status:
    """Held once it has a date held; overdue when its planned date has passed without it."""
    if meeting is None:
        return Status.NOT_SCHEDULED
    if meeting.held_on is not None:
        return Status.HELD
    if meeting.planned_on < today:
        return Status.OVERDUE
    return Status.PLANNED


class ActionStatus(StrEnum):
    DONE = "done"
    OPEN = "open"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"done": "Done", "open": "Open", "overdue": "Overdue"}[self.value]


def action_status(due: date, done_on: date | None, today: date) -> ActionStatus:
    if done_on is not None:
        return ActionStatus.DONE
    return ActionStatus.OVERDUE if due < today else ActionStatus.OPEN


def meeting_problems(
    *, year: int, planned_on: date, held_on: date | None, today: date
) -> dict[str, str]:
    """What is wrong with a meeting's dates, by field: the planned date in its academic year,
    and a meeting cannot have been held in the future."""
    problems: dict[str, str] = {}
    first, last = year_bounds(year)
    if not first <= planned_on <= last:
        problems["planned_on"] = (
            f"The planned date must be in the academic year {year_label(year)} "
            f"({first:%-d %B %Y} to {last:%-d %B %Y})"
        )
    if held_on is not None and held_on > today:
        problems["held_on"] = "The date the meeting was held must be today or in the past"
    return problems


def action_problems(*, description: str, owner: str, due: date | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not description.strip():
        problems["description"] = "Enter what was agreed"
    if not owner.strip():
        problems["owner"] = "Enter who will do it"
    if due is None:
        problems["due_on"] = "Enter the date it is due by"
    return problems
