"""The pupils and schools reports at every boundary of the rules, through the real commands."""

from __future__ import annotations

import datetime as dt

import pytest

from attend.registers.models import SchoolSessionSummary, WeekSummary
from attend.registers.summaries import rebuild_all
from tests.integration.scenario import Scenario, report, school_days, sessions

pytestmark = pytest.mark.django_db

# Two school weeks: 20 possible sessions.
DAYS = school_days(dt.date(2025, 9, 1), dt.date(2025, 9, 12))
SESSIONS = sessions(DAYS)


@pytest.fixture
def la(tmp_path):
    scenario = Scenario(tmp_path)
    scenario.schools("100001", "100002")
    scenario.term("100001", "2025-09-01", "2025-12-19")
    return scenario


def pupil_with(la: Scenario, n: int, absences: dict[str, int], *, extra: int = 0) -> str:
    """A pupil at 100001 with these absence codes, the rest present, over 20(+extra) sessions."""
    upn = la.pupil(n, "100001")
    all_sessions = sessions(school_days(dt.date(2025, 9, 1), dt.date(2025, 9, 12 + extra)))
    codes: dict[tuple[dt.date, str], str] = {}
    pending = [code for code, count in absences.items() for _ in range(count)]
    for day, s in all_sessions:
        codes[(day, s)] = pending.pop() if pending else ("/" if s == "AM" else "\\")
    la.marks(upn, "100001", codes)
    return upn


def rows_by_upn(*args: str) -> dict[str, dict]:
    return {r["upn"]: r for r in report("pupils", *args)}


@pytest.mark.parametrize(
    ("absences", "persistent", "severe", "category", "rate"),
    [
        ({"I": 1}, False, False, "expected", 95.0),  # exactly 95%: expected
        ({"I": 2}, True, False, "persistent", 90.0),  # exactly 10% absent: persistent; 90%
        ({"O": 4}, True, False, "persistent", 80.0),  # exactly 80%: persistent (inclusive)
        ({"G": 10}, True, True, "severe", 50.0),  # exactly 50% absent: severe
        ({"N": 9}, True, False, "at_risk_of_severe", 55.0),
    ],
)
def test_each_boundary_of_the_rules(la, absences, persistent, severe, category, rate):
    upn = pupil_with(la, 1, absences)
    row = rows_by_upn("--as-of", "2025-09-12")[upn]
    assert row["possible_sessions"] == 20
    assert row["attendance_rate"] == rate
    assert row["persistent_absence"] is persistent
    assert row["severe_absence"] is severe
    assert row["category"] == category


def test_just_over_90_is_at_risk_and_just_under_10_percent_is_not_persistent(la):
    # 3 absences in 40 sessions: 92.5% attendance, 7.5% absence.
    upn = pupil_with(la, 2, {"I": 3}, extra=14)
    row = rows_by_upn("--as-of", "2025-09-26")[upn]
    assert (row["possible_sessions"], row["category"]) == (40, "at_risk_of_persistent")
    assert row["persistent_absence"] is False


def test_not_possible_codes_are_left_out_and_aea_counts_as_attendance(la):
    upn = pupil_with(la, 3, {"#": 2, "X": 1, "V": 2, "K": 1, "I": 1})
    row = rows_by_upn("--as-of", "2025-09-12")[upn]
    assert row["possible_sessions"] == 17
    assert row["aea_sessions"] == 3
    assert row["attended_sessions"] == 16
    assert row["authorised_absence"] == 1


def test_part_weeks_at_both_ends_of_the_period_count_exactly(la):
    upn = pupil_with(la, 4, {"O": 6})  # O marks land on the first six sessions (Mon-Wed AM)
    # Wednesday of week 1 to Tuesday of week 2: 5 school days = 10 sessions.
    row = rows_by_upn("--as-of", "2025-09-09", "--from", "2025-09-03")[upn]
    assert row["possible_sessions"] == 10
    expected_o = sum(1 for d, _ in SESSIONS[:6] if dt.date(2025, 9, 3) <= d <= dt.date(2025, 9, 9))
    assert row["unauthorised_absence"] == expected_o


def test_enrolment_without_possible_sessions_in_the_period_is_left_out(la):
    pupil_with(la, 5, {})
    assert report("pupils", "--as-of", "2025-10-01", "--from", "2025-09-20") == []


def test_urn_filter_and_csv_format(la, capsys):
    pupil_with(la, 6, {"I": 2})
    assert len(report("pupils", "--as-of", "2025-09-12", "--urn", "100002")) == 0
    assert len(report("pupils", "--as-of", "2025-09-12", "--urn", "100001")) == 1


