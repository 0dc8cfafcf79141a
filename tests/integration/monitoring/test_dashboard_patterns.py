"""The dashboard's patterns: by week against last year, by day of the week and session, and
lateness. Every figure is checked against the marks themselves (and `attend report`), for staff
and for governors, with its exports and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.core.exports import XLSX_TYPE
from attend.monitoring import selectors
from attend.monitoring.patterns import MOST_LATE, Patterns
from attend.registers.domain import Counts, percent_of, week_of
from attend.registers.models import Mark
from attend.registers.reports import Period
from tests.factories import make_upn
from tests.integration.monitoring.conftest import MonitoringLA
from tests.integration.scenario import report, school_days

pytestmark = pytest.mark.django_db

URN = "100001"
#: Last year: three school weeks. This year: 1 September 2025 is a closure week (every mark #),
#: so school week 1 is the week of 8 September 2025, against 2 September 2024.
LAST_YEAR = (dt.date(2024, 9, 2), dt.date(2024, 9, 20))
THIS_YEAR = (dt.date(2025, 9, 1), dt.date(2025, 9, 26))
CLOSED_WEEK = dt.date(2025, 9, 1)
ALIGNED = {
    dt.date(2025, 9, 8): (1, dt.date(2024, 9, 2)),
    dt.date(2025, 9, 15): (2, dt.date(2024, 9, 9)),
    dt.date(2025, 9, 22): (3, dt.date(2024, 9, 16)),
}
CODES = ["/", "/", "/", "/", "/", "/", "L", "L", "U", "I", "M", "N", "O", "B", "C", "G"]


def _load(la: MonitoringLA, pupils: int, *, seed: int = 4, first: int = 1) -> list[str]:
    """Pupils at 100001 with random marks over both years (minutes late on some L and U)."""
    rng = random.Random(seed)
    upns, pupil_rows, mark_rows = [], [], []
    for n in range(first, first + pupils):
        upn = make_upn(500 + n)
        upns.append(upn)
        pupil_rows.append(f"{upn},{URN},Late{n:03d},Pupil{n:03d},2015-01-01,2024-09-01,,1A")
        for start, end in (LAST_YEAR, THIS_YEAR):
            for day in school_days(start, end):
                for session in ("AM", "PM"):
                    code = "#" if week_of(day) == CLOSED_WEEK else rng.choice(CODES)
                    minutes = ""
                    if code in "LU" and rng.random() < 0.7:
                        minutes = str(rng.randint(1, 10) if code == "L" else rng.randint(31, 50))
                    mark_rows.append(f"{upn},{URN},{day},{session},{code},{minutes}")
    la.load("pupils", pupil_rows)
    la.load("marks", mark_rows)
    return upns


@pytest.fixture
def school(la: MonitoringLA):
    la.term(URN, "2024-09-02", "2024-12-20")
    _load(la, 14)
    la.pupils("100002", [{"U": 3}])  # another school's late marks are not counted
    return la.school(URN)


def _patterns(actor, school_id: int, period: Period) -> Patterns:
    patterns = selectors.school_dashboard_for(actor, school_id, period).patterns
    assert patterns is not None
    return patterns


def _marks(school, first: dt.date, last: dt.date) -> list[Mark]:
    return list(
        Mark.objects.filter(enrolment__school=school, date__gte=first, date__lte=last)
        .select_related("enrolment__pupil")
        .order_by("date")
    )


def _sessions(codes: list[str]) -> Counts:
    """The counts the session summary holds (no penalty count)."""
    return replace(Counts.of_codes(codes), penalty=0)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# -------------------------------------------------------------------------------------------------
# Figures
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-09-01", "2025-09-26"),  # whole weeks
        ("2025-09-10", "2025-09-24"),  # part-weeks at both ends: per date, still exact
        ("2025-08-01", "2025-09-17"),  # the year to a Wednesday
    ],
)
def test_days_and_sessions_equal_the_marks(la, school, start, end):
    office = la.member("office", school=school)
    period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    days = _patterns(office, school.pk, period).days

    codes: dict[tuple[int, str], list[str]] = defaultdict(list)
    minutes = 0
    for mark in _marks(school, period.start, period.end):
        codes[(mark.date.weekday(), mark.session)].append(mark.code)
        minutes += mark.minutes_late or 0
    assert [d.weekday for d in days.days] == [0, 1, 2, 3, 4]
    for row in days.days:
        am = _sessions(codes[(row.weekday, "AM")])
        pm = _sessions(codes[(row.weekday, "PM")])
        assert row.am.counts == am and row.pm.counts == pm
        assert row.day.counts == am + pm
        assert row.am.absence_rate == percent_of(am.absent, am.possible)
        assert row.day.late_rate == percent_of(am.late + pm.late, am.possible + pm.possible)
    for figures, session in zip(days.sessions, ("AM", "PM"), strict=True):
        expected = sum((_sessions(codes[(d, session)]) for d in range(5)), Counts())
        assert figures.counts == expected
    assert sum(s.late_minutes for s in days.sessions) == minutes

    # The sessions add up to `attend report` for the same period.
    (expected,) = [r for r in report("schools", "--as-of", end, "--from", start) if r["urn"] == URN]
    total = days.sessions[0].counts + days.sessions[1].counts
    assert total.possible == expected["possible_sessions"]
    assert total.authorised == expected["authorised_absence"]
    assert total.unauthorised == expected["unauthorised_absence"]
    assert _f(percent_of(total.absent, total.possible)) == expected["overall_absence_rate"]


@pytest.mark.parametrize(
    ("start", "end"), [("2025-09-01", "2025-09-26"), ("2025-09-10", "2025-09-24")]
)
def test_lateness_equals_the_marks_and_attend_report(la, school, start, end):
    office = la.member("office", school=school)
    period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    dashboard = selectors.school_dashboard_for(office, school.pk, period)
    assert dashboard.patterns is not None
    lateness = dashboard.patterns.lateness
    marks = _marks(school, period.start, period.end)

    (expected,) = [r for r in report("schools", "--as-of", end, "--from", start) if r["urn"] == URN]
    total = lateness.total
    assert total.before_close == expected["codes"]["L"] == sum(m.code == "L" for m in marks)
    assert total.after_close == expected["codes"]["U"] == sum(m.code == "U" for m in marks)
    assert total.possible == expected["possible_sessions"]
    assert total.minutes == sum(m.minutes_late or 0 for m in marks) > 0
    assert lateness.minutes_recorded

    # By week: the whole weeks of the dashboard, each from its marks.
    assert [w.week for w in lateness.weeks] == [w.week for w in dashboard.weeks]
    for week in lateness.weeks:
        in_week = _marks(school, week.week, week.week + dt.timedelta(days=6))
        counts = Counts.of_codes(m.code for m in in_week)
        assert week.figures.possible == counts.possible
        assert week.figures.before_close == sum(m.code == "L" for m in in_week)
        assert week.figures.after_close == sum(m.code == "U" for m in in_week)
        assert week.figures.minutes == sum(m.minutes_late or 0 for m in in_week)
        assert week.figures.after_close_rate == percent_of(
            week.figures.after_close, counts.possible
        )

    # The pupils most often late: by late sessions, then U, then name.
    per_pupil: dict[str, list] = {}
    for m in marks:
        pupil = m.enrolment.pupil
        entry = per_pupil.setdefault(pupil.upn, [0, 0, pupil.surname, pupil.forename])
        entry[0] += m.code == "L"
        entry[1] += m.code == "U"
    ranked = sorted(
        (v for v in per_pupil.values() if v[0] + v[1]),
        key=lambda v: (-(v[0] + v[1]), -v[1], v[2].casefold(), v[3].casefold()),
    )
    shown = lateness.pupils
    assert shown is not None
    assert len(shown) == min(MOST_LATE, len(ranked))
    assert [(p.figures.before_close, p.figures.after_close) for p in shown] == [
        (v[0], v[1]) for v in ranked[:MOST_LATE]
    ]
    assert [p.name for p in shown] == [f"{v[3]} {v[2]}" for v in ranked[:MOST_LATE]]
    assert lateness.pupils_late.count == len(ranked)


def test_weeks_against_last_year_follow_the_school_weeks(la, school):
    office = la.member("office", school=school)
    period = Period(*THIS_YEAR)
    rows = _patterns(office, school.pk, period).last_year.rows

    def absence(first: dt.date) -> Decimal | None:
        counts = Counts.of_codes(m.code for m in _marks(school, first, first + dt.timedelta(6)))
        return percent_of(counts.absent, counts.possible)

    # The closure week is no school week: it is left out, and numbering starts after it.
    assert {r.this_year.week: (r.number, r.last_year and r.last_year.week) for r in rows} == ALIGNED
    for r in rows:
        assert r.last_year is not None
        now, then = absence(r.this_year.week), absence(r.last_year.week)
        assert r.this_year.absence_rate == now and r.last_year.absence_rate == then
        assert now is not None and then is not None and r.difference == now - then
    # A period from the middle of the year keeps the year's numbering.
    later = _patterns(office, school.pk, Period(dt.date(2025, 9, 15), THIS_YEAR[1])).last_year
    assert [(r.number, r.last_year and r.last_year.week) for r in later.rows] == list(
        ALIGNED.values()
    )[1:]


def test_a_year_without_last_year_shows_no_figures_last_year(client, la):
    la.pupils(URN, [{"I": 2}, {"L": 3}])  # marks only in September 2025
    school = la.school(URN)
    client.force_login(la.member("office", school=school))
    response = client.get(
        reverse("school_dashboard", args=[school.pk]), {"from": "2025-09-01", "to": "2025-09-12"}
    )
    patterns = response.context["dashboard"].patterns
    assert [r.number for r in patterns.last_year.rows] == [1, 2]
    assert not patterns.last_year.any_last_year
    assert [s.label for s in patterns.last_year.chart.series] == ["This year"]
    html = response.content.decode()
    assert "No figures last year" in html
    assert not patterns.lateness.minutes_recorded and "Not recorded" in html


# -------------------------------------------------------------------------------------------------
# Pages, governors and exports
# -------------------------------------------------------------------------------------------------

PERIOD = {"from": THIS_YEAR[0].isoformat(), "to": THIS_YEAR[1].isoformat()}
TABLES = ("days", "sessions", "day_sessions", "lateness", "late_total", "late_pupils", "last_year")


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _sheet(response) -> list[list]:
    assert response["Content-Type"] == XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _same(value):
    """A cell as CSV or xlsx, comparable (CSV quotes negative numbers like formulas: '-1.5)."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.startswith("'-"):
        value = value[1:]
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


def test_the_page_shows_each_chart_with_its_table_and_a_contents_list(client, la, school):
    client.force_login(la.member("senior", school=school))
    response = client.get(reverse("school_dashboard", args=[school.pk]), PERIOD)
    html = response.content.decode()
    for anchor in ("headline", "categories", "reasons", "by-week", "last-year", "days", "lateness"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    patterns = response.context["dashboard"].patterns
    for chart in (patterns.days.chart, patterns.lateness.chart, patterns.last_year.chart):
        assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in html
        assert not chart.empty
    assert [s.label for s in patterns.last_year.chart.series] == ["This year", "Last year"]
    assert patterns.last_year.chart.categories == ["Week 1", "Week 2", "Week 3"]
    assert len(patterns.days.chart.rows) == 5  # Monday to Friday, AM and PM: the 10 cells
    for pupil in patterns.lateness.pupils:
        assert pupil.name in html
        assert reverse("pupil_register", args=[pupil.enrolment_id]) in html


def test_every_new_table_exports_to_csv_and_excel_with_the_same_figures(client, la, school):
    client.force_login(la.member("senior", school=school))
    url = reverse("school_dashboard", args=[school.pk])
    dashboard = client.get(url, PERIOD).context["dashboard"]
    patterns = dashboard.patterns
    for table in TABLES:
        as_csv = _rows(client.get(url, {**PERIOD, "format": "csv", "table": table}))
        sheet = _sheet(client.get(url, {**PERIOD, "format": "xlsx", "table": table}))
        assert sheet[0] == list(as_csv[0]), table
        assert len(sheet) - 1 == len(as_csv), table
        for sheet_row, csv_row in zip(sheet[1:], as_csv, strict=True):
            assert [_same(v) for v in sheet_row] == [_same(v) for v in csv_row.values()], table
    cells = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "day_sessions"}))
    assert [(r["day"], r["session"]) for r in cells][:2] == [("Monday", "AM"), ("Monday", "PM")]
    assert len(cells) == 10
    assert sum(int(r["possible_sessions"]) for r in cells) == dashboard.headline.possible_sessions
    weeks = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "last_year"}))
    assert [(w["school_week"], w["last_year_week_beginning"]) for w in weeks] == [
        (str(n), last.isoformat()) for n, last in ALIGNED.values()
    ]
    late = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "lateness"}))
    assert [int(r["late_after_close_u"]) for r in late] == [
        w.figures.after_close for w in patterns.lateness.weeks
    ]
    pupils = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "late_pupils"}))
    assert [r["upn"] for r in pupils] == [p.upn for p in patterns.lateness.pupils]


