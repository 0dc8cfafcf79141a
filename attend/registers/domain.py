"""The attendance register's rules, as plain Python (no Django).

Everything here is a pure function over enums, frozen dataclasses, dates and integers, so that a
page, the API, a command and a task all decide the same way (STYLE.md point 2). References are to
``reference/statutory-rules.md``:

* **The code table** (§1.2): every national attendance and absence code in force from 19 August
  2024, with its paraphrased meaning, its group in the guidance and its statistical category.
  ``D``, ``Q``, ``X``, ``Y1``-``Y7``, ``Z`` and ``#`` are not possible sessions. Blanks and MIS
  placeholders (``-``, ``*``) are not codes and are refused (§1.2, last paragraph).
* **Historic codes** (§1.3): ``H``, ``F``, ``J`` and the old ``Y`` are accepted only for sessions
  before 19 August 2024; afterwards they are refused with a message naming their successor. ``B``
  kept its letter (its rules were tightened), so it lives in the current table only.
* **Counting** (§2): possible = present (``/ \\ L``) + approved educational activity
  (``K V P W B``) + authorised + unauthorised absence. Attendance rate = (present + AEA) /
  possible; absence, authorised and unauthorised rates likewise. Persistent absence is absence of
  10% *or more* of possible sessions, severe absence 50% *or more*. ``U`` is unauthorised absence;
  late sessions are ``L`` + ``U``. Every decision compares exact integers or
  :class:`~fractions.Fraction` values; :func:`percent` rounds for display only.
* **The LA's five categories** (DESIGN.md, "Counting"): configurable attendance-rate bands,
  compared exactly.
* **The penalty-notice threshold** (§3, §3.1): 10 sessions coded ``G``, ``N``, ``O`` or ``U``
  within a rolling window of 10 *school* weeks (weeks in which the school meets for at least one
  session). Holiday and closure weeks are skipped, not counted as zero, and the window may cross
  terms and school years.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import floor
from types import MappingProxyType
from typing import Literal, NamedTuple

# -------------------------------------------------------------------------------------------------
# Sessions and codes (statutory-rules.md §1)
# -------------------------------------------------------------------------------------------------


class Session(StrEnum):
    """A half-day session. ``AM`` sorts before ``PM`` (as strings and by :attr:`index`)."""

    AM = "AM"
    PM = "PM"

    @property
    def index(self) -> int:  # type: ignore[override]  # deliberately shadows str.index
        """0 for the morning session, 1 for the afternoon session."""
        return 0 if self is Session.AM else 1


class Category(StrEnum):
    """Statistical treatment of a code (statutory-rules.md §1.2 "Stats" column and §2)."""

    PRESENT = "present"
    AEA = "aea"  # approved educational activity: counts as attendance
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"  # not a possible session: outside every rate


@dataclass(frozen=True)
class Code:
    """One attendance or absence code."""

    code: str
    meaning: str
    group: str
    category: Category
    historic: bool = False
    successor: str | None = None


_ATTENDING = "Attending the school"
_ELSEWHERE = "Attending a place other than the school"
_LEAVE = "Absent: leave of absence"
_OTHER_AUTHORISED = "Absent: other authorised reasons"
_EXCLUDED = "Absent: suspended or permanently excluded"
_UNABLE = "Absent: unable to attend school because of unavoidable causes"
_UNAUTHORISED = "Absent: unauthorised absence"
_ADMIN = "Administrative"

_P = Category.PRESENT
_AEA = Category.AEA
_AUTH = Category.AUTHORISED
_UNAUTH = Category.UNAUTHORISED
_NP = Category.NOT_POSSIBLE

_CODE_ROWS: tuple[tuple[str, str, str, Category], ...] = (
    ("/", "Present in the morning session when the register is taken", _ATTENDING, _P),
    ("\\", "Present in the afternoon session when the register is taken", _ATTENDING, _P),
    ("L", "Arrived after the register started but before it closed", _ATTENDING, _P),
    ("K", "Attending education elsewhere arranged by the local authority", _ELSEWHERE, _AEA),
    ("V", "Educational visit or trip arranged and supervised by the school", _ELSEWHERE, _AEA),
    ("P", "Taking part in an approved sporting activity", _ELSEWHERE, _AEA),
    ("W", "Attending work experience", _ELSEWHERE, _AEA),
    ("B", "Any other approved, supervised off-site educational activity", _ELSEWHERE, _AEA),
    ("D", "Attending another school at which the pupil is also registered", _ELSEWHERE, _NP),
    ("C1", "Leave for a regulated performance or regulated employment abroad", _LEAVE, _AUTH),
    ("M", "Leave for a medical or dental appointment", _LEAVE, _AUTH),
    (
        "J1",
        "Leave for an interview for employment or a place at another institution",
        _LEAVE,
        _AUTH,
    ),
    ("S", "Study leave for public examinations, agreed in advance", _LEAVE, _AUTH),
    ("X", "Non-compulsory-school-age pupil not required to attend this session", _LEAVE, _NP),
    ("C2", "Compulsory-school-age pupil on an agreed temporary part-time timetable", _LEAVE, _AUTH),
    ("C", "Leave of absence for other exceptional circumstances", _LEAVE, _AUTH),
    (
        "T",
        "Parent travelling for occupational purposes (mobile child), agreed",
        _OTHER_AUTHORISED,
        _AUTH,
    ),
    (
        "R",
        "Religious observance on a day set apart by the parent's religious body",
        _OTHER_AUTHORISED,
        _AUTH,
    ),
    ("I", "Illness, physical or mental (not medical appointments)", _OTHER_AUTHORISED, _AUTH),
    ("E", "Suspended or permanently excluded with no alternative provision made", _EXCLUDED, _AUTH),
    ("Q", "Unable to attend: the local authority has not made access arrangements", _UNABLE, _NP),
    ("Y1", "Unable to attend: transport normally provided is not available", _UNABLE, _NP),
    ("Y2", "Unable to attend: widespread disruption to travel", _UNABLE, _NP),
    ("Y3", "Unable to attend: part of the school premises unexpectedly closed", _UNABLE, _NP),
    ("Y4", "Unable to attend: the whole school unexpectedly closed", _UNABLE, _NP),
    ("Y5", "Unable to attend: pupil in criminal-justice detention", _UNABLE, _NP),
    ("Y6", "Unable to attend: prevented by public-health guidance or law", _UNABLE, _NP),
    ("Y7", "Unable to attend: any other unavoidable cause", _UNABLE, _NP),
    ("G", "Holiday not granted by the school, or longer than granted", _UNAUTHORISED, _UNAUTH),
    (
        "N",
        "Reason for absence not yet established (resolve within 5 school days)",
        _UNAUTHORISED,
        _UNAUTH,
    ),
    ("O", "Absent in other or unknown circumstances", _UNAUTHORISED, _UNAUTH),
    ("U", "Arrived after the register closed but before the session ended", _UNAUTHORISED, _UNAUTH),
    ("Z", "Prospective pupil not yet on the admission register", _ADMIN, _NP),
    ("#", "Planned whole-school closure (holidays, INSET days)", _ADMIN, _NP),
)

CODES: Mapping[str, Code] = MappingProxyType(
    {row[0]: Code(*row) for row in _CODE_ROWS},
)
"""Every national code in force from 19 August 2024 (statutory-rules.md §1.2), keyed by code."""

HISTORIC_CODES: Mapping[str, Code] = MappingProxyType(
    {
        "H": Code("H", "Agreed family holiday (withdrawn)", _LEAVE, _AUTH, True, "C"),
        "F": Code("F", "Agreed extended family holiday (withdrawn)", _LEAVE, _AUTH, True, "C"),
        "J": Code(
            "J", "Interview, counted as approved educational activity", _ELSEWHERE, _AEA, True, "J1"
        ),
        "Y": Code(
            "Y", "Unable to attend due to exceptional circumstances", _UNABLE, _NP, True, "Y7"
        ),
    }
)
"""Codes withdrawn on 19 August 2024 (statutory-rules.md §1.3), valid only for earlier sessions."""

CODES_2024_FROM = date(2024, 8, 19)
"""The first day of the 2024 code set (SI 2024/208 and the 2024 guidance)."""

PENALTY_CODES: frozenset[str] = frozenset({"G", "N", "O", "U"})
"""Codes that count towards the penalty-notice threshold (statutory-rules.md §3)."""

LATE_CODES: frozenset[str] = frozenset({"L", "U"})
"""Codes the DfE counts as late sessions (statutory-rules.md §2)."""

_PLACEHOLDERS = frozenset({"-", "*"})


class UnknownCode(ValueError):
    """A code that is not a valid register mark for the session's date.

    ``code`` is the normalised code that was refused; ``str(exc)`` is a message for people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _normalise(raw: str) -> str:
    return raw.strip().upper()


