"""Cohorts on the dashboard and the governors' view: the figures of each cohort and its gap equal a
direct computation from `attend report pupils`; characteristics and flags are those in force at
the period's end; small cohorts are withheld on the governors' page and its exports; the page
reads a fixed number of queries whatever the number of pupils."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.monitoring import cohorts, selectors
from attend.monitoring.cohorts_domain import gap_points
from attend.monitoring.priorities import ANXIETY_FLAG
from attend.organisations.models import RegistrationGroup
from attend.pupils import flags
from attend.pupils.models import Characteristic, Enrolment, Flag, Pupil
from attend.registers.domain import percent_of
from attend.registers.reports import Period
from tests.integration.monitoring.conftest import FIRST, LAST, PERIOD, MonitoringLA
from tests.integration.scenario import report

pytestmark = pytest.mark.django_db

N = 24
#: Year groups: 12 in year 1, 9 in year 2, 3 in year 3 (small).
YEARS = ["1"] * 12 + ["2"] * 9 + ["3"] * 3
FSM = {i for i in range(N) if i % 3 == 0}  # 8 pupils
PP = FSM | {1, 2}  # 10: FSM inside pupil premium, 2 pupils between them
#: EHC plan in force on the last day: 1-5 (0's ended within the period, 6's starts after it).
EHCP = {1, 2, 3, 4, 5}
ANXIOUS = {0, 1, 2, 7, 8, 9, 10}  # in force on the last day (11's flag ended before)


def _pattern(i: int) -> dict[str, int]:
    return [{"I": 4}, {}, {"O": 1}, {"N": 11}][i % 4]


def _setup(la: MonitoringLA, urn: str = "100001", n: int = N, offset: int = 0) -> list[str]:
    upns = la.pupils(urn, [_pattern(i) for i in range(n)])
    school = la.school(urn)
    groups = {
        y: RegistrationGroup.objects.get_or_create(school=school, name=f"{y}X")[0] for y in "123"
    }
    on = dt.date(2025, 9, 1)
    for i, upn in enumerate(upns):
        i += offset
        pupil = Pupil.objects.get(upn=upn)
        pupil.gender = "F" if i % 2 == 0 else "M"
        pupil.ethnicity = "WBRI" if i < 18 else "AIND"
        pupil.save()
        year = YEARS[i % N]
        Enrolment.objects.filter(pupil=pupil).update(
            year_group=year, registration_group=groups[year]
        )

        def char(kind: str, value: str, day: dt.date = on, p: Pupil = pupil) -> None:
            Characteristic.objects.update_or_create(
                pupil=p, kind=kind, applies_from=day, defaults={"value": value}
            )

        char("fsm", "Y" if i in FSM else "N")
        char("pupil_premium", "Y" if i in PP else "N")
        if i in {0, 1, 2, 3, 4, 5}:
            char("sen_status", "E")
        if i == 0:
            char("sen_status", "N", dt.date(2025, 9, 10))
        if i == 6:
            char("sen_status", "E", dt.date(2025, 9, 15))
    return upns


def _flag_pupils(la: MonitoringLA, upns: list[str]) -> Flag:
    school = la.school("100001")
    office = la.member("office", school=school)
    flag = Flag.objects.get(local_authority=school.local_authority, name=ANXIETY_FLAG)
    flags.pupil_flags_add(
        actor=office,
        school_id=school.pk,
        flag_id=flag.pk,
        upns=[upns[i] for i in sorted(ANXIOUS | {11})],
        start=FIRST,
    )
    eleven = flag.pupil_flags.get(pupil__upn=upns[11])
    flags.pupil_flag_end(
        actor=office,
        school_id=school.pk,
        flag_id=flag.pk,
        pupil_flag_id=eleven.pk,
        end=dt.date(2025, 9, 5),
    )
    return flag


@pytest.fixture
def upns(la: MonitoringLA) -> list[str]:
    found = _setup(la)
    _flag_pupils(la, found)
    la.pupils("100002", [{}, {"I": 2}])  # another school's pupils are never in the cohorts
    return found


def _expected(upns: list[str], members: set[int]) -> dict[str, object]:
    """A cohort's figures from the pupils report: rates and gaps from the session counts."""
    rows = {
        r["upn"]: r
        for r in report(
            "pupils", "--as-of", LAST.isoformat(), "--from", FIRST.isoformat(), "--urn", "100001"
        )
    }
    mine = [rows[upns[i]] for i in members]
    rest = [rows[upns[i]] for i in range(N) if i not in members]

    def absent(rs):
        return sum(r["authorised_absence"] + r["unauthorised_absence"] for r in rs)

    def possible(rs):
        return sum(r["possible_sessions"] for r in rs)

    def pa(rs):
        return sum(r["persistent_absence"] for r in rs)

    return {
        "pupils": len(mine),
        "absence_rate": percent_of(absent(mine), possible(mine)),
        "rest_absence_rate": percent_of(absent(rest), possible(rest)),
        "attendance_rate": percent_of(sum(r["attended_sessions"] for r in mine), possible(mine)),
        "persistent_rate": percent_of(pa(mine), len(mine)),
        "severe_rate": percent_of(sum(r["severe_absence"] for r in mine), len(mine)),
        "absence_gap": gap_points(
            Fraction(absent(mine), possible(mine)), Fraction(absent(rest), possible(rest))
        ),
        "persistent_gap": gap_points(Fraction(pa(mine), len(mine)), Fraction(pa(rest), len(rest))),
    }


def _table(la: MonitoringLA, role: str, *, governors: bool = False) -> cohorts.CohortTable:
    user = la.member(role, school=la.school("100001"))
    dashboard = selectors.school_dashboard_for(
        user, la.school("100001").pk, Period(FIRST, LAST), aggregates_only=governors
    )
    return cohorts.cohort_table_for(dashboard)


