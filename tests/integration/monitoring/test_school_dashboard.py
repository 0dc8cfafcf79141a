"""The school dashboard, its category lists and the governors' view: the same figures as
`attend report`, the pupils behind each number, suppression, CSV and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.accounts.models import User
from attend.core.exports import XLSX_TYPE
from attend.monitoring import selectors
from attend.registers.domain import AttendanceCategory
from attend.registers.reports import Period
from tests.integration.monitoring.conftest import LAST, PERIOD, MonitoringLA
from tests.integration.scenario import report

pytestmark = pytest.mark.django_db

#: 12 pupils at 100001: 7 expected, 3 persistent, 1 at risk of severe, 1 severe; 5 in persistent
#: absence (10% or more absent), 1 in severe absence.
PATTERNS: list[dict[str, int]] = [
    {},
    {},
    {},
    {},
    {"I": 1},
    {"I": 1},
    {"V": 2, "#": 2},
    {"I": 2},
    {"O": 4},
    {"U": 1, "I": 1},
    {"N": 9},
    {"G": 10},
]


@pytest.fixture
def school(la: MonitoringLA):
    la.pupils("100001", PATTERNS)
    la.pupils("100002", [{}, {"I": 4}])
    return la.school("100001")


def _user(la: MonitoringLA, role: str, school) -> User:
    return la.member(role, school=school)


def _rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-09-01", "2025-09-12"),  # whole weeks
        ("2025-09-03", "2025-09-09"),  # part-weeks at both ends, read from the marks
        ("2025-08-01", "2025-09-10"),  # the start of the academic year, ending mid-week
    ],
)
def test_figures_equal_attend_report(la, school, start, end):
    office = _user(la, "office", school)
    period = Period.of(dt.date.fromisoformat(end), dt.date.fromisoformat(start))
    dashboard = selectors.school_dashboard_for(office, school.pk, period)

    (expected,) = [
        r for r in report("schools", "--as-of", end, "--from", start) if r["urn"] == "100001"
    ]
    head = dashboard.headline
    assert head.enrolments.count == expected["enrolments"]
    assert head.possible_sessions == expected["possible_sessions"]
    assert head.present_sessions == expected["present_sessions"]
    assert head.aea_sessions == expected["aea_sessions"]
    assert head.authorised_absence == expected["authorised_absence"]
    assert head.unauthorised_absence == expected["unauthorised_absence"]
    assert _f(head.attendance_rate) == expected["attendance_rate"]
    assert _f(head.overall_absence_rate) == expected["overall_absence_rate"]
    assert _f(head.authorised_absence_rate) == expected["authorised_absence_rate"]
    assert _f(head.unauthorised_absence_rate) == expected["unauthorised_absence_rate"]
    assert _f(head.persistent_absence.share) == expected["persistent_absence_rate"]
    assert _f(head.severe_absence.share) == expected["severe_absence_rate"]
    assert {r.code: r.sessions for r in dashboard.reasons} == expected["codes"]

    pupils = report("pupils", "--as-of", end, "--from", start, "--urn", "100001")
    by_category: dict[str, set[str]] = defaultdict(set)
    for row in pupils:
        by_category[row["category"]].add(row["upn"])
    for row in dashboard.categories:
        assert row.cohort.count == len(by_category[row.category.value])
        assert {p.upn for p in row.pupils or []} == by_category[row.category.value]
    assert sum(r.cohort.count or 0 for r in dashboard.categories) == len(pupils)


def test_dashboard_page_shows_the_figures_and_links_each_count_to_its_pupils(client, la, school):
    office = _user(la, "office", school)
    client.force_login(office)
    response = client.get(reverse("school_dashboard", args=[school.pk]), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Headline figures" in html and "The five attendance categories" in html
    assert "Sessions by code" in html and "By week" in html
    url = reverse("school_category", args=[school.pk, "persistent"])
    assert f'href="{url}?from=2025-09-01&amp;to=2025-09-12"' in html
    # PA: 5 of 12 pupils; SA: 1 of 12.
    assert "41.67% (5 pupils)" in html
    assert "8.33% (1 pupil)" in html


def test_category_page_lists_exactly_the_pupils_of_the_category(client, la, school):
    office = _user(la, "office", school)
    client.force_login(office)
    url = reverse("school_category", args=[school.pk, "persistent"])
    response = client.get(url, PERIOD)
    assert response.status_code == 200
    expected = {
        r["upn"]
        for r in report("pupils", "--as-of", LAST.isoformat(), "--urn", "100001")
        if r["category"] == "persistent"
    }
    html = response.content.decode()
    assert all(upn in html for upn in expected)
    assert len(expected) == 3
    assert reverse("pupil_page", args=[response.context["row"].pupils[0].enrolment_id]) in html
    rows = _rows(client.get(url, {**PERIOD, "format": "csv"}))
    assert {r["upn"] for r in rows} == expected
    assert {r["category"] for r in rows} == {"persistent"}
    assert all(r["persistent_absence"] == "true" for r in rows)


def test_governor_sees_aggregates_only_with_small_counts_withheld(client, la, school):
    governor = _user(la, "governor", school)
    client.force_login(governor)
    for name in ("governors_view", "school_dashboard"):
        response = client.get(reverse(name, args=[school.pk]), PERIOD)
        assert response.status_code == 200
        html = response.content.decode()
        for upn in report("pupils", "--as-of", LAST.isoformat()):
            assert upn["upn"] not in html
        assert "Surname0" not in html and "Forename0" not in html
        assert reverse("school_category", args=[school.pk, "persistent"]) not in html
        assert "fewer than 5" in html
        dashboard = response.context["dashboard"]
        assert dashboard.suppressed and not dashboard.named
        counts = {r.category: r.cohort for r in dashboard.categories}
        assert counts[AttendanceCategory.EXPECTED].count == 7
        assert str(counts[AttendanceCategory.PERSISTENT]) == "fewer than 5"
        assert counts[AttendanceCategory.PERSISTENT].share is None
        assert all(r.pupils is None for r in dashboard.categories)
        # No withheld count can be worked out from the total and the others.
        shown = [r.cohort.count for r in dashboard.categories if not r.cohort.withheld]
        assert len(shown) <= len(dashboard.categories) - 2 or len(shown) == 5
        head = dashboard.headline
        # 5 pupils are persistently absent, but that is the sum of withheld categories: withheld.
        assert head.persistent_absence.withheld and head.persistent_absence.share is None
        assert head.severe_absence.withheld and head.severe_absence.share is None
    rows = _rows(
        client.get(
            reverse("governors_view", args=[school.pk]),
            {**PERIOD, "format": "csv", "table": "categories"},
        )
    )
    assert {r["category"]: r["pupils"] for r in rows}["persistent"] == "fewer than 5"
    assert {r["category"]: r["share"] for r in rows}["persistent"] == ""
    # The governor may not open a category list.
    url = reverse("school_category", args=[school.pk, "persistent"])
    assert client.get(url, PERIOD).status_code == 404


def test_staff_see_the_governors_view_as_governors_do(client, la, school):
    client.force_login(_user(la, "office", school))
    response = client.get(reverse("governors_view", args=[school.pk]), PERIOD)
    assert response.status_code == 200
    assert response.context["dashboard"].suppressed
    assert "Surname0" not in response.content.decode()


def test_every_table_exports_to_csv(client, la, school):
    client.force_login(_user(la, "senior", school))
    url = reverse("school_dashboard", args=[school.pk])
    headline = {
        r["figure"]: r["value"]
        for r in _rows(client.get(url, {**PERIOD, "format": "csv", "table": "headline"}))
    }
    assert headline["enrolments"] == "12"
    assert headline["persistent_absence_rate"] == "41.67"
    categories = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "categories"}))
    assert [r["category"] for r in categories] == [c.value for c in AttendanceCategory]
    assert {r["category"]: r["pupils"] for r in categories}["expected"] == "7"
    reasons = {
        r["code"]: r
        for r in _rows(client.get(url, {**PERIOD, "format": "csv", "table": "reasons"}))
    }
    assert reasons["G"]["sessions"] == "10" and reasons["G"]["counted_as"] == "Unauthorised absence"
    assert reasons["#"]["share_of_possible"] == ""
    weeks = _rows(client.get(url, {**PERIOD, "format": "csv", "table": "weeks"}))
    assert [w["week_beginning"] for w in weeks] == ["2025-09-01", "2025-09-08"]
    assert sum(int(w["possible_sessions"]) for w in weeks) == int(headline["possible_sessions"])
    assert client.get(url, {**PERIOD, "format": "csv", "table": "nope"}).status_code == 404


def test_out_of_scope_schools_and_unknown_categories_are_404(client, la, school):
    other = la.school("100002")
    client.force_login(_user(la, "office", other))
    for name in ("school_dashboard", "governors_view"):
        assert client.get(reverse(name, args=[school.pk])).status_code == 404
    assert client.get(reverse("school_category", args=[school.pk, "severe"])).status_code == 404
    assert client.get(reverse("school_dashboard", args=[99999])).status_code == 404
    assert client.get(f"/schools/{other.pk}/dashboard/category/bogus/").status_code == 404


def test_the_period_defaults_to_the_year_to_date_and_a_bad_one_is_refused(client, la, school):
    client.force_login(_user(la, "office", school))
    url = reverse("school_dashboard", args=[school.pk])
    response = client.get(url)
    period = response.context["period"]
    assert period.start.month == 8 and period.start.day == 1
    response = client.get(url, {"from": "2025-09-12", "to": "2025-09-01"})
    assert response.status_code == 400
    assert "The start date must be on or before the end date" in response.content.decode()
    response = client.get(url, {"from": "12/09/2025"})
    assert response.status_code == 400
    assert "Enter a date in the form YYYY-MM-DD" in response.content.decode()


def _queries(client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "name", "args", "limit"),
    [
        # + 4 for the cohorts (enrolments, characteristics, pupils' flags, the flags)
        ("office", "school_dashboard", [], 18),
        ("office", "school_category", ["persistent"], 14),
        # + the comparison with the LA's schools, national figures and reports (attend.governors)
        ("governor", "governors_view", [], 25),
    ],
)
def test_query_count_does_not_grow_with_the_number_of_pupils(
    client, la, role, name, args, limit, django_assert_max_num_queries
):
    la.pupils("100001", [{}, {"I": 2}, {"O": 4}, {"G": 10}, {"N": 9}])
    school = la.school("100001")
    client.force_login(_user(la, role, school))
    url = reverse(name, args=[school.pk, *args])
    with django_assert_max_num_queries(limit):
        small = _queries(client, url, PERIOD)
    la.pupils("100001", [{"I": n % 7, "O": n % 3} for n in range(35)])
    with django_assert_max_num_queries(limit):
        large = _queries(client, url, PERIOD)
    assert large == small
    # Part-weeks at the ends read the marks: still a fixed number.
    cut = {"from": "2025-09-03", "to": "2025-09-09"}
    assert _queries(client, url, cut) <= limit


def test_home_links_to_the_figures_each_role_may_read(client, la, school):
    client.force_login(_user(la, "office", school))
    html = client.get(reverse("home")).content.decode()
    assert reverse("school_dashboard", args=[school.pk]) in html
    assert reverse("governors_view", args=[school.pk]) in html
    assert reverse("la_overview") not in html
    client.force_login(_user(la, "governor", school))
    html = client.get(reverse("home")).content.decode()
    assert reverse("school_dashboard", args=[school.pk]) not in html
    assert reverse("governors_view", args=[school.pk]) in html
    client.force_login(la.member("la_officer", local_authority=school.local_authority))
    html = client.get(reverse("home")).content.decode()
    assert reverse("la_overview") in html


def test_a_category_list_seen_from_outside_the_school_is_audited_per_pupil(la, client):
    from attend.audit.models import AuditEvent

    school = la.school("100001")
    upns = la.pupils("100001", [{"I": 2}, {"O": 3}, {}])  # two persistent absentees
    url = reverse("school_category", args=[school.pk, "persistent"])
    office = la.member("office", school=school)
    client.force_login(office)
    assert client.get(url, PERIOD).status_code == 200
    assert not AuditEvent.objects.filter(action="pupil.view").exists()  # inside the school
    officer = la.member("la_officer", local_authority=school.local_authority)
    client.force_login(officer)
    assert client.get(url, PERIOD).status_code == 200
    events = AuditEvent.objects.filter(action="pupil.view", actor=officer)
    assert sorted(events.values_list("pupil_upn", flat=True)) == sorted(upns[:2])


def _sheet(response):
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _same(value):
    """A cell as CSV or xlsx, comparable: numbers as Decimal, blanks as None."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