def _refuse(code: str, on: date | None) -> UnknownCode:
    if not code:
        return UnknownCode(code, "A blank register mark is not an attendance code.")
    if code in _PLACEHOLDERS:
        return UnknownCode(
            code, f"{code!r} is a placeholder for a missing mark, not an attendance code."
        )
    historic = HISTORIC_CODES.get(code)
    if historic is not None and on is not None:
        return UnknownCode(
            code,
            f"Code {code!r} was withdrawn on {CODES_2024_FROM:%d %B %Y} and cannot be used for "
            f"{on:%d %B %Y}; it was replaced by {historic.successor!r}.",
        )
    return UnknownCode(code, f"{code!r} is not an attendance code.")


def code_for(raw: str, on: date) -> Code:
    """The code ``raw`` means for a session on ``on``, or :class:`UnknownCode`.

    ``raw`` is stripped and upper-cased. The 2024 codes are always accepted; the historic codes
    only for sessions before :data:`CODES_2024_FROM`.
    """
    code = _normalise(raw)
    current = CODES.get(code)
    if current is not None:
        return current
    historic = HISTORIC_CODES.get(code)
    if historic is not None and on < CODES_2024_FROM:
        return historic
    raise _refuse(code, on)


def _lookup(raw: str, on: date | None) -> Code:
    """Like :func:`code_for`; with no date, any current or historic code is accepted."""
    if on is not None:
        return code_for(raw, on)
    code = _normalise(raw)
    found = CODES.get(code) or HISTORIC_CODES.get(code)
    if found is None:
        raise _refuse(code, None)
    return found