def _row(table: cohorts.CohortTable, key: str) -> cohorts.CohortRow:
    return next(r for r in table.rows if str(r.key) == key)


def test_cohort_figures_equal_the_pupils_report(la, upns):
    table = _table(la, "office")
    assert table.total == N and not table.suppressed
    flag = Flag.objects.get(name=ANXIETY_FLAG)
    cases = {
        "year_group:1": set(range(12)),
        "year_group:3": {21, 22, 23},
        "registration_group:2X": set(range(12, 21)),
        "gender:F": {i for i in range(N) if i % 2 == 0},
        "ethnicity:AIND": set(range(18, N)),
        "disadvantage:fsm": FSM,
        "disadvantage:pupil_premium": PP,
        "needs:ehcp": EHCP,
        f"flags:{flag.pk}": ANXIOUS,
    }
    for key, members in cases.items():
        row = _row(table, key)
        expected = _expected(upns, members)
        got = {name: getattr(row, name) for name in expected if name != "pupils"}
        got["pupils"] = row.pupils.count
        assert got == expected, key
    assert _row(table, "needs:sen_support").pupils.count == 0
    # The sections come in order, and each partition adds up to the school.
    assert [s.group.value for s in table.sections] == [
        "year_group",
        "registration_group",
        "gender",
        "needs",
        "disadvantage",
        "care",
        "ethnicity",
        "flags",
    ]
    for section in table.sections[:3]:
        assert sum(r.pupils.count or 0 for r in section.rows) == N


def test_gaps_are_cohort_minus_the_rest(la, upns):
    table = _table(la, "office")
    female, male = _row(table, "gender:F"), _row(table, "gender:M")
    assert female.absence_gap is not None and male.absence_gap is not None
    assert female.absence_gap == -male.absence_gap
    assert female.absence_rate == male.rest_absence_rate
    # Year 3: pupils 21-23 (patterns 1, 2, 3: present, one O, eleven N).
    y3 = _row(table, "year_group:3")
    assert y3.absence_rate == percent_of(12, 60)


def test_governors_see_no_small_cohort(la, upns):
    table = _table(la, "governor", governors=True)
    assert table.suppressed
    withheld = {str(r.key) for r in table.rows if r.withheld}
    # Year 3 (3 pupils) and, with it, the next smallest year group; FSM lies inside pupil premium
    # with 2 pupils between them; the empty cohorts; a flag's pupils are 7.
    assert {"year_group:3", "year_group:2", "registration_group:3X"} <= withheld
    assert "disadvantage:fsm" in withheld and "disadvantage:pupil_premium" not in withheld
    assert "needs:sen_support" in withheld and "care:looked_after" in withheld
    assert "year_group:1" not in withheld
    for row in table.rows:
        if row.withheld:
            assert str(row.pupils) == "fewer than 5"
            assert row.rest_pupils is None
            figures = (
                row.attendance_rate,
                row.absence_rate,
                row.rest_absence_rate,
                row.absence_gap,
            )
            assert figures == (None, None, None, None)
            assert (row.persistent_rate, row.severe_rate, row.persistent_gap) == (None,) * 3
        else:
            assert row.pupils.count is not None and row.pupils.count >= 5
            assert N - row.pupils.count >= 5


def test_governors_page_and_exports_withhold_small_cohorts(client, la, upns):
    school = la.school("100001")
    client.force_login(la.member("governor", school=school))
    url = reverse("governors_view", args=[school.pk])
    html = client.get(url, PERIOD).content.decode()
    assert "Cohorts against all other pupils" in html
    start = html.index('data-cohort="year_group:3"')
    row = html[start : html.index("</tr>", start)]
    assert "fewer than 5" in row and "%" not in row

    response = client.get(url, {**PERIOD, "format": "csv", "table": "cohorts"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_label = {r["cohort"]: r for r in rows}
    year3 = by_label["Year 3"]
    assert year3["pupils"] == "fewer than 5"
    assert {v for k, v in year3.items() if k not in ("kind", "cohort", "pupils")} == {""}
    assert by_label["Year 1"]["pupils"] == "12"

    response = client.get(url, {**PERIOD, "format": "xlsx", "table": "cohorts"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Year 3"][2] == "fewer than 5" and values["Year 3"][5] is None
    assert values["Year 1"][2] == 12


def test_staff_dashboard_shows_every_cohort_and_exports_it(client, la, upns):
    school = la.school("100001")
    client.force_login(la.member("office", school=school))
    url = reverse("school_dashboard", args=[school.pk])
    html = client.get(url, PERIOD).content.decode()
    assert 'id="cohorts-chart"' in html and "Anxiety or school phobia" in html
    response = client.get(url, {**PERIOD, "format": "csv", "table": "cohorts"})
    rows = {r["cohort"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    table = _table(la, "office")
    y3 = _row(table, "year_group:3")
    assert rows["Year 3"]["pupils"] == "3"
    assert Decimal(rows["Year 3"]["overall_absence_rate"]) == y3.absence_rate
    assert Decimal(rows["Year 3"]["overall_absence_gap_points"]) == y3.absence_gap


def test_the_dashboard_reads_a_fixed_number_of_queries(client, la):
    school = la.school("100001")
    _setup(la, n=12)
    office = la.member("office", school=school)
    client.force_login(office)
    url = reverse("school_dashboard", args=[school.pk])
    client.get(url, PERIOD)  # warm up (sessions, scope)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, PERIOD).status_code == 200
    _setup(la, n=12, offset=12)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url, PERIOD).status_code == 200
    assert len(more) == len(few)
