"""The governors' view's comparison: the LA's other same-phase schools (exact sums, equal to
`attend report`), the school's position, the national figures, suppression, exports and a fixed
number of queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.governors import selectors
from attend.reference.domain import Measure
from attend.registers.domain import percent_of
from attend.registers.reports import Period
from tests.integration.governors.conftest import GovernorsLA
from tests.integration.monitoring.conftest import FIRST, LAST, PERIOD
from tests.integration.scenario import report

pytestmark = pytest.mark.django_db

OTHERS = ("100002", "100004", "100005")


def _expected_group() -> dict[Measure, Decimal | None]:
    """The other primary schools' figures computed directly from `attend report`."""
    args = ("--as-of", LAST.isoformat(), "--from", FIRST.isoformat())
    schools = [r for r in report("schools", *args) if r["urn"] in OTHERS]
    pupils = [r for r in report("pupils", *args) if r["urn"] in OTHERS]
    assert len(schools) == 3 and len(pupils) == 18

    def total(key: str) -> int:
        return sum(r[key] for r in schools)

    possible = total("possible_sessions")
    attended = total("present_sessions") + total("aea_sessions")
    absent = total("authorised_absence") + total("unauthorised_absence")
    return {
        Measure.ATTENDANCE: percent_of(attended, possible),
        Measure.OVERALL_ABSENCE: percent_of(absent, possible),
        Measure.AUTHORISED_ABSENCE: percent_of(total("authorised_absence"), possible),
        Measure.UNAUTHORISED_ABSENCE: percent_of(total("unauthorised_absence"), possible),
        Measure.PERSISTENT_ABSENCE: percent_of(
            sum(r["persistent_absence"] for r in pupils), len(pupils)
        ),
        Measure.SEVERE_ABSENCE: None,  # 1 pupil: withheld
    }


def test_the_group_figures_equal_exact_sums_from_attend_report(gla: GovernorsLA) -> None:
    school = gla.school("100001")
    governor = gla.member("governor", school=school)
    comparison = selectors.comparison_for(governor, school.pk, Period(FIRST, LAST))
    assert comparison.group_shown and comparison.other_schools == 3
    expected = _expected_group()
    for row in comparison.rows:
        assert row.group == expected[row.measure], row.measure
    assert comparison.row(Measure.SEVERE_ABSENCE).group_withheld
    assert comparison.row(Measure.PERSISTENT_ABSENCE).group == Decimal("33.33")  # 6 of 18
    # Not the average of the schools' rates (which would be 44.44%).
    assert str(comparison.group_pupils) == "18"


def test_the_school_figures_are_the_governors_view_headline(gla: GovernorsLA, client) -> None:
    school = gla.school("100001")
    client.force_login(gla.member("governor", school=school))
    response = client.get(reverse("governors_view", args=[school.pk]), PERIOD)
    head = response.context["dashboard"].headline
    comparison = response.context["comparison"]
    attendance = comparison.row(Measure.ATTENDANCE)
    assert attendance.school == head.attendance_rate
    (mine,) = [
        r
        for r in report("schools", "--as-of", LAST.isoformat(), "--from", FIRST.isoformat())
        if r["urn"] == "100001"
    ]
    assert float(attendance.school) == mine["attendance_rate"]
    # 5 pupils persistently absent, but withheld with a small category (monitoring.domain).
    persistent = comparison.row(Measure.PERSISTENT_ABSENCE)
    assert persistent.school_withheld and persistent.school is None


def test_the_position_among_the_phase_is_given_without_naming_a_school(
    gla: GovernorsLA, client
) -> None:
    school = gla.school("100001")
    client.force_login(gla.member("governor", school=school))
    response = client.get(reverse("governors_view", args=[school.pk]), PERIOD)
    html = response.content.decode()
    args = ("--as-of", LAST.isoformat(), "--from", FIRST.isoformat())
    rates = {
        r["urn"]: r["attendance_rate"]
        for r in report("schools", *args)
        if r["urn"] in {"100001", *OTHERS}
    }
    place = 1 + sum(1 for urn, rate in rates.items() if rate > rates["100001"])
    ordinal = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}[place]
    assert f"{ordinal} of 4 primary schools by attendance (highest first)" in html
    assert "How the school compares" in html
    for urn in (*OTHERS, "100003", "999001"):
        assert f"School {urn}" not in html
    # The secondary school and the other LA's school are not in the group.
    assert "3 other primary schools in Demoshire" in html