# -------------------------------------------------------------------------------------------------
# Counting (statutory-rules.md §2)
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Session counts per statistical category, plus late and penalty marks.

    ``late`` counts ``L`` and ``U``; ``penalty`` counts ``G``, ``N``, ``O`` and ``U``.

    ``late`` and ``penalty`` are sub-counts of the categories, not extra sessions.
    """

    present: int = 0
    aea: int = 0
    authorised: int = 0
    unauthorised: int = 0
    not_possible: int = 0
    late: int = 0
    penalty: int = 0

    def __post_init__(self) -> None:
        for name in (
            "present",
            "aea",
            "authorised",
            "unauthorised",
            "not_possible",
            "late",
            "penalty",
        ):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"Counts.{name} must be a non-negative int, not {value!r}.")

    @property
    def possible(self) -> int:
        """Possible sessions: present + AEA + authorised + unauthorised."""
        return self.present + self.aea + self.authorised + self.unauthorised

    @property
    def attended(self) -> int:
        """Sessions counted as attendance: present + approved educational activity."""
        return self.present + self.aea

    @property
    def absent(self) -> int:
        """Sessions of absence: authorised + unauthorised."""
        return self.authorised + self.unauthorised

    def __add__(self, other: object) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            present=self.present + other.present,
            aea=self.aea + other.aea,
            authorised=self.authorised + other.authorised,
            unauthorised=self.unauthorised + other.unauthorised,
            not_possible=self.not_possible + other.not_possible,
            late=self.late + other.late,
            penalty=self.penalty + other.penalty,
        )

    @classmethod
    def of_codes(cls, codes: Iterable[str], on: date | None = None) -> Counts:
        """Count a sequence of codes.

        With ``on``, each code is checked with :func:`code_for` for that date. Without it, any
        current or historic code is accepted (for marks already validated when they were
        recorded). Blanks, placeholders and unknown codes raise :class:`UnknownCode`.
        """
        per_category: Counter[Category] = Counter()
        late = 0
        penalty = 0
        for raw in codes:
            found = _lookup(raw, on)
            per_category[found.category] += 1
            late += found.code in LATE_CODES
            penalty += found.code in PENALTY_CODES
        return cls(
            present=per_category[Category.PRESENT],
            aea=per_category[Category.AEA],
            authorised=per_category[Category.AUTHORISED],
            unauthorised=per_category[Category.UNAUTHORISED],
            not_possible=per_category[Category.NOT_POSSIBLE],
            late=late,
            penalty=penalty,
        )

    @classmethod
    def of_code(cls, code: str, on: date | None = None) -> Counts:
        """The counts of a single mark."""
        return cls.of_codes((code,), on)


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def attendance_rate(c: Counts) -> Fraction | None:
    """(present + AEA) / possible, or ``None`` when there are no possible sessions."""
    return _rate(c.attended, c.possible)


def absence_rate(c: Counts) -> Fraction | None:
    """(authorised + unauthorised) / possible, or ``None`` when there are no possible sessions."""
    return _rate(c.absent, c.possible)


def authorised_rate(c: Counts) -> Fraction | None:
    """Authorised absence / possible, or ``None`` when there are no possible sessions."""
    return _rate(c.authorised, c.possible)


def unauthorised_rate(c: Counts) -> Fraction | None:
    """Unauthorised absence / possible, or ``None`` when there are no possible sessions."""
    return _rate(c.unauthorised, c.possible)


def is_persistent_absence(c: Counts) -> bool:
    """Absence is 10% or more of possible sessions (statutory-rules.md §2: >=, not >)."""
    return c.possible > 0 and c.absent * 10 >= c.possible


def is_severe_absence(c: Counts) -> bool:
    """Absence is 50% or more of possible sessions (statutory-rules.md §2)."""
    return c.possible > 0 and c.absent * 2 >= c.possible


def percent(f: Fraction | None, places: int = 2) -> Decimal | None:
    """``f`` as a percentage rounded half-up to ``places`` decimal places, for display only.

    Never compare the result to make a decision: compare the exact counts or fractions instead.
    """
    if f is None:
        return None
    if places < 0:
        raise ValueError("places must be zero or more.")
    scaled = Fraction(f) * 100 * 10**places
    magnitude = floor(abs(scaled) + Fraction(1, 2))
    sign = -1 if scaled < 0 else 1
    return Decimal(sign * magnitude).scaleb(-places)


def percent_of(part: int, whole: int, places: int = 2) -> Decimal | None:
    """``part / whole`` as a percentage rounded half-up, in integer arithmetic (same result as
    ``percent(Fraction(part, whole))``, fast enough for an LA-wide report). ``None`` if whole is 0.
    """
    if whole == 0:
        return None
    if part < 0 or whole < 0 or places < 0:
        raise ValueError("part, whole and places must not be negative.")
    scaled = (part * 100 * 10**places * 2 + whole) // (2 * whole)
    return Decimal(scaled).scaleb(-places)


# -------------------------------------------------------------------------------------------------
# The LA's five attendance categories (DESIGN.md "Counting")
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryBands:
    """Attendance-rate thresholds for the five categories, as exact fractions of 1.

    * rate >= ``expected_from``: expected;
    * ``persistent_above`` < rate < ``expected_from``: at risk of persistent absence;
    * ``persistent_from`` <= rate <= ``persistent_above``: persistent absence;
    * ``severe_above`` < rate < ``persistent_from``: at risk of severe absence;
    * rate <= ``severe_above``: severe absence.
    """

    expected_from: Fraction = Fraction(95, 100)
    persistent_above: Fraction = Fraction(90, 100)
    persistent_from: Fraction = Fraction(80, 100)
    severe_above: Fraction = Fraction(50, 100)

    def __post_init__(self) -> None:
        for name in ("expected_from", "persistent_above", "persistent_from", "severe_above"):
            value = getattr(self, name)
            if not isinstance(value, Fraction):
                raise TypeError(f"CategoryBands.{name} must be a Fraction, not {value!r}.")
        if not (
            0
            <= self.severe_above
            < self.persistent_from
            <= self.persistent_above
            < self.expected_from
            <= 1
        ):
            raise ValueError(
                "Category bands must satisfy 0 <= severe_above < persistent_from <= "
                "persistent_above < expected_from <= 1."
            )


DEFAULT_BANDS = CategoryBands()


class AttendanceCategory(StrEnum):
    EXPECTED = "expected"
    AT_RISK_OF_PERSISTENT = "at_risk_of_persistent"
    PERSISTENT = "persistent"
    AT_RISK_OF_SEVERE = "at_risk_of_severe"
    SEVERE = "severe"


def _cmp_rate(attended: int, possible: int, threshold: Fraction) -> int:
    """Sign of attended/possible - threshold, by integer cross-multiplication (possible > 0)."""
    left = attended * threshold.denominator
    right = threshold.numerator * possible
    return (left > right) - (left < right)


def attendance_category(
    c: Counts, bands: CategoryBands = DEFAULT_BANDS
) -> AttendanceCategory | None:
    """The LA category of the attendance rate, or ``None`` when there are no possible sessions."""
    possible = c.possible
    if possible == 0:
        return None
    attended = c.attended
    if _cmp_rate(attended, possible, bands.expected_from) >= 0:
        return AttendanceCategory.EXPECTED
    if _cmp_rate(attended, possible, bands.persistent_above) > 0:
        return AttendanceCategory.AT_RISK_OF_PERSISTENT
    if _cmp_rate(attended, possible, bands.persistent_from) >= 0:
        return AttendanceCategory.PERSISTENT
    if _cmp_rate(attended, possible, bands.severe_above) > 0:
        return AttendanceCategory.AT_RISK_OF_SEVERE
    return AttendanceCategory.SEVERE


# -------------------------------------------------------------------------------------------------
# Calendar: sessions and school weeks (statutory-rules.md §2, §3)
# -------------------------------------------------------------------------------------------------


def academic_year_start(d: date) -> date:
    """1 August of the academic year (1 August to 31 July) that ``d`` falls in."""
    return date(d.year if d.month >= 8 else d.year - 1, 8, 1)


def week_of(d: date) -> date:
    """The Monday of ``d``'s Monday-to-Sunday week."""
    return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class CalendarEntry:
    """A term (sessions the school meets) or a closure (sessions it does not), both ends included.

    ``session`` limits the entry to one session of each day; ``None`` means both sessions.
    """

    kind: Literal["term", "closure"]
    start: date
    end: date
    session: Session | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("term", "closure"):
            raise ValueError(f"Calendar entry kind must be 'term' or 'closure', not {self.kind!r}.")
        if self.end < self.start:
            raise ValueError(f"Calendar entry ends ({self.end}) before it starts ({self.start}).")
        if self.session is not None and not isinstance(self.session, Session):
            raise ValueError(f"Calendar entry session must be a Session, not {self.session!r}.")

    def sessions(self) -> Iterable[tuple[date, Session]]:
        """Every (date, session) the entry covers, weekends included."""
        chosen = tuple(Session) if self.session is None else (self.session,)
        day = self.start
        while day <= self.end:
            for session in chosen:
                yield day, session
            day += timedelta(days=1)


