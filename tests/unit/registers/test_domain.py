"""Tests for attend.registers.domain: codes, counting, categories, calendar and the penalty window.

No database: these are plain functions. Expected values come from reference/statutory-rules.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.registers.domain import (
    CODES,
    CODES_2024_FROM,
    DEFAULT_BANDS,
    HISTORIC_CODES,
    LATE_CODES,
    PENALTY_CODES,
    PENALTY_SESSIONS,
    PENALTY_WEEKS,
    AttendanceCategory,
    CalendarEntry,
    Category,
    CategoryBands,
    Code,
    Counts,
    Session,
    ThresholdMet,
    ThresholdWeek,
    UnknownCode,
    absence_rate,
    attendance_category,
    attendance_rate,
    authorised_rate,
    code_for,
    is_persistent_absence,
    is_severe_absence,
    penalty_threshold_met,
    penalty_threshold_week,
    percent,
    school_sessions,
    school_weeks,
    unauthorised_rate,
    week_of,
)

AM = Session.AM
PM = Session.PM
TODAY = date(2025, 9, 1)  # a Monday in the 2024 regime
BEFORE_2024 = date(2024, 8, 18)  # the Sunday before the 2024 codes

# --------------------------------------------------------------------------------------------------
# Codes (statutory-rules.md §1.2, §1.3)
# --------------------------------------------------------------------------------------------------

# The "Stats" column of statutory-rules.md §1.2, code by code.
EXPECTED_CATEGORIES: dict[str, Category] = {
    "/": Category.PRESENT,
    "\\": Category.PRESENT,
    "L": Category.PRESENT,
    "K": Category.AEA,
    "V": Category.AEA,
    "P": Category.AEA,
    "W": Category.AEA,
    "B": Category.AEA,
    "D": Category.NOT_POSSIBLE,
    "C1": Category.AUTHORISED,
    "M": Category.AUTHORISED,
    "J1": Category.AUTHORISED,
    "S": Category.AUTHORISED,
    "X": Category.NOT_POSSIBLE,
    "C2": Category.AUTHORISED,
    "C": Category.AUTHORISED,
    "T": Category.AUTHORISED,
    "R": Category.AUTHORISED,
    "I": Category.AUTHORISED,
    "E": Category.AUTHORISED,
    "Q": Category.NOT_POSSIBLE,
    "Y1": Category.NOT_POSSIBLE,
    "Y2": Category.NOT_POSSIBLE,
    "Y3": Category.NOT_POSSIBLE,
    "Y4": Category.NOT_POSSIBLE,
    "Y5": Category.NOT_POSSIBLE,
    "Y6": Category.NOT_POSSIBLE,
    "Y7": Category.NOT_POSSIBLE,
    "G": Category.UNAUTHORISED,
    "N": Category.UNAUTHORISED,
    "O": Category.UNAUTHORISED,
    "U": Category.UNAUTHORISED,
    "Z": Category.NOT_POSSIBLE,
    "#": Category.NOT_POSSIBLE,
}

# statutory-rules.md §1.3: old code -> (category it had, 2024 successor).
EXPECTED_HISTORIC: dict[str, tuple[Category, str]] = {
    "H": (Category.AUTHORISED, "C"),
    "F": (Category.AUTHORISED, "C"),
    "J": (Category.AEA, "J1"),
    "Y": (Category.NOT_POSSIBLE, "Y7"),
}


def test_code_table_holds_exactly_the_2024_codes() -> None:
    assert set(CODES) == set(EXPECTED_CATEGORIES)


@pytest.mark.parametrize(("code", "category"), sorted(EXPECTED_CATEGORIES.items()))
def test_each_code_has_its_statistical_category(code: str, category: Category) -> None:
    found = code_for(code, TODAY)
    assert found == CODES[code]
    assert found.code == code
    assert found.category is category
    assert found.meaning
    assert found.group
    assert found.historic is False
    assert found.successor is None


@pytest.mark.parametrize("code", sorted(EXPECTED_CATEGORIES))
def test_2024_codes_are_accepted_before_and_after_the_change(code: str) -> None:
    assert code_for(code, BEFORE_2024) == code_for(code, CODES_2024_FROM) == CODES[code]


def test_code_groups_follow_the_guidance() -> None:
    assert CODES["/"].group == CODES["L"].group
    assert CODES["K"].group == CODES["B"].group == CODES["D"].group
    assert len({CODES[c].group for c in ("G", "N", "O", "U")}) == 1
    assert len({CODES[c].group for c in ("Q", "Y1", "Y7")}) == 1
    assert CODES["Z"].group == CODES["#"].group


def test_penalty_and_late_codes() -> None:
    assert PENALTY_CODES == frozenset({"G", "N", "O", "U"})
    assert LATE_CODES == frozenset({"L", "U"})
    assert all(CODES[c].category is Category.UNAUTHORISED for c in PENALTY_CODES)
    assert CODES_2024_FROM == date(2024, 8, 19)


@pytest.mark.parametrize("raw", [" l ", "l", "\tc1\n", "y7", "j1"])
def test_code_for_strips_and_upper_cases(raw: str) -> None:
    assert code_for(raw, TODAY).code == raw.strip().upper()


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED_HISTORIC.items()))
def test_historic_code_accepted_before_19_august_2024(
    code: str, expected: tuple[Category, str]
) -> None:
    category, successor = expected
    found = code_for(code.lower(), BEFORE_2024)
    assert found == HISTORIC_CODES[code]
    assert found.category is category
    assert found.historic is True
    assert found.successor == successor
    assert code not in CODES


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED_HISTORIC.items()))
@pytest.mark.parametrize("on", [CODES_2024_FROM, date(2026, 1, 5)])
def test_historic_code_refused_from_19_august_2024_naming_successor(
    code: str, expected: tuple[Category, str], on: date
) -> None:
    _, successor = expected
    with pytest.raises(UnknownCode) as raised:
        code_for(code, on)
    message = str(raised.value)
    assert repr(code) in message
    assert "withdrawn" in message
    assert repr(successor) in message
    assert raised.value.code == code


def test_historic_table() -> None:
    assert set(HISTORIC_CODES) == set(EXPECTED_HISTORIC)
    assert "B" in CODES and "B" not in HISTORIC_CODES
    assert all(c.successor in CODES for c in HISTORIC_CODES.values())


@pytest.mark.parametrize("raw", ["", "   ", "-", "*", "A", "Y8", "X01", "J2", "//", "H1", "?"])
def test_unknown_and_blank_codes_are_refused(raw: str) -> None:
    for on in (BEFORE_2024, TODAY):
        with pytest.raises(UnknownCode) as raised:
            code_for(raw, on)
        assert isinstance(raised.value, ValueError)
        if raw.strip():
            assert repr(raw.strip()) in str(raised.value)


def test_unknown_code_messages() -> None:
    with pytest.raises(UnknownCode, match="blank"):
        code_for("  ", TODAY)
    with pytest.raises(UnknownCode, match="placeholder"):
        code_for("-", TODAY)
    with pytest.raises(UnknownCode, match="not an attendance code"):
        code_for("A", TODAY)


def test_code_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CODES["/"].category = Category.AEA
    assert CODES["/"] == Code("/", CODES["/"].meaning, CODES["/"].group, Category.PRESENT)


# --------------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------------


def test_session_order_and_index() -> None:
    assert AM < PM
    assert sorted([PM, AM]) == [AM, PM]
    assert AM.index == 0
    assert PM.index == 1
    assert Session("AM") is AM
    assert str(PM) == "PM"


# --------------------------------------------------------------------------------------------------
# Counting (statutory-rules.md §2)
# --------------------------------------------------------------------------------------------------


def test_of_codes_counts_each_category() -> None:
    counts = Counts.of_codes(["/", "\\", "L", "K", "V", "C2", "I", "G", "U", "D", "#", "Y4"])
    assert counts == Counts(
        present=3, aea=2, authorised=2, unauthorised=2, not_possible=3, late=2, penalty=2
    )
    assert counts.possible == 9
    assert counts.attended == 5
    assert counts.absent == 4


def test_of_code_and_dates() -> None:
    assert Counts.of_code("U") == Counts(unauthorised=1, late=1, penalty=1)
    assert Counts.of_code("L") == Counts(present=1, late=1)
    assert Counts.of_code("J", BEFORE_2024) == Counts(aea=1)
    assert Counts.of_code("J") == Counts(aea=1)  # no date: already-validated historic data
    with pytest.raises(UnknownCode, match="J1"):
        Counts.of_code("J", TODAY)
    with pytest.raises(UnknownCode):
        Counts.of_codes(["/", ""])
    with pytest.raises(UnknownCode):
        Counts.of_codes(["/", "Q9"], TODAY)


def test_counts_add_only_counts() -> None:
    with pytest.raises(TypeError):
        Counts() + 1


def test_counts_refuse_negative_values() -> None:
    with pytest.raises(ValueError, match="present"):
        Counts(present=-1)


def test_rates_are_exact_fractions() -> None:
    counts = Counts(present=170, aea=1, authorised=12, unauthorised=7, not_possible=20)
    assert counts.possible == 190
    assert attendance_rate(counts) == Fraction(171, 190)
    assert absence_rate(counts) == Fraction(19, 190)
    assert authorised_rate(counts) == Fraction(12, 190)
    assert unauthorised_rate(counts) == Fraction(7, 190)


@pytest.mark.parametrize(
    "rate", [attendance_rate, absence_rate, authorised_rate, unauthorised_rate]
)
def test_rates_are_none_without_possible_sessions(
    rate: Callable[[Counts], Fraction | None],
) -> None:
    assert rate(Counts()) is None
    assert rate(Counts.of_codes(["#", "D", "X", "Y1", "Z", "Q"])) is None


def test_not_possible_codes_do_not_dilute_attendance() -> None:
    assert attendance_rate(Counts.of_codes(["/", "N", "#", "#", "#"])) == Fraction(1, 2)


@pytest.mark.parametrize(
    ("absent", "possible", "persistent"),
    [
        (19, 190, True),  # exactly 10%
        (18, 190, False),  # 9.47%
        (1, 10, True),
        (1, 11, False),  # 9.09%
        (99, 1000, False),  # 9.9%
        (100, 1000, True),
        (0, 1, False),
    ],
)
def test_persistent_absence_is_ten_percent_or_more(
    absent: int, possible: int, persistent: bool
) -> None:
    counts = Counts(present=possible - absent, unauthorised=absent)
    assert is_persistent_absence(counts) is persistent


@pytest.mark.parametrize(
    ("absent", "possible", "severe"),
    [(95, 190, True), (94, 190, False), (1, 2, True), (1, 3, False), (2, 3, True), (0, 1, False)],
)
def test_severe_absence_is_fifty_percent_or_more(absent: int, possible: int, severe: bool) -> None:
    counts = Counts(present=possible - absent, authorised=absent)
    assert is_severe_absence(counts) is severe


def test_no_possible_sessions_is_neither_persistent_nor_severe() -> None:
    assert not is_persistent_absence(Counts(not_possible=10))
    assert not is_severe_absence(Counts(not_possible=10))


@pytest.mark.parametrize(
    ("f", "places", "expected"),
    [
        (Fraction(1, 3), 2, Decimal("33.33")),
        (Fraction(2, 3), 2, Decimal("66.67")),
        (Fraction(1, 8), 1, Decimal("12.5")),
        (Fraction(1, 800), 2, Decimal("0.13")),  # half up, not half even
        (Fraction(1, 400), 1, Decimal("0.3")),  # 0.25 -> 0.3
        (Fraction(1), 2, Decimal("100.00")),
        (Fraction(0), 0, Decimal("0")),
        (Fraction(-1, 800), 2, Decimal("-0.13")),
    ],
)
def test_percent_rounds_half_up(f: Fraction, places: int, expected: Decimal) -> None:
    result = percent(f, places)
    assert result == expected
    assert str(result) == str(expected)


def test_percent_of_none_and_bad_places() -> None:
    assert percent(None) is None
    with pytest.raises(ValueError):
        percent(Fraction(1, 2), -1)


# --------------------------------------------------------------------------------------------------
# The LA's five categories
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attended", "possible", "category"),
    [
        (1, 1, AttendanceCategory.EXPECTED),
        (19, 20, AttendanceCategory.EXPECTED),  # exactly 95%
        (189, 200, AttendanceCategory.AT_RISK_OF_PERSISTENT),  # 94.5%
        (901, 1000, AttendanceCategory.AT_RISK_OF_PERSISTENT),  # just over 90%
        (9, 10, AttendanceCategory.PERSISTENT),  # exactly 90%
        (171, 190, AttendanceCategory.PERSISTENT),  # exactly 90% of a school year
        (4, 5, AttendanceCategory.PERSISTENT),  # exactly 80%
        (799, 1000, AttendanceCategory.AT_RISK_OF_SEVERE),  # just under 80%
        (501, 1000, AttendanceCategory.AT_RISK_OF_SEVERE),  # just over 50%
        (1, 2, AttendanceCategory.SEVERE),  # exactly 50%
        (95, 190, AttendanceCategory.SEVERE),
        (0, 1, AttendanceCategory.SEVERE),
    ],
)
def test_attendance_category_edges(
    attended: int, possible: int, category: AttendanceCategory
) -> None:
    counts = Counts(present=attended, unauthorised=possible - attended, not_possible=3)
    assert attendance_category(counts) is category
    assert attendance_category(counts, DEFAULT_BANDS) is category


def test_attendance_category_counts_aea_as_attendance() -> None:
    assert attendance_category(Counts(present=10, aea=9, authorised=1)) is (
        AttendanceCategory.EXPECTED
    )


def test_attendance_category_none_without_possible_sessions() -> None:
    assert attendance_category(Counts()) is None
    assert attendance_category(Counts(not_possible=5)) is None


def test_attendance_category_with_custom_bands() -> None:
    bands = CategoryBands(
        expected_from=Fraction(96, 100),
        persistent_above=Fraction(9, 10),
        persistent_from=Fraction(9, 10),
        severe_above=Fraction(0),
    )
    assert attendance_category(Counts(present=19, authorised=1), bands) is (
        AttendanceCategory.AT_RISK_OF_PERSISTENT
    )
    assert attendance_category(Counts(present=9, authorised=1), bands) is (
        AttendanceCategory.PERSISTENT
    )
    assert attendance_category(Counts(present=1, authorised=9), bands) is (
        AttendanceCategory.AT_RISK_OF_SEVERE
    )
    assert attendance_category(Counts(authorised=9), bands) is AttendanceCategory.SEVERE


def test_default_bands() -> None:
    assert DEFAULT_BANDS == CategoryBands(
        Fraction(95, 100), Fraction(90, 100), Fraction(80, 100), Fraction(50, 100)
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"expected_from": Fraction(101, 100)},  # above 1
        {"severe_above": Fraction(-1, 100)},  # below 0
        {"severe_above": Fraction(80, 100)},  # severe_above == persistent_from
        {"persistent_from": Fraction(91, 100)},  # persistent_from > persistent_above
        {"persistent_above": Fraction(95, 100)},  # persistent_above == expected_from
        {"expected_from": Fraction(1, 2)},
    ],
)
def test_category_bands_validation(kwargs: dict[str, Fraction]) -> None:
    with pytest.raises(ValueError):
        CategoryBands(**kwargs)


def test_category_bands_refuse_floats() -> None:
    with pytest.raises(TypeError):
        CategoryBands(expected_from=0.95)  # type: ignore[arg-type]


def test_category_bands_accept_equal_persistent_edges_and_extremes() -> None:
    CategoryBands(Fraction(1), Fraction(85, 100), Fraction(85, 100), Fraction(0))


# --------------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------------


def term(start: date, end: date, session: Session | None = None) -> CalendarEntry:
    return CalendarEntry("term", start, end, session)


def closure(start: date, end: date, session: Session | None = None) -> CalendarEntry:
    return CalendarEntry("closure", start, end, session)


def mondays(first: date, n: int) -> list[date]:
    assert first.weekday() == 0
    return [first + timedelta(weeks=i) for i in range(n)]


def test_week_of() -> None:
    assert week_of(date(2025, 9, 1)) == date(2025, 9, 1)
    assert week_of(date(2025, 9, 5)) == date(2025, 9, 1)
    assert week_of(date(2025, 9, 7)) == date(2025, 9, 1)  # Sunday belongs to the week before
    assert week_of(date(2025, 9, 8)) == date(2025, 9, 8)
    assert week_of(date(2026, 1, 1)) == date(2025, 12, 29)  # across a year end


def test_school_sessions_skip_weekends() -> None:
    sessions = school_sessions([term(date(2025, 9, 1), date(2025, 9, 14))])
    assert len(sessions) == 20
    assert all(d.weekday() < 5 for d, _ in sessions)
    assert sessions[:3] == [(date(2025, 9, 1), AM), (date(2025, 9, 1), PM), (date(2025, 9, 2), AM)]
    assert sessions[-1] == (date(2025, 9, 12), PM)


def test_school_sessions_with_a_term_spanning_weeks() -> None:
    sessions = school_sessions([term(date(2025, 9, 3), date(2025, 9, 9))])  # Wed to Tue
    days = sorted({d for d, _ in sessions})
    assert days == [date(2025, 9, d) for d in (3, 4, 5, 8, 9)]
    assert len(sessions) == 10
    assert school_weeks(sessions) == [date(2025, 9, 1), date(2025, 9, 8)]


def test_school_sessions_with_half_day_and_whole_day_closures() -> None:
    entries = [
        closure(date(2025, 9, 5), date(2025, 9, 5), PM),  # before the term: order does not matter
        term(date(2025, 9, 1), date(2025, 9, 12)),
        closure(date(2025, 9, 8), date(2025, 9, 8)),  # INSET day
        closure(date(2025, 9, 10), date(2025, 9, 10), AM),
        closure(date(2025, 9, 13), date(2025, 9, 14)),  # a weekend closure changes nothing
    ]
    sessions = school_sessions(entries)
    assert len(sessions) == 20 - 1 - 2 - 1
    assert (date(2025, 9, 5), AM) in sessions
    assert (date(2025, 9, 5), PM) not in sessions
    assert not any(d == date(2025, 9, 8) for d, _ in sessions)
    assert (date(2025, 9, 10), AM) not in sessions
    assert (date(2025, 9, 10), PM) in sessions
    assert sessions == sorted(sessions, key=lambda s: (s[0], s[1].index))
    assert school_sessions(reversed(entries)) == sessions


def test_school_sessions_overlapping_terms_count_once_and_half_day_terms() -> None:
    sessions = school_sessions(
        [
            term(date(2025, 9, 1), date(2025, 9, 3)),
            term(date(2025, 9, 2), date(2025, 9, 4)),
            term(date(2025, 9, 5), date(2025, 9, 5), AM),
        ]
    )
    assert len(sessions) == 8 + 1
    assert sessions[-1] == (date(2025, 9, 5), AM)


def test_school_sessions_empty() -> None:
    assert school_sessions([]) == []
    assert school_sessions([closure(date(2025, 9, 1), date(2025, 9, 5))]) == []
    assert school_weeks([]) == []


def test_calendar_entry_validation() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        term(date(2025, 9, 5), date(2025, 9, 1))
    with pytest.raises(ValueError, match="kind"):
        CalendarEntry("holiday", date(2025, 9, 1), date(2025, 9, 1), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Session"):
        CalendarEntry("term", date(2025, 9, 1), date(2025, 9, 1), "AM ")  # type: ignore[arg-type]


AUTUMN_2025 = [
    term(date(2025, 9, 1), date(2025, 10, 24)),
    term(date(2025, 11, 3), date(2025, 12, 19)),
    closure(date(2025, 9, 1), date(2025, 9, 1)),  # INSET
]


def test_school_weeks_skip_holiday_weeks() -> None:
    weeks = school_weeks(school_sessions(AUTUMN_2025))
    assert weeks == mondays(date(2025, 9, 1), 8) + mondays(date(2025, 11, 3), 7)
    assert date(2025, 10, 27) not in weeks  # half term


def test_a_week_closed_throughout_is_not_a_school_week() -> None:
    entries = [*AUTUMN_2025, closure(date(2025, 9, 8), date(2025, 9, 12))]
    weeks = school_weeks(school_sessions(entries))
    assert date(2025, 9, 8) not in weeks
    assert len(weeks) == 14


def test_one_session_makes_a_school_week() -> None:
    entries = [*AUTUMN_2025, closure(date(2025, 9, 8), date(2025, 9, 12), AM)]
    entries.append(closure(date(2025, 9, 8), date(2025, 9, 11), PM))
    sessions = school_sessions(entries)
    assert [s for s in sessions if week_of(s[0]) == date(2025, 9, 8)] == [(date(2025, 9, 12), PM)]
    assert date(2025, 9, 8) in school_weeks(sessions)


# --------------------------------------------------------------------------------------------------
# Penalty-notice threshold (statutory-rules.md §3, §3.1)
# --------------------------------------------------------------------------------------------------


def test_penalty_constants() -> None:
    assert PENALTY_SESSIONS == 10
    assert PENALTY_WEEKS == 10


def test_ten_marks_in_ten_weeks_met_at_the_tenth_mark() -> None:
    weeks = mondays(date(2025, 9, 1), 10)
    marks = [(w + timedelta(days=1), AM) for w in weeks]  # one Tuesday morning a week
    assert penalty_threshold_met(weeks, marks) == ThresholdMet(
        met_on=date(2025, 11, 4), session=AM, window_start=date(2025, 9, 1), week=date(2025, 11, 3)
    )


def test_nine_marks_not_met() -> None:
    weeks = mondays(date(2025, 9, 1), 10)
    marks = [(w + timedelta(days=1), AM) for w in weeks[:9]]
    assert penalty_threshold_met(weeks, marks) is None
    assert penalty_threshold_met(weeks, []) is None


def test_ten_sessions_in_one_week() -> None:
    weeks = mondays(date(2025, 9, 1), 3)
    marks = [(date(2025, 9, 8) + timedelta(days=i), s) for i in range(5) for s in (AM, PM)]
    met = penalty_threshold_met(weeks, marks)
    assert met == ThresholdMet(date(2025, 9, 12), PM, date(2025, 9, 1), date(2025, 9, 8))


def test_six_in_a_week_then_one_a_week_for_four_weeks() -> None:
    weeks = mondays(date(2025, 9, 1), 12)
    marks = [(date(2025, 9, 1) + timedelta(days=i), s) for i in range(3) for s in (AM, PM)]
    marks += [(w + timedelta(days=4), PM) for w in weeks[1:5]]
    met = penalty_threshold_met(weeks, marks)
    assert met is not None
    assert (met.met_on, met.session) == (date(2025, 10, 3), PM)


def test_window_crosses_a_two_week_holiday() -> None:
    entries = [
        term(date(2025, 9, 1), date(2025, 10, 3)),
        term(date(2025, 10, 20), date(2025, 11, 21)),
    ]
    weeks = school_weeks(school_sessions(entries))
    assert len(weeks) == 10  # 12 calendar weeks, 2 of them holiday
    marks = [(w, PM) for w in weeks]  # one Monday afternoon each school week
    assert (marks[-1][0] - marks[0][0]).days == 11 * 7
    met = penalty_threshold_met(weeks, marks)
    assert met == ThresholdMet(date(2025, 11, 17), PM, date(2025, 9, 1), date(2025, 11, 17))
    # Had the holiday weeks been school weeks, the marks would be spread over 12 school weeks.
    all_weeks = mondays(date(2025, 9, 1), 12)
    assert penalty_threshold_met(all_weeks, marks) is None


SUMMER_AND_AUTUMN = [
    term(date(2025, 4, 22), date(2025, 7, 22)),
    term(date(2025, 9, 3), date(2025, 10, 24)),
]


def test_window_crosses_the_summer_holiday_and_a_school_year() -> None:
    weeks = school_weeks(school_sessions(SUMMER_AND_AUTUMN))
    autumn = mondays(date(2025, 9, 1), 8)
    marks = [(date(2025, 7, 21), AM), (date(2025, 7, 22), AM)]
    marks += [(max(w + timedelta(days=1), date(2025, 9, 3)), AM) for w in autumn]
    met = penalty_threshold_met(weeks, marks)
    assert met == ThresholdMet(date(2025, 10, 21), AM, date(2025, 7, 14), date(2025, 10, 20))


def test_summer_marks_just_outside_the_window() -> None:
    weeks = school_weeks(school_sessions(SUMMER_AND_AUTUMN))
    autumn = mondays(date(2025, 9, 1), 8)
    marks = [(date(2025, 7, 7), AM), (date(2025, 7, 8), AM)]  # three school weeks earlier
    marks += [(max(w + timedelta(days=1), date(2025, 9, 3)), AM) for w in autumn]
    assert penalty_threshold_met(weeks, marks) is None  # windows hold 9 at most


def test_marks_spread_over_eleven_school_weeks_not_met() -> None:
    weeks = mondays(date(2025, 9, 1), 11)
    marks = [(w + timedelta(days=2), AM) for i, w in enumerate(weeks) if i != 5]
    assert len(marks) == 10
    assert penalty_threshold_met(weeks, marks) is None


def test_am_before_pm_on_the_same_day_whatever_the_input_order() -> None:
    weeks = [date(2025, 9, 1)]
    marks = [(date(2025, 9, 1) + timedelta(days=i), s) for i in range(4) for s in (AM, PM)]
    marks += [(date(2025, 9, 5), PM), (date(2025, 9, 5), AM)]
    met = penalty_threshold_met(weeks, list(reversed(marks)))
    assert met is not None
    assert (met.met_on, met.session) == (date(2025, 9, 5), PM)
    met = penalty_threshold_met(weeks, marks, sessions=9)
    assert met is not None
    assert (met.met_on, met.session) == (date(2025, 9, 5), AM)


def test_a_week_holding_marks_is_a_school_week_even_if_missing() -> None:
    marks = [(date(2025, 9, 1) + timedelta(days=i), s) for i in range(5) for s in (AM, PM)]
    met = penalty_threshold_met([], marks)
    assert met == ThresholdMet(date(2025, 9, 5), PM, date(2025, 9, 1), date(2025, 9, 1))


def test_duplicate_marks_count_once() -> None:
    weeks = [date(2025, 9, 1)]
    marks = [(date(2025, 9, 1), AM)] * 10
    assert penalty_threshold_met(weeks, marks) is None


def test_penalty_threshold_week_needed() -> None:
    weeks = mondays(date(2025, 9, 1), 11)
    assert penalty_threshold_week(weeks, {weeks[0]: 3, weeks[9]: 9}) == ThresholdWeek(
        week_index=9, week=weeks[9], window_start=weeks[0], needed=7
    )
    assert penalty_threshold_week(weeks, {weeks[0]: 3, weeks[10]: 9}) is None
    assert penalty_threshold_week(weeks, {weeks[1]: 3, weeks[10]: 9}) == ThresholdWeek(
        week_index=10, week=weeks[10], window_start=weeks[1], needed=7
    )
    assert penalty_threshold_week(weeks, {weeks[4]: 12}) == ThresholdWeek(4, weeks[4], weeks[0], 10)


def test_penalty_threshold_week_normalises_dates_and_adds_missing_weeks() -> None:
    weeks = [date(2025, 9, 1), date(2025, 9, 15)]
    found = penalty_threshold_week(weeks, {date(2025, 9, 10): 4, date(2025, 9, 17): 6})
    assert found == ThresholdWeek(2, date(2025, 9, 15), date(2025, 9, 1), 6)
    found = penalty_threshold_week(weeks, {date(2025, 9, 10): 2}, sessions=2, span=1)
    assert found == ThresholdWeek(1, date(2025, 9, 8), date(2025, 9, 8), 2)


def test_penalty_threshold_week_arguments() -> None:
    with pytest.raises(ValueError):
        penalty_threshold_week([], {}, sessions=0)
    with pytest.raises(ValueError):
        penalty_threshold_week([], {}, span=0)
    with pytest.raises(ValueError):
        penalty_threshold_week([], {date(2025, 9, 1): -1})


# --------------------------------------------------------------------------------------------------
# Properties (Hypothesis)
# --------------------------------------------------------------------------------------------------

code_lists = st.lists(st.sampled_from(sorted(CODES)), max_size=60)


@given(code_lists)
def test_possible_is_attended_plus_absence(codes: list[str]) -> None:
    c = Counts.of_codes(codes)
    assert c.possible == c.attended + c.authorised + c.unauthorised
    assert c.possible == c.attended + c.absent
    assert c.possible + c.not_possible == len(codes)
    assert c.late == sum(code in LATE_CODES for code in codes)
    assert c.penalty == sum(code in PENALTY_CODES for code in codes)
    rate = attendance_rate(c)
    absence = absence_rate(c)
    if rate is None:
        assert absence is None
    else:
        assert absence is not None
        assert rate + absence == 1
        assert 0 <= rate <= 1


@given(code_lists, st.sampled_from(["/", "\\", "L", "K", "V", "P", "W", "B"]))
def test_adding_an_attending_mark_never_lowers_attendance(codes: list[str], extra: str) -> None:
    before = attendance_rate(Counts.of_codes(codes))
    after = attendance_rate(Counts.of_codes([*codes, extra]))
    assert after is not None
    if before is not None:
        assert after >= before


@given(code_lists, code_lists, code_lists)
def test_counts_addition_matches_of_codes(a: list[str], b: list[str], c: list[str]) -> None:
    ca, cb, cc = Counts.of_codes(a), Counts.of_codes(b), Counts.of_codes(c)
    assert ca + cb == cb + ca == Counts.of_codes(a + b)
    assert (ca + cb) + cc == ca + (cb + cc) == Counts.of_codes(a + b + c)
    assert ca + Counts() == ca


@given(code_lists)
def test_categories_agree_with_persistent_and_severe(codes: list[str]) -> None:
    c = Counts.of_codes(codes)
    category = attendance_category(c)
    if c.possible == 0:
        assert category is None
        return
    assert is_persistent_absence(c) == (
        category
        in (
            AttendanceCategory.PERSISTENT,
            AttendanceCategory.AT_RISK_OF_SEVERE,
            AttendanceCategory.SEVERE,
        )
    )
    assert is_severe_absence(c) == (category is AttendanceCategory.SEVERE)


@given(st.fractions(min_value=0, max_value=1), st.integers(min_value=0, max_value=4))
def test_percent_is_within_half_a_unit(f: Fraction, places: int) -> None:
    result = percent(f, places)
    assert result is not None
    assert abs(Fraction(result) - f * 100) <= Fraction(1, 2 * 10**places)


FIRST_MONDAY = date(2024, 4, 1)


def brute_force(
    weeks: list[date], marks: list[tuple[date, Session]], sessions: int, span: int
) -> tuple[date, Session] | None:
    """After each mark, in time order, check every run of `span` consecutive school weeks."""
    ordered = sorted(set(marks), key=lambda m: (m[0], m[1].index))
    school = sorted(set(weeks) | {week_of(d) for d, _ in ordered})
    for k, mark in enumerate(ordered):
        seen = ordered[: k + 1]
        for j in range(len(school)):
            run = set(school[j : j + span])
            if sum(week_of(d) in run for d, _ in seen) >= sessions:
                return mark
    return None


@st.composite
def penalty_cases(
    draw: st.DrawFn, max_weeks: int = 30, min_marks: int = 0
) -> tuple[list[date], list[tuple[date, Session]], int, int]:
    n_weeks = draw(st.integers(min_value=1, max_value=max_weeks))
    is_school = draw(st.lists(st.booleans(), min_size=n_weeks, max_size=n_weeks))
    weeks = [FIRST_MONDAY + timedelta(weeks=i) for i, s in enumerate(is_school) if s]
    mark = st.tuples(
        st.integers(min_value=0, max_value=n_weeks - 1),
        st.integers(min_value=0, max_value=4),
        st.sampled_from(Session),
    ).map(lambda t: (FIRST_MONDAY + timedelta(weeks=t[0], days=t[1]), t[2]))
    marks = draw(st.lists(mark, min_size=min_marks, max_size=45))
    sessions = draw(st.integers(min_value=1, max_value=12))
    span = draw(st.integers(min_value=1, max_value=12))
    return weeks, marks, sessions, span


@given(penalty_cases(), st.data())
def test_penalty_threshold_independent_of_mark_order(
    case: tuple[list[date], list[tuple[date, Session]], int, int], data: st.DataObject
) -> None:
    weeks, marks, sessions, span = case
    shuffled = data.draw(st.permutations(marks))
    assert penalty_threshold_met(weeks, marks, sessions=sessions, span=span) == (
        penalty_threshold_met(weeks, shuffled, sessions=sessions, span=span)
    )


@given(penalty_cases())
def test_penalty_threshold_agrees_with_brute_force(
    case: tuple[list[date], list[tuple[date, Session]], int, int],
) -> None:
    weeks, marks, sessions, span = case
    met = penalty_threshold_met(weeks, marks, sessions=sessions, span=span)
    expected = brute_force(weeks, marks, sessions, span)
    if expected is None:
        assert met is None
        return
    assert met is not None
    assert (met.met_on, met.session) == expected
    assert met.week == week_of(met.met_on)
    # The reported window: at most `span` school weeks ending with the threshold week, holding
    # `sessions` marks up to and including the one that met the threshold.
    school = sorted(set(weeks) | {week_of(d) for d, _ in marks})
    window = school[school.index(met.window_start) : school.index(met.week) + 1]
    assert 1 <= len(window) <= span
    key = (met.met_on, met.session.index)
    upto = {m for m in marks if (m[0], m[1].index) <= key}
    assert sum(week_of(d) in window for d, _ in upto) >= sessions


@given(penalty_cases(max_weeks=20, min_marks=8))
def test_penalty_threshold_with_the_national_defaults(
    case: tuple[list[date], list[tuple[date, Session]], int, int],
) -> None:
    weeks, marks, _, _ = case
    met = penalty_threshold_met(weeks, marks)
    expected = brute_force(weeks, marks, PENALTY_SESSIONS, PENALTY_WEEKS)
    assert (None if met is None else (met.met_on, met.session)) == expected


@given(
    st.lists(
        st.builds(
            CalendarEntry,
            st.sampled_from(["term", "closure"]),
            st.dates(date(2025, 9, 1), date(2025, 10, 31)),
            st.just(date(2025, 10, 31)),
            st.none() | st.sampled_from(Session),
        ),
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_school_sessions_independent_of_entry_order(
    entries: list[CalendarEntry], rnd: random.Random
) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    sessions = school_sessions(entries)
    assert school_sessions(shuffled) == sessions
    assert all(d.weekday() < 5 for d, _ in sessions)
    assert len(set(sessions)) == len(sessions)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percent_of_agrees_with_percent_of_the_exact_fraction(part: int, whole: int) -> None:
    from attend.registers.domain import percent_of

    assert percent_of(part, whole) == percent(Fraction(part, whole))


def test_percent_of_rounds_half_up_and_knows_nothing_of_zero() -> None:
    from attend.registers.domain import percent_of

    assert percent_of(1, 8, places=2) == Decimal("12.50")
    assert percent_of(1, 3) == Decimal("33.33")
    assert percent_of(2, 3) == Decimal("66.67")
    assert percent_of(1, 0) is None


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2025, 7, 31), date(2024, 8, 1)),
        (date(2025, 8, 1), date(2025, 8, 1)),
        (date(2026, 1, 15), date(2025, 8, 1)),
    ],
)
def test_academic_year_runs_from_1_august_to_31_july(day: date, start: date) -> None:
    from attend.registers.domain import academic_year_start

    assert academic_year_start(day) == start
