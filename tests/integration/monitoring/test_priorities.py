"""The LA's priorities: the seven defaults for every new LA, their values on the overview equal a
direct computation from `attend report pupils`, their trend by half term, suppression under 5
pupils, a fixed number of queries whatever the number of schools, and editing by LA admins."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.monitoring import priorities
from attend.monitoring.models import Priority, PriorityMeasure
from attend.organisations.models import LocalAuthority
from attend.pupils import flags
from attend.pupils.models import Characteristic, Flag, Pupil
from attend.registers.domain import percent_of
from attend.registers.reports import Period
from tests.integration.monitoring.conftest import FIRST, LAST, PERIOD, MonitoringLA
from tests.integration.scenario import report

pytestmark = pytest.mark.django_db

PATTERNS = [{"I": 4}, {}, {"O": 1}, {"N": 11}, {"I": 1}, {}, {"G": 3}, {"I": 2}]


@pytest.fixture
def area(la: MonitoringLA):
    la.load("schools", ["100004,School 100004,938,Demoshire,special"])
    la.term("100004", "2025-09-01", "2025-12-19")
    main = la.pupils("100001", PATTERNS)
    other = la.pupils("100003", PATTERNS[:4])
    special = la.pupils("100004", [{"I": 2}, {}, {"N": 4}, {}, {"O": 1}, {}])
    on = dt.date(2025, 9, 1)

    def char(upn: str, kind: str, value: str, day: dt.date = on) -> None:
        Characteristic.objects.create(
            pupil=Pupil.objects.get(upn=upn), kind=kind, value=value, applies_from=day
        )

    ehcp = main[:4] + other[:2]  # 6 pupils in two schools
    for upn in ehcp:
        char(upn, "sen_status", "E")
    char(main[4], "sen_status", "E", dt.date(2025, 9, 20))  # after the period: not counted
    for upn in main[:3]:
        char(upn, "cin_plan", "Y")  # 3: withheld
    for upn in main[:5] + other[:1]:
        char(upn, "youth_offending", "Y")
    char(main[0], "youth_offending", "N", dt.date(2025, 9, 8))  # 5 in force on the last day
    school = la.school("100001")
    office = la.member("office", school=school)
    anxiety = Flag.objects.get(local_authority=school.local_authority)
    flags.pupil_flags_add(
        actor=office, school_id=school.pk, flag_id=anxiety.pk, upns=main[2:8], start=FIRST
    )
    return {"main": main, "other": other, "special": special, "ehcp": ehcp, "anxiety": anxiety}


def _rate(upns: list[str], *, start: dt.date = FIRST, end: dt.date = LAST) -> tuple[int, Decimal]:
    rows = [
        r
        for r in report("pupils", "--as-of", end.isoformat(), "--from", start.isoformat())
        if r["upn"] in upns
    ]
    absent = sum(r["authorised_absence"] + r["unauthorised_absence"] for r in rows)
    rate = percent_of(absent, sum(r["possible_sessions"] for r in rows))
    assert rate is not None
    return len(rows), rate


def _officer(la: MonitoringLA):
    return la.member("la_officer", local_authority=LocalAuthority.objects.get(code="938"))


def test_every_new_la_gets_the_seven_priorities_and_the_anxiety_flag(la):
    la938 = LocalAuthority.objects.get(code="938")
    found = list(Priority.objects.filter(local_authority=la938))
    assert [p.measure for p in found] == [
        "authorised_absence",
        "persistent_absence",
        "special_schools",
        "ehcp",
        "social_worker",
        "flag",
        "youth_offending",
    ]
    assert found[5].flag == Flag.objects.get(local_authority=la938, name=priorities.ANXIETY_FLAG)
    priorities.la_defaults_ensure(la938)  # idempotent
    assert Priority.objects.filter(local_authority=la938).count() == 7
    assert Flag.objects.filter(local_authority=la938).count() == 1


def test_values_equal_the_pupils_report(la, area):
    (found,) = priorities.la_priorities_for(_officer(la), Period(FIRST, LAST))
    values = {row.measure_label: row.value for row in found.rows}
    everyone = area["main"] + area["other"] + area["special"]
    rows = report("pupils", "--as-of", LAST.isoformat(), "--from", FIRST.isoformat())
    schools = report("schools", "--as-of", LAST.isoformat(), "--from", FIRST.isoformat())
    possible = sum(s["possible_sessions"] for s in schools)
    authorised = sum(s["authorised_absence"] for s in schools)
    label = dict(PriorityMeasure.choices)
    assert values[label["authorised_absence"]].rate == percent_of(authorised, possible)
    assert values[label["authorised_absence"]].pupils == len(everyone)
    assert values[label["persistent_absence"]].rate == percent_of(
        sum(r["persistent_absence"] for r in rows), len(rows)
    )
    for measure, upns in (
        ("special_schools", area["special"]),
        ("ehcp", area["ehcp"]),
        ("flag", area["main"][2:8]),
        ("youth_offending", area["main"][1:5] + area["other"][:1]),
    ):
        value = values[label[measure]]
        assert (value.pupils, value.rate) == _rate(upns), measure
    # Three pupils with a social worker: withheld.
    social = values[label["social_worker"]]
    assert social.withheld and social.rate is None


def test_the_trend_by_half_term(la, area):
    (found,) = priorities.la_priorities_for(_officer(la), Period(FIRST, LAST))
    row = next(r for r in found.rows if r.measure_label == PriorityMeasure.EHCP.label)
    # This year so far: Autumn 1 from its first Monday to the period's end (cut short).
    (autumn,) = row.this_year
    assert autumn.label == "Autumn 1 2025/26"
    assert (autumn.start, autumn.end) == (dt.date(2025, 8, 4), LAST)
    assert (autumn.value.pupils, autumn.value.rate) == _rate(
        area["ehcp"], start=dt.date(2025, 8, 4)
    )
    # Last year: six half terms, no pupils (withheld).
    assert [p.label for p in row.last_year][0] == "Autumn 1 2024/25"
    assert len(row.last_year) == 6 and all(p.value.withheld for p in row.last_year)
    chart = row.chart
    assert chart.categories[0] == "Autumn 1" and chart.series[0].values[0] == autumn.value.rate


def test_whole_half_terms_equal_the_report_for_their_dates(la, area):
    end = dt.date(2025, 11, 30)
    (found,) = priorities.la_priorities_for(_officer(la), Period(FIRST, end))
    for measure, upns in (
        # On 2 November the EHC plan from 20 September is in force too.
        (PriorityMeasure.EHCP, [*area["ehcp"], area["main"][4]]),
        (PriorityMeasure.SPECIAL_SCHOOLS, area["special"]),
        (PriorityMeasure.FLAG, area["main"][2:8]),
    ):
        row = next(r for r in found.rows if r.measure_label == measure.label)
        autumn1, autumn2 = row.this_year
        assert (autumn1.start, autumn1.end) == (dt.date(2025, 8, 4), dt.date(2025, 11, 2))
        assert (autumn1.value.pupils, autumn1.value.rate) == _rate(
            upns, start=autumn1.start, end=autumn1.end
        )
        assert autumn2.value.withheld  # no marks after 12 September


def test_overview_shows_the_priorities_and_exports_them(client, la, area):
    client.force_login(_officer(la))
    overview = client.get(reverse("la_overview"), PERIOD).content.decode()
    url = reverse("la_priority_trends")
    assert url in overview  # the overview links to the priorities' own page
    html = client.get(url, PERIOD).content.decode()
    assert "Demoshire: attendance priorities" in html
    assert "Absence rates for children with anxiety or school phobia" in html
    assert 'id="priority-' in html
    assert "Change the priorities" not in html  # an officer, not an administrator
    response = client.get(url, {**PERIOD, "format": "csv", "table": "priorities"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    period_rows = {r["measure"]: r for r in rows if r["when"] == "period"}
    assert period_rows[PriorityMeasure.SOCIAL_WORKER.label]["pupils"] == "fewer than 5"
    assert period_rows[PriorityMeasure.SOCIAL_WORKER.label]["rate"] == ""
    pupils, rate = _rate(area["ehcp"])
    assert period_rows[PriorityMeasure.EHCP.label]["pupils"] == str(pupils)
    assert Decimal(period_rows[PriorityMeasure.EHCP.label]["rate"]) == rate
    assert len(rows) == 7 * (1 + 1 + 6)


def test_trust_leads_see_no_priorities(la, area):
    from attend.organisations.models import School, Trust

    trust = Trust.objects.create(name="T", companies_house_number="01234567")
    School.objects.filter(urn="100001").update(trust=trust)
    lead = la.member("trust_lead", trust=trust)
    assert priorities.la_priorities_for(lead, Period(FIRST, LAST)) == []


def test_the_number_of_queries_does_not_grow_with_the_schools(la, area):
    officer = _officer(la)
    period = Period(FIRST, LAST)
    priorities.la_priorities_for(officer, period)
    with CaptureQueriesContext(connection) as few:
        priorities.la_priorities_for(officer, period)
    la.load("schools", [f"10001{n},School 10001{n},938,Demoshire,primary" for n in range(5)])
    for n in range(5):
        la.term(f"10001{n}", "2025-09-01", "2025-12-19")
        la.pupils(f"10001{n}", [{}, {"I": 1}])
    officer = _officer(la)
    priorities.la_priorities_for(officer, period)
    with CaptureQueriesContext(connection) as more:
        (found,) = priorities.la_priorities_for(officer, period)
    assert found.schools == 9
    assert len(more) == len(few)


def test_la_admin_edits_a_priority(client, la, area):
    la938 = LocalAuthority.objects.get(code="938")
    admin = la.member("la_admin", local_authority=la938)
    client.force_login(admin)
    html = client.get(reverse("la_priority_trends"), PERIOD).content.decode()
    assert "Change the priorities" in html
    priority = Priority.objects.get(local_authority=la938, measure="ehcp")
    url = reverse("la_priority", args=[priority.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "EHCP", "order": "1", "target": "101"})
    assert response.status_code == 400
    assert "between 0 and 100" in response.content.decode()
    response = client.post(url, {"title": "EHCP absence", "order": "1", "target": "7.5"})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert (priority.title, priority.order, priority.target, priority.active) == (
        "EHCP absence",
        1,
        Decimal("7.5"),
        False,
    )
    event = AuditEvent.objects.get(action="priority.update")
    assert event.before["active"] is True and event.after["target"] == "7.5"
    (found,) = priorities.la_priorities_for(admin, Period(FIRST, LAST))
    assert "EHCP absence" not in [r.title for r in found.rows]  # inactive: not shown
    assert "EHCP absence" in client.get(reverse("la_priorities")).content.decode()
    # Another LA's priority: 404.
    other = LocalAuthority.objects.create(code="888", name="Elsewhere")
    priorities.la_defaults_ensure(other)
    theirs = Priority.objects.filter(local_authority=other).earliest("order")
    assert client.get(reverse("la_priority", args=[theirs.pk])).status_code == 404