def test_governors_see_the_session_figures_but_no_late_pupil(client, la, school):
    client.force_login(la.member("governor", school=school))
    url = reverse("governors_view", args=[school.pk])
    response = client.get(url, PERIOD)
    html = response.content.decode()
    patterns = response.context["dashboard"].patterns
    assert patterns.lateness.pupils is None
    assert "Late0" not in html and "Pupil0" not in html
    assert "most often late" not in html
    assert client.get(url, {**PERIOD, "format": "csv", "table": "late_pupils"}).status_code == 404
    # Aggregates of sessions are shown as they are.
    staff = _patterns(la.member("office", school=school), school.pk, Period(*THIS_YEAR))
    assert patterns.days == staff.days
    assert patterns.last_year == staff.last_year
    assert patterns.lateness.weeks == staff.lateness.weeks
    assert patterns.lateness.pupils_late == staff.lateness.pupils_late  # 14 pupils: shown
    rows = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "days"}))
    assert [r["day"] for r in rows] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def test_a_small_count_of_late_pupils_is_withheld_from_governors(client, la):
    la.pupils(URN, [{"L": 1}, {"U": 2}, {}, {}, {}, {}])
    school = la.school(URN)
    client.force_login(la.member("governor", school=school))
    url = reverse("governors_view", args=[school.pk])
    response = client.get(url, {"from": "2025-09-01", "to": "2025-09-12"})
    late = response.context["dashboard"].patterns.lateness
    assert late.pupils_late.withheld and late.pupils_late.share is None
    assert "fewer than 5 pupils" in response.content.decode()
    total = {
        r["figure"]: r["value"]
        for r in _rows(
            client.get(
                url,
                {"from": "2025-09-01", "to": "2025-09-12", "format": "csv", "table": "late_total"},
            )
        )
    }
    assert total["pupils_late"] == "fewer than 5" and total["pupils_late_share"] == ""
    assert total["late_before_close_l"] == "1" and total["late_after_close_u"] == "2"


def _queries(client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "name"), [("office", "school_dashboard"), ("governor", "governors_view")]
)
def test_queries_do_not_grow_with_pupils_or_weeks(client, la, role, name):
    la.term(URN, "2024-09-02", "2024-12-20")
    _load(la, 3)
    school = la.school(URN)
    client.force_login(la.member(role, school=school))
    url = reverse(name, args=[school.pk])
    two_weeks = {"from": "2025-09-08", "to": "2025-09-19"}
    small = _queries(client, url, two_weeks)
    more_weeks = _queries(client, url, PERIOD)
    _load(la, 12, seed=9, first=100)
    more_pupils = _queries(client, url, PERIOD)
    assert small == more_weeks == more_pupils