def _session_key(item: tuple[date, Session]) -> tuple[date, int]:
    return item[0], item[1].index


def school_sessions(entries: Iterable[CalendarEntry]) -> list[tuple[date, Session]]:
    """The sessions the school meets: weekdays in a term, less closures, by date and session.

    The order of the entries does not matter: a closure removes its sessions from every term.
    """
    entries = tuple(entries)
    meets: set[tuple[date, Session]] = set()
    for entry in entries:
        if entry.kind == "term":
            meets.update(item for item in entry.sessions() if item[0].weekday() < 5)
    for entry in entries:
        if entry.kind == "closure":
            meets.difference_update(entry.sessions())
    return sorted(meets, key=_session_key)


def school_weeks(sessions: Iterable[tuple[date, Session]]) -> list[date]:
    """The sorted Mondays of the weeks holding at least one school session."""
    return sorted({week_of(d) for d, _ in sessions})


# -------------------------------------------------------------------------------------------------
# Penalty-notice threshold (statutory-rules.md §3 and §3.1)
# -------------------------------------------------------------------------------------------------

PENALTY_SESSIONS = 10
PENALTY_WEEKS = 10


@dataclass(frozen=True)
class ThresholdWeek:
    """The school week in which the threshold is first met.

    ``week_index`` indexes the school weeks (including weeks added because they hold penalty
    marks); ``window_start`` is the first school week of the window; the threshold is met at the
    ``needed``-th penalty mark inside ``week``.
    """

    week_index: int
    week: date
    window_start: date
    needed: int


