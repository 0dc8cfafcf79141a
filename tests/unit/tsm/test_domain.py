"""The rules of targeted support meetings: terms, planned dates, statuses and problems."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from attend.tsm import domain
from attend.tsm.domain import ActionStatus, MeetingState, Status, Term


def test_year_labels_and_bounds() -> None:
    assert domain.year_label(2026) == "2026/27"
    assert domain.year_label(2099) == "2099/00"
    assert domain.year_bounds(2026) == (dt.date(2026, 8, 1), dt.date(2027, 7, 31))
    assert domain.year_of(dt.date(2026, 8, 1)) == 2026
    assert domain.year_of(dt.date(2027, 7, 31)) == 2026


def test_current_term_by_month() -> None:
    assert domain.current_term(dt.date(2026, 11, 23)) == (2026, Term.AUTUMN)
    assert domain.current_term(dt.date(2027, 2, 1)) == (2026, Term.SPRING)
    assert domain.current_term(dt.date(2027, 5, 1)) == (2026, Term.SUMMER)
    # August belongs to the new academic year, counted with the autumn term to come.
    assert domain.current_term(dt.date(2027, 8, 10)) == (2027, Term.AUTUMN)


def test_the_planned_date_is_the_wednesday_of_the_fourth_week() -> None:
    # Autumn 2026 starts on Wednesday 2 September: week 4 is 21-25 September.
    assert domain.default_planned_date(dt.date(2026, 9, 2)) == dt.date(2026, 9, 23)
    # Spring 2027 starts on Tuesday 5 January: week 4 is 25-29 January.
    assert domain.default_planned_date(dt.date(2027, 1, 5)) == dt.date(2027, 1, 27)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_the_planned_date_is_a_wednesday_three_weeks_on(start: dt.date) -> None:
    planned = domain.default_planned_date(start)
    assert planned.weekday() == 2
    assert 14 < (planned - start).days <= 23


def test_term_starts_from_the_calendar_with_nominal_fallbacks() -> None:
    entries = [
        (dt.date(2026, 9, 2), dt.date(2026, 12, 18)),
        (dt.date(2027, 1, 5), dt.date(2027, 3, 26)),
        (dt.date(2025, 9, 3), dt.date(2025, 12, 19)),  # another year: ignored
        (dt.date(2026, 11, 2), dt.date(2026, 12, 18)),  # a later autumn entry: the first counts
    ]
    starts = domain.term_starts(2026, entries)
    assert starts == {
        Term.AUTUMN: dt.date(2026, 9, 2),
        Term.SPRING: dt.date(2027, 1, 5),
        Term.SUMMER: dt.date(2027, 4, 20),  # no entry: nominal
    }


def test_following_and_preceding_meetings() -> None:
    assert domain.following(2026, Term.AUTUMN) == (2026, Term.SPRING)
    assert domain.following(2026, Term.SUMMER) == (2027, Term.AUTUMN)
    assert domain.preceding(2026, Term.AUTUMN) == (2025, Term.SUMMER)
    assert domain.preceding(2026, Term.SUMMER) == (2026, Term.SPRING)


@given(st.integers(2000, 2098), st.sampled_from(list(Term)))
def test_following_and_preceding_are_inverse(year: int, term: Term) -> None:
    assert domain.preceding(*domain.following(year, term)) == (year, term)
    assert domain.sort_key(*domain.following(year, term)) > domain.sort_key(year, term)


def test_meeting_status() -> None:
    today = dt.date(2026, 11, 23)
    assert domain.meeting_status(None, today) == Status.NOT_SCHEDULED
    assert domain.meeting_status(MeetingState(today, None), today) == Status.PLANNED
    assert domain.meeting_status(MeetingState(dt.date(2026, 11, 22), None), today) == (
        Status.OVERDUE
    )
    held = MeetingState(dt.date(2026, 9, 23), dt.date(2026, 9, 30))
    assert domain.meeting_status(held, today) == Status.HELD


def test_action_status() -> None:
    today = dt.date(2026, 11, 23)
    assert domain.action_status(today, None, today) == ActionStatus.OPEN
    assert domain.action_status(dt.date(2026, 11, 22), None, today) == ActionStatus.OVERDUE
    assert domain.action_status(dt.date(2026, 11, 22), today, today) == ActionStatus.DONE


def test_meeting_and_action_problems() -> None:
    today = dt.date(2026, 11, 23)
    assert (
        domain.meeting_problems(
            year=2026, planned_on=dt.date(2026, 9, 23), held_on=today, today=today
        )
        == {}
    )
    problems = domain.meeting_problems(
        year=2026, planned_on=dt.date(2027, 8, 1), held_on=dt.date(2026, 11, 24), today=today
    )
    assert set(problems) == {"planned_on", "held_on"}
    assert "2026/27" in problems["planned_on"]
    assert domain.action_problems(description="Call", owner="Head of Year 9", due=today) == {}
    assert set(domain.action_problems(description=" ", owner="", due=None)) == {
        "description",
        "owner",
        "due_on",
    }