def test_a_group_of_fewer_than_2_other_schools_is_not_shown(gla: GovernorsLA, client) -> None:
    school = gla.school("100003")  # the only secondary school
    client.force_login(gla.member("governor", school=school))
    response = client.get(reverse("governors_view", args=[school.pk]), PERIOD)
    comparison = response.context["comparison"]
    assert not comparison.group_shown and comparison.positions == []
    assert all(r.group is None for r in comparison.rows)
    html = response.content.decode()
    assert "A comparison needs at least 2 other schools" in html
    assert "by attendance" not in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("governors_view", args=[school.pk]),
                    {**PERIOD, "format": "csv", "table": "comparison"},
                ).content.decode()
            )
        )
    )
    assert {r["other_schools_of_the_phase_in_the_la"] for r in rows} == {
        "not shown: fewer than 2 other schools"
    }


def test_national_figures_are_shown_with_their_source_and_a_different_period_marked(
    gla: GovernorsLA, client
) -> None:
    school = gla.school("100001")
    client.force_login(gla.member("governor", school=school))
    response = client.get(reverse("governors_view", args=[school.pk]), PERIOD)
    comparison = response.context["comparison"]
    # Two weeks of autumn 2025/26: the nearest primary figure is 2025/26's year to date.
    absence = comparison.row(Measure.OVERALL_ABSENCE)
    assert absence.national is not None and absence.national.value == Decimal("5.28")
    assert absence.national.year_label == "2025/26" and not absence.national_same_period
    html = response.content.decode()
    assert "Different period" in html and "attendance-data-dashboard" in html
    assert "Year to date (snapshot 2026-07-23)" in html


def test_the_comparison_exports_to_csv_and_excel_with_suppression(gla: GovernorsLA, client) -> None:
    school = gla.school("100001")
    client.force_login(gla.member("governor", school=school))
    url = reverse("governors_view", args=[school.pk])
    response = client.get(url, {**PERIOD, "format": "csv", "table": "comparison"})
    assert response["Content-Type"].startswith("text/csv")
    rows = {r["measure"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    expected = _expected_group()
    assert rows["attendance"]["other_schools_of_the_phase_in_the_la"] == str(
        expected[Measure.ATTENDANCE]
    )
    assert rows["persistent_absence"]["this_school"] == "fewer than 5"
    assert rows["severe_absence"]["other_schools_of_the_phase_in_the_la"] == "fewer than 5"
    assert rows["overall_absence"]["national"] == "5.28"
    assert "attendance-data-dashboard" in rows["overall_absence"]["national_source"]
    response = client.get(url, {**PERIOD, "format": "xlsx", "table": "comparison"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "measure"
    persistent = next(v for v in values if v[0] == "persistent_absence")
    assert persistent[1] == "fewer than 5"


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, PERIOD).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_a_fixed_number_of_queries_however_many_schools(
    gla: GovernorsLA, client
) -> None:
    school = gla.school("100001")
    client.force_login(gla.member("governor", school=school))
    url = reverse("governors_view", args=[school.pk])
    _count_queries(client, url)  # warm the session
    before = _count_queries(client, url)
    urns = [f"1001{n:02d}" for n in range(10, 16)]
    gla.load("schools", [f"{u},School {u},938,Demoshire,primary" for u in urns])
    for urn in urns:
        gla.pupils(urn, [{}, {"I": 3}, {"O": 1}, {}, {}])
    assert (
        selectors.comparison_for(
            gla.member("governor", school=school), school.pk, Period(FIRST, LAST)
        ).other_schools
        == 9
    )
    assert _count_queries(client, url) == before