class _Window(NamedTuple):
    weeks: list[date]
    counts: list[int]


def _check_window_args(sessions: int, span: int) -> None:
    if sessions < 1:
        raise ValueError("sessions must be at least 1.")
    if span < 1:
        raise ValueError("span must be at least 1.")


def _merged_weeks(weeks: Sequence[date], penalty_per_week: Mapping[date, int]) -> _Window:
    per_week: dict[date, int] = {}
    for week, count in penalty_per_week.items():
        if count < 0:
            raise ValueError(f"Negative penalty count {count} for the week of {week}.")
        monday = week if week.weekday() == 0 else week_of(week)
        per_week[monday] = per_week.get(monday, 0) + count
    # A week holding a penalty mark is a school week: the mark proves the school met.
    mondays = {w if w.weekday() == 0 else week_of(w) for w in weeks}
    mondays.update(w for w, n in per_week.items() if n > 0)
    all_weeks = sorted(mondays)
    return _Window(all_weeks, [per_week.get(w, 0) for w in all_weeks])


def penalty_threshold_week(
    weeks: Sequence[date],
    penalty_per_week: Mapping[date, int],
    *,
    sessions: int = PENALTY_SESSIONS,
    span: int = PENALTY_WEEKS,
) -> ThresholdWeek | None:
    """The first school week at which some run of ``span`` school weeks holds ``sessions`` marks.

    ``weeks`` are the school weeks (Mondays); ``penalty_per_week`` maps a week's Monday to its
    count of sessions coded G, N, O or U. The window ending at school week ``i`` covers weeks
    ``max(0, i - span + 1)`` to ``i``. Returns ``None`` when the threshold is never met.
    """
    _check_window_args(sessions, span)
    all_weeks, counts = _merged_weeks(weeks, penalty_per_week)
    total = 0  # sum of counts[i - span + 1:i + 1], kept as the window slides
    for i, count in enumerate(counts):
        if i >= span:
            total -= counts[i - span]
        total += count
        if total >= sessions:
            lo = i - span + 1 if i >= span else 0
            before = total - count
            return ThresholdWeek(
                week_index=i,
                week=all_weeks[i],
                window_start=all_weeks[lo],
                needed=sessions - before,
            )
    return None


@dataclass(frozen=True)
class ThresholdMet:
    """The session at which the penalty-notice threshold is first met, and its window."""

    met_on: date
    session: Session
    window_start: date
    week: date


def penalty_threshold_met(
    weeks: Sequence[date],
    penalty_marks: Iterable[tuple[date, Session]],
    *,
    sessions: int = PENALTY_SESSIONS,
    span: int = PENALTY_WEEKS,
) -> ThresholdMet | None:
    """The first session at which the penalty threshold is met, or ``None``.

    ``penalty_marks`` are the (date, session) of every mark coded G, N, O or U, in any order; a
    session listed twice counts once. See :func:`penalty_threshold_week` for the window.
    """
    marks = sorted(set(penalty_marks), key=_session_key)
    per_week = Counter(week_of(d) for d, _ in marks)
    found = penalty_threshold_week(weeks, per_week, sessions=sessions, span=span)
    if found is None:
        return None
    in_week = [mark for mark in marks if week_of(mark[0]) == found.week]
    met_on, session = in_week[found.needed - 1]
    return ThresholdMet(
        met_on=met_on, session=session, window_start=found.window_start, week=found.week
    )
