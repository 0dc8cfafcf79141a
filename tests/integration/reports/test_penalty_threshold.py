"""The penalty-notice threshold report: 10 sessions of G, N, O or U in 10 school weeks, with windows
across half terms, the summer holiday, school years and a change of school."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.scenario import Scenario, report

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def la(tmp_path):
    scenario = Scenario(tmp_path)
    scenario.schools("100001", "100002")
    for urn in ("100001", "100002"):
        scenario.load(
            "calendar",
            [
                f"{urn},term,2025-06-02,2025-07-22,",
                f"{urn},term,2025-09-01,2025-10-24,",
                f"{urn},term,2025-11-03,2025-12-19,",
            ],
        )
    return scenario


def tuesdays(first: dt.date, count: int, skip: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    days: list[dt.date] = []
    day = first
    while len(days) < count:
        if day not in skip:
            days.append(day)
        day += dt.timedelta(days=7)
    return days


HALF_TERM_TUESDAY = D(2025, 10, 28)


def one_per_week(la: Scenario, upn: str, urn: str, days: list[dt.date], code: str = "O") -> None:
    la.marks(upn, urn, {(day, "AM"): code for day in days})


def test_ten_sessions_in_ten_school_weeks_across_half_term_is_met_at_the_tenth(la):
    upn = la.pupil(1, "100001")
    # 10 Tuesdays from 30 Sep, skipping half term: 11 calendar weeks, 10 school weeks.
    days = tuesdays(D(2025, 9, 30), 10, skip=frozenset({HALF_TERM_TUESDAY}))
    one_per_week(la, upn, "100001", days)
    rows = report("penalty-threshold", "--as-of", "2025-12-19")
    assert rows == [
        {
            "upn": upn,
            "urn": "100001",
            "met_on": days[-1].isoformat(),
            "met_session": "AM",
            "window_start": "2025-09-29",
            "sessions": 10,
        }
    ]


def test_ten_sessions_spread_over_eleven_school_weeks_is_not_met(la):
    upn = la.pupil(2, "100001")
    days = tuesdays(D(2025, 9, 2), 11, skip=frozenset({HALF_TERM_TUESDAY}))
    del days[5]  # a gap week: the 10 marks now span 11 school weeks
    one_per_week(la, upn, "100001", days)
    assert report("penalty-threshold", "--as-of", "2025-12-19") == []


def test_nine_sessions_is_not_met_and_the_tenth_on_the_pm_session_meets_it(la):
    upn = la.pupil(3, "100001")
    la.marks(upn, "100001", {(D(2025, 9, 1) + dt.timedelta(days=i), "AM"): "G" for i in range(5)})
    la.marks(upn, "100001", {(D(2025, 9, 8) + dt.timedelta(days=i), "AM"): "N" for i in range(4)})
    assert report("penalty-threshold", "--as-of", "2025-12-19") == []
    la.marks(upn, "100001", {(D(2025, 9, 12), "PM"): "U", (D(2025, 9, 12), "AM"): "/"})
    (row,) = report("penalty-threshold", "--as-of", "2025-12-19")
    # The window is the 10 school weeks ending with the week of 8 September: 8 weeks of the
    # summer term (2 June to 21 July) and the first two weeks of September.
    assert (row["met_on"], row["met_session"], row["window_start"]) == (
        "2025-09-12",
        "PM",
        "2025-06-02",
    )


def test_window_crosses_the_summer_holiday_and_the_school_year(la):
    upn = la.pupil(4, "100001", start="2024-09-01")
    summer = tuesdays(D(2025, 6, 24), 5)  # the last five school weeks of 2024/25
    autumn = tuesdays(D(2025, 9, 2), 5)  # the first five of 2025/26
    one_per_week(la, upn, "100001", summer + autumn)
    (row,) = report("penalty-threshold", "--as-of", "2025-12-19")
    assert row["met_on"] == autumn[-1].isoformat()
    assert row["window_start"] == "2025-06-23"
    # Reported only in the period where it was first met.
    assert report("penalty-threshold", "--as-of", "2025-12-19", "--from", "2025-10-01") == []
    assert len(report("penalty-threshold", "--as-of", "2025-12-19", "--from", "2025-09-30")) == 1


def test_earlier_weeks_count_toward_a_window_that_ends_in_the_period(la):
    upn = la.pupil(5, "100001")
    one_per_week(la, upn, "100001", tuesdays(D(2025, 9, 2), 10))
    (row,) = report("penalty-threshold", "--as-of", "2025-12-19", "--from", "2025-11-01")
    assert row["met_on"] == "2025-11-04"


def test_as_of_before_the_tenth_mark_is_not_met(la):
    upn = la.pupil(6, "100001")
    one_per_week(la, upn, "100001", tuesdays(D(2025, 9, 2), 10))
    assert report("penalty-threshold", "--as-of", "2025-11-03") == []


def test_a_pupil_who_moves_school_keeps_their_count(la):
    upn = la.pupil(7, "100001", start="2024-09-01", leaving="2025-10-03")
    la.pupil(7, "100002", start="2025-10-06")
    one_per_week(la, upn, "100001", tuesdays(D(2025, 9, 2), 5))
    one_per_week(
        la, upn, "100002", tuesdays(D(2025, 10, 7), 5, skip=frozenset({HALF_TERM_TUESDAY}))
    )
    (row,) = report("penalty-threshold", "--as-of", "2025-12-19")
    assert row["urn"] == "100002"
    assert row["met_on"] == "2025-11-11"
    assert row["window_start"] == "2025-09-01"
    assert row["sessions"] == 10


def test_authorised_absence_never_counts(la):
    upn = la.pupil(8, "100001")
    one_per_week(la, upn, "100001", tuesdays(D(2025, 9, 2), 12), code="I")
    assert report("penalty-threshold", "--as-of", "2025-12-19") == []