def test_schools_report_totals_rates_and_codes(la):
    pupil_with(la, 7, {"I": 2})  # PA at exactly 10%
    pupil_with(la, 8, {"I": 1, "U": 1})  # 10%: PA too
    pupil_with(la, 9, {})  # full attendance
    rows = {r["urn"]: r for r in report("schools", "--as-of", "2025-09-12")}
    school = rows["100001"]
    assert school["enrolments"] == 3
    assert school["possible_sessions"] == 60
    assert school["authorised_absence"] == 3
    assert school["unauthorised_absence"] == 1
    assert school["overall_absence_rate"] == 6.67
    assert school["persistent_absence_rate"] == 66.67
    assert school["severe_absence_rate"] == 0.0
    assert school["codes"]["I"] == 3 and school["codes"]["U"] == 1
    assert school["codes"]["/"] + school["codes"]["\\"] == 56
    assert rows["100002"]["enrolments"] == 0


def test_incremental_summaries_equal_a_full_rebuild(la):
    upn = pupil_with(la, 10, {"I": 3, "O": 2})
    # Change some marks by a second import: amendments, and summaries kept in step.
    la.marks(upn, "100001", {(dt.date(2025, 9, 1), "AM"): "M", (dt.date(2025, 9, 8), "PM"): "G"})

    def snapshot(model=WeekSummary):
        return sorted(
            model.objects.values_list(
                *[f.attname for f in model._meta.concrete_fields if f.name != "id"]
            )
        )

    incremental = snapshot()
    sessions = snapshot(SchoolSessionSummary)
    rebuild_all()
    assert snapshot() == incremental
    assert snapshot(SchoolSessionSummary) == sessions
    assert len(incremental) == 2
    assert len(sessions) == 20  # ten school days, two sessions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pupils", "--as-of", "2025-13-01"], "'2025-13-01' is not a date in the form YYYY-MM-DD"),
        (["pupils", "--as-of", "2025-09-01", "--from", "2025-09-02"], "is after --as-of"),
        (["pupils", "--as-of", "2025-09-01", "--urn", "999999"], "no school with URN 999999"),
        (["marks", "--upn", "A123"], "--upn:"),
        (["marks", "--upn", "W938202400005"], "no pupil with UPN W938202400005"),
    ],
)
def test_report_refuses_bad_arguments_with_a_clear_message(la, args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        report(*args)


@pytest.mark.parametrize(
    ("start", "as_of"),
    [
        ("2025-09-01", "2025-09-12"),  # whole weeks
        ("2025-09-03", "2025-09-09"),  # cut weeks with marks outside at both ends
        ("2025-09-02", "2025-09-14"),  # ends on a Sunday
        ("2025-09-06", "2025-09-07"),  # a weekend: no possible session
        ("2025-08-01", "2025-09-10"),  # default start of the year, ends mid-week
    ],
)
def test_reports_agree_with_counting_the_marks_directly(la, start, as_of):
    """An oracle: the summary-based figures equal the domain's count of the raw marks."""
    from attend.registers.domain import Counts
    from attend.registers.models import Mark

    pupil_with(la, 11, {"I": 3, "O": 2, "G": 1, "L": 2, "#": 2, "V": 1}, extra=7)
    pupil_with(la, 12, {"U": 4, "N": 1, "M": 2}, extra=7)
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(as_of)
    marks = Mark.objects.filter(date__gte=first, date__lte=last)
    expected: dict[str, Counts] = {}
    for upn, code in marks.values_list("enrolment__pupil__upn", "code"):
        expected[upn] = expected.get(upn, Counts()) + Counts.of_code(code)
    rows = {r["upn"]: r for r in report("pupils", "--as-of", as_of, "--from", start)}
    assert set(rows) == {upn for upn, c in expected.items() if c.possible}
    for upn, row in rows.items():
        counts = expected[upn]
        assert row["possible_sessions"] == counts.possible
        assert row["authorised_absence"] == counts.authorised
        assert row["unauthorised_absence"] == counts.unauthorised
        assert row["aea_sessions"] == counts.aea
    (school,) = [
        r for r in report("schools", "--as-of", as_of, "--from", start) if r["urn"] == "100001"
    ]
    codes: dict[str, int] = {}
    for code in marks.values_list("code", flat=True):
        codes[code] = codes.get(code, 0) + 1
    assert school["codes"] == codes
