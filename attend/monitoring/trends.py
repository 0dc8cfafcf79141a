"""Rules of "who needs attention" and of recognition, as plain Python (no Django).

Every decision compares exact session counts (integers and Fractions), never rounded
percentages. The definitions are documented in docs/monitoring.md ("Who needs attention" and
"Recognition"); the functions below are the only place they are written down in code.

* :func:`is_worse` and :func:`newly_worse`: a pupil newly entering a worse category.
* :func:`attendance_change`: the change in attendance between two windows, as a Fraction of 1
  (so ``Fraction(-1, 10)`` is a fall of 10 percentage points); used both for "falling fastest"
  (recent weeks against the earlier year) and "most improved" (this half term against the last).
* :func:`projected_attendance` and :func:`projected_persistent`: the end-of-year projection.
* :func:`half_terms`: half terms from a school's terms and the sessions it meets.
* :func:`is_excellent`: excellent attendance against a threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from attend.registers.domain import AttendanceCategory

K = TypeVar("K")

#: The categories from best to worst.
CATEGORY_ORDER: tuple[AttendanceCategory, ...] = (
    AttendanceCategory.EXPECTED,
    AttendanceCategory.AT_RISK_OF_PERSISTENT,
    AttendanceCategory.PERSISTENT,
    AttendanceCategory.AT_RISK_OF_SEVERE,
    AttendanceCategory.SEVERE,
)

#: "Falling fastest": the recent window is this many school weeks ...
RECENT_WEEKS = 4
#: ... and a pupil needs at least this many possible sessions in each window to be compared.
MIN_POSSIBLE = 10
#: A fall is listed when attendance is down by at least this much (5 percentage points).
FALL_LISTED = Fraction(5, 100)
#: The attendance at or below which a pupil's absence is persistent (10% or more absent).
PERSISTENT_ATTENDANCE = Fraction(9, 10)
#: Excellent attendance by default: every possible session attended.
EXCELLENT_DEFAULT = Fraction(1)
#: "Most improved": at least this many possible sessions in each half term ...
MIN_HALF_TERM_POSSIBLE = 10
#: ... and at most this many pupils listed (ties at the last place are all kept).
MOST_IMPROVED_LISTED = 10


def category_rank(category: AttendanceCategory) -> int:
    """0 for expected attendance up to 4 for severe absence."""
    return CATEGORY_ORDER.index(category)


def is_worse(before: AttendanceCategory | None, after: AttendanceCategory | None) -> bool:
    """Whether ``after`` is a worse category than ``before``. No category (no possible session)
    on either side is never worse: a pupil with no sessions last week has no category to leave."""
    if before is None or after is None:
        return False
    return category_rank(after) > category_rank(before)


@dataclass(frozen=True)
class Window:
    """Attended and possible sessions over some weeks."""

    attended: int = 0
    possible: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.attended <= self.possible):
            raise ValueError(f"need 0 <= attended <= possible, got {self.attended}/{self.possible}")

    def __add__(self, other: Window) -> Window:
        return Window(self.attended + other.attended, self.possible + other.possible)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.attended, self.possible) if self.possible else None


def attendance_change(
    before: Window, after: Window, *, min_possible: int = MIN_POSSIBLE
) -> Fraction | None:
    """``after``'s attendance rate minus ``before``'s, as an exact Fraction of 1 (positive: better).

    ``None`` when either window has fewer than ``min_possible`` possible sessions: too few to
    compare. Antisymmetric: ``attendance_change(a, b) == -attendance_change(b, a)``.
    """
    if before.possible < max(min_possible, 1) or after.possible < max(min_possible, 1):
        return None
    return Fraction(after.attended, after.possible) - Fraction(before.attended, before.possible)


def split_weeks(
    school_weeks: Sequence[dt.date], last_week: dt.date, *, recent: int = RECENT_WEEKS
) -> tuple[dt.date, dt.date] | None:
    """The recent window for "falling fastest": (first Monday, last Monday) of the last
    ``recent`` school weeks up to and including ``last_week``; None when the school has fewer
    school weeks than that so far."""
    upto = sorted(w for w in school_weeks if w <= last_week)
    if len(upto) < recent or recent < 1:
        return None
    return upto[-recent], upto[-1]


def is_falling(change: Fraction | None, *, listed: Fraction = FALL_LISTED) -> bool:
    """A fall of at least ``listed`` (a Fraction of 1)."""
    return change is not None and change <= -listed


def projected_attendance(
    year_to_date: Window, recent: Window, remaining_sessions: int
) -> Fraction | None:
    """The end-of-year attendance rate if the pupil attends the ``remaining_sessions`` possible
    sessions left in the year at their recent rate (``recent``; their year-to-date rate when
    the recent window has no possible session):

        (attended so far + remaining x recent rate) / (possible so far + remaining)

    None when there is nothing to project from (no possible session so far or recently, or no
    session at all). The result lies between the year-to-date rate and the recent rate.
    """
    if remaining_sessions < 0:
        raise ValueError("remaining_sessions must not be negative")
    rate = recent.rate if recent.possible else year_to_date.rate
    if rate is None:
        return None
    possible = year_to_date.possible + remaining_sessions
    if possible == 0:
        return None
    return (year_to_date.attended + remaining_sessions * rate) / possible


def is_persistent_rate(rate: Fraction | None) -> bool:
    """Persistent absence (10% or more absent) for an exact attendance rate."""
    return rate is not None and rate <= PERSISTENT_ATTENDANCE


def projected_persistent(
    year_to_date: Window, recent: Window, remaining_sessions: int
) -> Fraction | None:
    """The projected rate when the pupil is not persistently absent now but is projected to be
    by the end of the year; otherwise None."""
    if year_to_date.possible == 0 or is_persistent_rate(year_to_date.rate):
        return None
    projected = projected_attendance(year_to_date, recent, remaining_sessions)
    return projected if is_persistent_rate(projected) else None


def is_excellent(window: Window, threshold: Fraction = EXCELLENT_DEFAULT) -> bool:
    """Attendance of at least ``threshold`` with at least one possible session."""
    return window.possible > 0 and Fraction(window.attended, window.possible) >= threshold


def most_improved(
    changes: Iterable[tuple[K, Fraction | None]], *, listed: int = MOST_IMPROVED_LISTED
) -> list[tuple[K, Fraction]]:
    """The largest positive changes, best first, at most ``listed`` of them plus any tied with
    the last one (so that no one with the same improvement is left out)."""
    ranked = sorted(
        ((key, change) for key, change in changes if change is not None and change > 0),
        key=lambda item: -item[1],
    )
    if len(ranked) <= listed or listed < 1:
        return ranked if listed >= 1 else []
    cut = ranked[listed - 1][1]
    return [item for item in ranked if item[1] >= cut]


# -------------------------------------------------------------------------------------------------
# Half terms
# -------------------------------------------------------------------------------------------------

_SEASONS = {8: "Autumn", 9: "Autumn", 10: "Autumn", 11: "Autumn", 12: "Autumn", 1: "Spring"}


def _season(day: dt.date) -> str:
    if day.month in _SEASONS:
        return _SEASONS[day.month]
    return "Spring" if day.month <= 3 else "Summer"


def academic_year_label(day: dt.date) -> str:
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class HalfTerm:
    """A half term: its first and last days of school, its name and its place in the year."""

    start: dt.date
    end: dt.date
    name: str
    #: 1 for the first half term of the academic year, and so on.
    number: int
    #: The academic year, e.g. "2025/26".
    year: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.year}"


def half_terms(
    terms: Iterable[tuple[dt.date, dt.date]], sessions: Iterable[tuple[dt.date, object]]
) -> list[HalfTerm]:
    """The half terms of a school, oldest first.

    Each term is split at every whole calendar week (Monday to Friday) inside it in which the
    school meets for no session: the half-term holiday, which the calendar records as a
    closure. A term with no such week is one half term (a calendar that already lists half
    terms as terms gives them back unchanged). A half term runs from its first to its last day
    with a session; a term with no session at all gives none. Half terms are numbered within
    their academic year (1 August to 31 July).
    """
    days = sorted({day for day, _ in sessions})
    found: list[tuple[dt.date, dt.date, str, int, int]] = []
    for start, end in sorted(terms):
        in_term = [d for d in days if start <= d <= end]
        if not in_term:
            continue
        parts: list[list[dt.date]] = [[in_term[0]]]
        for previous, day in zip(in_term, in_term[1:], strict=False):
            monday_prev = previous - dt.timedelta(days=previous.weekday())
            monday = day - dt.timedelta(days=day.weekday())
            if (monday - monday_prev).days > 7:  # a whole week without school between them
                parts.append([day])
            else:
                parts[-1].append(day)
        for index, part in enumerate(parts, start=1):
            found.append((part[0], part[-1], _season(start), index, len(parts)))
    result: list[HalfTerm] = []
    counters: dict[str, int] = {}
    for first, last, season, index, count in found:
        year = academic_year_label(first)
        counters[year] = counters.get(year, 0) + 1
        name = f"{season} {index}" if count > 1 else f"{season} term"
        result.append(HalfTerm(first, last, name, counters[year], year))
    return result


def half_term_of(halves: Sequence[HalfTerm], day: dt.date) -> HalfTerm | None:
    """The half term holding ``day``, else the last one that started before it (a holiday
    belongs to the half term just finished), else None."""
    before = [h for h in halves if h.start <= day]
    return before[-1] if before else None


def previous_half_term(halves: Sequence[HalfTerm], half: HalfTerm) -> HalfTerm | None:
    earlier = [h for h in halves if h.end < half.start]
    return earlier[-1] if earlier else None


def same_half_term_last_year(halves: Sequence[HalfTerm], half: HalfTerm) -> HalfTerm | None:
    """The half term with the same number in the academic year before ``half``'s."""
    first = int(half.year[:4]) - 1
    year = f"{first}/{(first + 1) % 100:02d}"
    return next((h for h in halves if h.year == year and h.number == half.number), None)