def test_every_table_exports_to_excel_with_the_csv_figures(client, la, school):
    client.force_login(_user(la, "senior", school))
    url = reverse("school_dashboard", args=[school.pk])
    for table in ("headline", "categories", "reasons", "weeks"):
        as_csv = _rows(client.get(url, {**PERIOD, "format": "csv", "table": table}))
        rows = _sheet(client.get(url, {**PERIOD, "format": "xlsx", "table": table}))
        header, body = rows[0], rows[1:]
        assert header == list(as_csv[0])
        assert len(body) == len(as_csv)
        for sheet_row, csv_row in zip(body, as_csv, strict=True):
            assert [_same(v) for v in sheet_row] == [_same(v) for v in csv_row.values()], table
    # Numbers stay numbers in Excel.
    categories = _sheet(client.get(url, {**PERIOD, "format": "xlsx", "table": "categories"}))
    assert categories[1][2] == 7


def test_governors_excel_export_withholds_small_counts(client, la, school):
    client.force_login(_user(la, "governor", school))
    url = reverse("governors_view", args=[school.pk])
    rows = _sheet(client.get(url, {**PERIOD, "format": "xlsx", "table": "categories"}))
    pupils = {row[0]: row[2] for row in rows[1:]}
    assert "fewer than 5" in pupils.values()
    assert all(isinstance(v, int) and v >= 5 or v == "fewer than 5" for v in pupils.values())


def test_the_weeks_chart_has_its_numbers_beside_it(client, la, school):
    client.force_login(_user(la, "senior", school))
    response = client.get(reverse("school_dashboard", args=[school.pk]), PERIOD)
    html = response.content.decode()
    chart = response.context["dashboard"].weeks_chart
    assert 'role="img"' in html and 'aria-labelledby="weeks-chart-title weeks-chart-desc"' in html
    for week, (_, values) in zip(response.context["dashboard"].weeks, chart.rows, strict=True):
        assert values == [week.attendance_rate]
        assert f"{week.attendance_rate}%" in html
