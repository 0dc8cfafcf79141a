"""The LA overview: every school in scope with the same figures as `attend report schools`,
filtered by phase, sorted by any column, a fixed number of queries, and 404 for school users."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.organisations.models import LocalAuthority, Trust
from tests.integration.monitoring.conftest import LAST, PERIOD, MonitoringLA
from tests.integration.scenario import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(la: MonitoringLA):
    la.pupils("100001", [{}, {}, {}, {}, {}, {"I": 2}, {"G": 10}])  # 7 pupils
    la.pupils("100002", [{"O": 4}, {}])  # 2 pupils: counts withheld for LA administrators
    la.pupils("100003", [{"I": 1}, {"N": 9}, {}, {}, {}, {}])  # 6 pupils, secondary
    return la


def _officer(la: MonitoringLA):
    return la.member("la_officer", local_authority=LocalAuthority.objects.get(code="938"))


def test_every_school_with_the_figures_of_attend_report(client, schools):
    client.force_login(_officer(schools))
    response = client.get(reverse("la_overview"), PERIOD)
    assert response.status_code == 200
    rows = {r.urn: r for r in response.context["rows"]}
    expected = {
        r["urn"]: r
        for r in report("schools", "--as-of", LAST.isoformat(), "--from", PERIOD["from"])
    }
    assert set(rows) == {"100001", "100002", "100003"}
    pupils = report("pupils", "--as-of", LAST.isoformat(), "--from", PERIOD["from"])
    for urn, row in rows.items():
        assert row.enrolments.count == expected[urn]["enrolments"]
        assert float(row.attendance_rate) == expected[urn]["attendance_rate"]
        assert float(row.overall_absence_rate) == expected[urn]["overall_absence_rate"]
        assert float(row.persistent_absence.share) == expected[urn]["persistent_absence_rate"]
        assert float(row.severe_absence.share) == expected[urn]["severe_absence_rate"]
        in_school = [p["category"] for p in pupils if p["urn"] == urn]
        assert [c.count for c in row.categories] == [
            in_school.count(category)
            for category in (
                "expected",
                "at_risk_of_persistent",
                "persistent",
                "at_risk_of_severe",
                "severe",
            )
        ]
    html = response.content.decode()
    school = schools.school("100001")
    assert (
        reverse("school_dashboard", args=[school.pk]) + "?from=2025-09-01&amp;to=2025-09-12" in html
    )


def test_filter_by_phase_and_sort_by_any_column(client, schools):
    client.force_login(_officer(schools))
    url = reverse("la_overview")
    response = client.get(url, {**PERIOD, "phase": "secondary"})
    assert [r.urn for r in response.context["rows"]] == ["100003"]
    response = client.get(url, {**PERIOD, "sort": "attendance", "order": "desc"})
    rates = [r.attendance_rate for r in response.context["rows"]]
    assert rates == sorted(rates, reverse=True)
    response = client.get(url, {**PERIOD, "sort": "enrolments"})
    assert [r.urn for r in response.context["rows"]] == ["100002", "100003", "100001"]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    for key in ("name", "phase", "persistent", "severe", "category_expected", "category_severe"):
        assert client.get(url, {**PERIOD, "sort": key}).status_code == 200
    # An unknown sort key or phase falls back to the default.
    response = client.get(url, {**PERIOD, "sort": "nope", "phase": "nope"})
    assert [r.name for r in response.context["rows"]] == [
        "School 100001",
        "School 100002",
        "School 100003",
    ]


def test_csv_export(client, schools):
    client.force_login(_officer(schools))
    response = client.get(reverse("la_overview"), {**PERIOD, "phase": "primary", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["urn"] for r in rows] == ["100001", "100002"]
    assert rows[0]["enrolments"] == "7" and rows[0]["expected"] == "5"
    assert rows[1]["persistent"] == "1"  # an LA officer sees pupils: nothing withheld


def test_la_administrator_sees_small_counts_withheld(client, schools):
    admin = schools.member("la_admin", local_authority=LocalAuthority.objects.get(code="938"))
    client.force_login(admin)
    response = client.get(reverse("la_overview"), PERIOD)
    rows = {r.urn: r for r in response.context["rows"]}
    assert str(rows["100002"].enrolments) == "fewer than 5"
    assert rows["100001"].enrolments.count == 7
    assert rows["100001"].persistent_absence.withheld
    assert "fewer than 5" in response.content.decode()
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("la_overview"), {**PERIOD, "format": "csv"}).content.decode()
            )
        )
    )
    assert {r["urn"]: r["enrolments"] for r in csv_rows}["100002"] == "fewer than 5"


def test_a_trust_lead_sees_the_trusts_schools_only(client, schools):
    trust = Trust.objects.create(name="Trust", companies_house_number="01234567")
    school = schools.school("100003")
    school.trust = trust
    school.save()
    client.force_login(schools.member("trust_lead", trust=trust))
    response = client.get(reverse("la_overview"), PERIOD)
    assert [r.urn for r in response.context["rows"]] == ["100003"]
    other = schools.school("100001")
    assert client.get(reverse("school_dashboard", args=[other.pk])).status_code == 404
    assert client.get(reverse("school_dashboard", args=[school.pk])).status_code == 200


def test_school_users_and_another_las_officer(client, schools):
    client.force_login(schools.member("office", school=schools.school("100001")))
    assert client.get(reverse("la_overview")).status_code == 404
    elsewhere = LocalAuthority.objects.create(code="888", name="Elsewhere")
    client.force_login(schools.member("la_officer", local_authority=elsewhere))
    response = client.get(reverse("la_overview"), PERIOD)
    assert response.context["rows"] == []
    school = schools.school("100001")
    assert client.get(reverse("school_dashboard", args=[school.pk])).status_code == 404


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("la_overview"), params).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_schools_or_pupils(
    client, la, django_assert_max_num_queries
):
    la.pupils("100001", [{}, {"I": 2}, {"O": 4}, {"G": 10}, {"N": 9}])
    client.force_login(_officer(la))
    # The schools only: the LA's priorities have their own page (test_priorities).
    with django_assert_max_num_queries(15):
        small = _queries(client, PERIOD)
    la.pupils("100002", [{"I": n % 7} for n in range(20)])
    la.pupils("100003", [{"O": n % 5} for n in range(15)])
    with django_assert_max_num_queries(15):
        large = _queries(client, PERIOD)
    assert large == small
