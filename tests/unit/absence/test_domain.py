"""The follow-up rules: deadline of an N mark, runs of unexplained days, escalation, order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.absence import domain
from attend.absence.domain import Escalation, Flags, Step, Vulnerability
from attend.registers.domain import CalendarEntry, school_sessions

# Autumn term 2025 with half term 27-31 October.
AUTUMN = [
    CalendarEntry("term", date(2025, 9, 3), date(2025, 12, 19)),
    CalendarEntry("closure", date(2025, 10, 27), date(2025, 10, 31)),
]
AUTUMN_DAYS = sorted({d for d, _ in school_sessions(AUTUMN)})


def test_deadline_of_an_n_on_the_friday_before_half_term() -> None:
    friday = date(2025, 10, 24)
    # Mon 3 to Fri 7 November: half term is not school days.
    assert domain.n_deadline(friday, AUTUMN_DAYS) == date(2025, 11, 7)
    assert not domain.n_overdue(friday, date(2025, 11, 7), AUTUMN_DAYS)
    assert domain.n_overdue(friday, date(2025, 11, 8), AUTUMN_DAYS)  # the Saturday after
    assert domain.n_overdue(friday, date(2025, 11, 10), AUTUMN_DAYS)
    # Counting calendar or working days instead would have made it overdue in half term.
    assert not domain.n_overdue(friday, date(2025, 10, 31), AUTUMN_DAYS)


def test_deadline_in_an_ordinary_week_and_beyond_the_calendar() -> None:
    assert domain.n_deadline(date(2025, 11, 17), AUTUMN_DAYS) == date(2025, 11, 24)
    assert domain.n_deadline(date(2025, 12, 15), AUTUMN_DAYS) is None  # term ends first
    weekdays = domain.weekdays(date(2025, 11, 3), date(2025, 11, 30))
    assert domain.n_deadline(date(2025, 11, 7), weekdays) == date(2025, 11, 14)


DAYS = st.lists(
    st.dates(date(2025, 9, 1), date(2025, 12, 31)), min_size=0, max_size=60, unique=True
).map(sorted)


@given(days=DAYS, mark=st.dates(date(2025, 9, 1), date(2025, 12, 31)))
def test_deadline_is_the_fifth_school_day_after(days: list[date], mark: date) -> None:
    deadline = domain.n_deadline(mark, days)
    later = [d for d in days if d > mark]
    if len(later) < 5:
        assert deadline is None
    else:
        assert deadline in days
        assert len([d for d in days if mark < d <= deadline]) == 5


@given(
    days=DAYS,
    mark=st.dates(date(2025, 9, 1), date(2025, 12, 31)),
    as_of=st.dates(date(2025, 9, 1), date(2026, 1, 31)),
)
def test_overdue_once_the_deadline_has_passed(days: list[date], mark: date, as_of: date) -> None:
    deadline = domain.n_deadline(mark, days)
    expected = deadline is not None and as_of > deadline
    assert domain.n_overdue(mark, as_of, days) == expected


def test_which_days_are_unexplained() -> None:
    assert domain.UNEXPLAINED_CODES == {"N", "O"}
    assert domain.day_unexplained(["N", "N"])
    assert domain.day_unexplained(["O"])
    assert domain.day_unexplained(["I", "N"])  # ill in the morning, no reason in the afternoon
    assert not domain.day_unexplained(["/", "N"])  # seen in the morning: not missing
    assert not domain.day_unexplained(["G", "U"])  # unauthorised, but the reason is known
    assert not domain.day_unexplained([])


def test_run_of_unexplained_days_skips_half_term_and_breaks_on_a_reason() -> None:
    codes = {
        date(2025, 10, 22): ["I", "I"],
        date(2025, 10, 23): ["N", "N"],
        date(2025, 10, 24): ["O", "O"],
        date(2025, 11, 3): ["N", "N"],
    }
    assert domain.consecutive_unexplained_days(date(2025, 11, 3), AUTUMN_DAYS, codes) == 3
    # A school day with no mark breaks the run; the weekend does not.
    assert domain.consecutive_unexplained_days(date(2025, 11, 4), AUTUMN_DAYS, codes) == 0
    assert domain.consecutive_unexplained_days(date(2025, 11, 2), AUTUMN_DAYS, codes) == 2


CODE = st.sampled_from(["N", "O", "/", "\\", "I", "G", "U", "M"])


@given(
    days=DAYS,
    marks=st.dictionaries(
        st.dates(date(2025, 9, 1), date(2025, 12, 31)), st.lists(CODE, min_size=1, max_size=2)
    ),
    day=st.dates(date(2025, 9, 1), date(2025, 12, 31)),
)
def test_run_matches_counting_back_by_hand(
    days: list[date], marks: dict[date, list[str]], day: date
) -> None:
    run = domain.consecutive_unexplained_days(day, days, marks)
    before = [d for d in days if d <= day]
    assert 0 <= run <= len(before)
    assert all(domain.day_unexplained(marks.get(d, [])) for d in before[len(before) - run :])
    if run < len(before):
        assert not domain.day_unexplained(marks.get(before[-run - 1], []))


@pytest.mark.parametrize(
    ("days", "step"),
    [
        (1, Step.CONTACT_PARENTS),
        (2, Step.EMERGENCY_CONTACTS),
        (3, Step.HOME_VISIT),
        (9, Step.HOME_VISIT),
        (10, Step.LA_REFERRAL),
        (25, Step.LA_REFERRAL),
    ],
)
def test_default_escalation_follows_the_school_policy(days: int, step: Step) -> None:
    assert domain.next_step(days, Escalation()) == step


@given(e=st.integers(2, 20), h=st.integers(0, 20), la=st.integers(0, 30), days=st.integers(1, 40))
def test_escalation_never_goes_back(e: int, h: int, la: int, days: int) -> None:
    if not e <= h <= la:
        with pytest.raises(domain.InvalidEscalation):
            Escalation(e, h, la)
        return
    escalation = Escalation(e, h, la)
    order = list(Step)
    assert order.index(domain.next_step(days, escalation)) <= order.index(
        domain.next_step(days + 1, escalation)
    )
    assert (domain.next_step(days, escalation) == Step.LA_REFERRAL) == (days >= la)


def test_flags_and_worklist_order() -> None:
    flags = domain.flags_from([("sen_status", "E"), ("looked_after", "N")])
    assert flags == Flags(ehcp=True)
    assert flags.vulnerability == Vulnerability.EHCP
    assert domain.flags_from([], on_caseload=True).vulnerability == Vulnerability.SOCIAL_CARE
    assert Flags(cp_plan=True, looked_after=True).labels == [
        "Child protection plan",
        "Looked after",
    ]
    pupils = [
        ("Adams", "Amy", Flags(), 0),
        ("Brown", "Ben", Flags(ehcp=True), 0),
        ("Clark", "Cal", Flags(), 4),
        ("Davis", "Dee", Flags(looked_after=True), 0),
        ("Evans", "Eve", Flags(cin_plan=True), 0),
        ("Abbot", "Al", Flags(), 0),
    ]
    ordered = sorted(pupils, key=lambda p: domain.worklist_key(p[2], p[3], p[0], p[1]))
    assert [p[0] for p in ordered] == ["Evans", "Davis", "Brown", "Clark", "Abbot", "Adams"]


def test_reason_codes_are_absence_codes_other_than_n() -> None:
    assert "N" not in domain.REASON_CODES
    assert {"I", "M", "C", "O", "G", "U", "E"} <= set(domain.REASON_CODES)
    assert not {"/", "\\", "L", "B", "D", "X", "#"} & set(domain.REASON_CODES)


def test_weekdays() -> None:
    assert domain.weekdays(date(2025, 11, 7), date(2025, 11, 10)) == [
        date(2025, 11, 7),
        date(2025, 11, 10),
    ]
    assert domain.weekdays(date(2025, 11, 8), date(2025, 11, 8) + timedelta(days=1)) == []


def test_illness_spells_are_broken_by_a_school_day_but_not_by_half_term() -> None:
    ill = [
        date(2025, 10, 1),
        date(2025, 10, 2),  # spell 1
        date(2025, 10, 6),  # spell 2
        date(2025, 10, 24),
        date(2025, 11, 3),  # spell 3, across half term and a weekend
    ]
    assert domain.illness_spells(ill, AUTUMN_DAYS) == 3
    assert domain.illness_spells([], AUTUMN_DAYS) == 0


@given(days=DAYS, ill=st.lists(st.dates(date(2025, 9, 1), date(2025, 12, 31)), max_size=30))
def test_illness_spells_count_the_runs(days: list[date], ill: list[date]) -> None:
    spells = domain.illness_spells(ill, days)
    timeline = sorted(set(days) | set(ill))
    starts = [
        d for i, d in enumerate(timeline) if d in ill and (i == 0 or timeline[i - 1] not in ill)
    ]
    assert spells == len(starts) <= len(set(ill))
