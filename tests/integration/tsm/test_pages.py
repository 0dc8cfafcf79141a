"""The TSM pages and selectors: who sees what, the LA's list, the record and officer forms, and the
pack (its figures are the dashboard's, the severely absent pupils by name, the previous meeting's
actions carried), as HTML, CSV and PDF, audited when read from outside the school."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attend.audit.models import AuditEvent
from attend.core.exceptions import NotFoundOrForbidden
from attend.monitoring.cohorts import cohort_table_for
from attend.monitoring.models import Priority
from attend.monitoring.priorities import school_priorities
from attend.monitoring.selectors import school_dashboard_for
from attend.tsm import selectors, services
from attend.tsm.domain import ActionStatus, Status, Term
from attend.tsm.models import AgreedAction, TargetedSupportMeeting
from attend.tsm.services import ActionInput, MeetingRecord
from tests.factories import SchoolFactory
from tests.integration.tsm.conftest import YEAR

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
NOW = timezone.now()


def _url(name: str, school, term: str = "spring", year: int = YEAR) -> str:
    return reverse(name, args=[school.pk, year, term])


def _hold_autumn(tsm) -> TargetedSupportMeeting:
    services.school_officers_set(actor=tsm.admin, officers={tsm.a.pk: tsm.officer.pk})
    services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.officer)
    return services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=MeetingRecord(
            held_on=dt.date(2025, 9, 24),
            attendees="Head; LA officer",
            discussion="Agreed a joint approach for Year 9.",
            successes="",
            improvements="",
            actions=[
                ActionInput(
                    "Send letters", "Office", dt.date(2025, 10, 1), done_on=dt.date(2025, 9, 30)
                ),
                ActionInput("Home visits", "Head of Year 9", dt.date(2025, 11, 1)),
            ],
        ),
    )


# -------------------------------------------------------------------------------------------------
# Scope
# -------------------------------------------------------------------------------------------------


def test_an_la_officer_of_another_la_gets_a_404(tsm, client):
    _hold_autumn(tsm)
    with pytest.raises(NotFoundOrForbidden):
        selectors.school_tsms_for(tsm.officer_elsewhere, tsm.a.pk, today=TODAY)
    with pytest.raises(NotFoundOrForbidden):
        selectors.tsm_pack_for(
            tsm.officer_elsewhere, tsm.a.pk, YEAR, Term.SPRING, today=TODAY, now=NOW
        )
    client.force_login(tsm.officer_elsewhere)
    for url in (
        reverse("school_tsms", args=[tsm.a.pk]),
        _url("tsm_pack", tsm.a),
        _url("tsm_pack_pdf", tsm.a),
        _url("tsm_record", tsm.a),
        _url("tsm_plan", tsm.a),
    ):
        assert client.get(url).status_code == 404, url
    # Their own list holds their own LA's school only.
    data = selectors.tsm_list_for(tsm.officer_elsewhere, YEAR, Term.AUTUMN, today=TODAY)
    assert [r.school for r in data.rows] == [tsm.elsewhere_school]


def test_a_governor_cannot_see_the_tsm_pages(tsm, client):
    _hold_autumn(tsm)
    client.force_login(tsm.governor)
    for url in (
        reverse("tsm_list"),
        reverse("school_tsms", args=[tsm.a.pk]),
        _url("tsm_pack", tsm.a),
        _url("tsm_pack_pdf", tsm.a),
    ):
        assert client.get(url).status_code == 404, url
    assert "Targeted support meetings" not in client.get(reverse("home")).content.decode()


def test_school_staff_see_their_own_schools_meetings_read_only(tsm, client):
    _hold_autumn(tsm)
    services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.b.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=MeetingRecord(
            held_on=dt.date(2025, 9, 24),
            attendees="",
            discussion="Secret of school B",
            successes="",
            improvements="",
        ),
    )
    data = selectors.school_tsms_for(tsm.office, tsm.a.pk, today=dt.date(2025, 11, 1))
    assert not data.can_manage
    assert data.officer == tsm.officer.display_name
    autumn = data.years[0].meetings[0]
    assert autumn.status == Status.HELD
    assert [line.action.description for line in autumn.actions] == ["Send letters", "Home visits"]
    with pytest.raises(NotFoundOrForbidden):
        selectors.school_tsms_for(tsm.office, tsm.b.pk, today=TODAY)

    client.force_login(tsm.senior)
    home = client.get(reverse("home")).content.decode()
    assert reverse("school_tsms", args=[tsm.a.pk]) in home
    assert reverse("tsm_list") not in home
    page = client.get(reverse("school_tsms", args=[tsm.a.pk])).content.decode()
    assert "Rachel Green" in page
    assert "Secret of school B" not in page
    assert _url("tsm_record", tsm.a) not in page  # read-only
    assert client.get(reverse("school_tsms", args=[tsm.b.pk])).status_code == 404
    assert client.get(reverse("tsm_list")).status_code == 404
    assert client.get(_url("tsm_record", tsm.a)).status_code == 404
    response = client.post(_url("tsm_plan", tsm.a), {"planned_on": "2026-02-01"})
    assert response.status_code == 404


# -------------------------------------------------------------------------------------------------
# The LA's list
# -------------------------------------------------------------------------------------------------


def test_the_list_shows_every_school_with_its_status_and_officer(tsm, client):
    _hold_autumn(tsm)
    data = selectors.tsm_list_for(tsm.officer, YEAR, Term.AUTUMN, today=TODAY)
    statuses = {r.school.urn: (r.status, r.officer) for r in data.rows}
    assert statuses == {
        "100001": (Status.HELD, "Rachel Green"),
        "100002": (Status.OVERDUE, ""),
        "100003": (Status.OVERDUE, ""),
    }
    mine = selectors.tsm_list_for(tsm.officer, YEAR, Term.AUTUMN, mine=True, today=TODAY)
    assert [r.school.urn for r in mine.rows] == ["100001"]
    next_year = selectors.tsm_list_for(tsm.admin, YEAR + 1, Term.AUTUMN, today=TODAY)
    assert {r.status for r in next_year.rows} == {Status.NOT_SCHEDULED}

    client.force_login(tsm.officer)
    page = client.get(reverse("tsm_list"), {"year": YEAR, "term": "autumn"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "My schools only" in html and "Overdue" in html
    assert _url("tsm_pack", tsm.a, "autumn") in html
    mine_page = client.get(reverse("tsm_list"), {"year": YEAR, "term": "autumn", "mine": "on"})
    assert "School 100002" not in mine_page.content.decode()
    response = client.get(reverse("tsm_list"), {"year": YEAR, "term": "autumn", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["urn"], r["status"], r["overdue"]) for r in rows] == [
        ("100001", "held", "false"),
        ("100002", "overdue", "true"),
        ("100003", "overdue", "true"),
    ]
    assert rows[0]["named_officer"] == "Rachel Green"
    bad = client.get(reverse("tsm_list"), {"year": "19"})
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(tsm, client):
    _hold_autumn(tsm)
    client.force_login(tsm.officer)
    url = reverse("tsm_list") + f"?year={YEAR}&term=autumn"

    def count() -> int:
        tsm.officer.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        SchoolFactory(local_authority=tsm.la, urn=f"30000{n}")
    services.schedule_year(local_authority=tsm.la, year=YEAR, actor=None, actor_name="t")
    assert count() == before


def test_an_la_officer_schedules_the_year_from_the_list(tsm, client):
    client.force_login(tsm.officer)
    response = client.post(reverse("tsm_list"), {"local_authority": tsm.la.pk, "year": YEAR})
    assert response.status_code == 302
    assert TargetedSupportMeeting.objects.filter(school__local_authority=tsm.la).count() == 9
    client.force_login(tsm.officer_elsewhere)
    response = client.post(reverse("tsm_list"), {"local_authority": tsm.la.pk, "year": YEAR + 1})
    assert response.status_code == 404
    assert not TargetedSupportMeeting.objects.filter(year=YEAR + 1).exists()


# -------------------------------------------------------------------------------------------------
# The forms
# -------------------------------------------------------------------------------------------------


def _management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_record_form_saves_the_meeting_and_its_actions(tsm, client):
    _hold_autumn(tsm)
    open_action = AgreedAction.objects.get(description="Home visits")
    client.force_login(tsm.officer)
    url = _url("tsm_record", tsm.a)
    form = client.get(url).content.decode()
    assert "Home visits" in form  # the open action of the autumn meeting, to update
    data = {
        "held_on": "2026-01-28",
        "la_officer": str(tsm.officer.pk),
        "attendees": "Head\nRachel Green",
        "discussion": "Spring discussion",
        "successes": "",
        "improvements": "",
        **_management("carried", 1, 1),
        "carried-0-action_id": str(open_action.pk),
        "carried-0-done_on": "2026-01-20",
        "carried-0-notes": "Visits done",
        **_management("action", 3, 3),
        "action-0-description": "Meet the parents of Year 9 pupils",
        "action-0-owner": "Head of Year 9",
        "action-0-due_on": "2026-02-27",
        "action-1-description": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    spring = TargetedSupportMeeting.objects.get(school=tsm.a, term="spring")
    assert spring.held_on == dt.date(2026, 1, 28)
    assert spring.discussion == "Spring discussion"
    assert list(spring.actions.values_list("description", "owner")) == [
        ("Meet the parents of Year 9 pupils", "Head of Year 9")
    ]
    open_action.refresh_from_db()
    assert open_action.done_on == dt.date(2026, 1, 20)

    # A bad row: the error summary links to the field, nothing is saved.
    data["action-1-description"] = "No owner"
    data["action-1-due_on"] = "not a date"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert 'href="#id_action-1-due_on"' in html
    assert "Enter a date in the form YYYY-MM-DD" in html
    data["action-1-due_on"] = "2026-03-01"
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'href="#id_action-1-owner"' in response.content.decode()
    assert spring.actions.count() == 1


def test_the_plan_form(tsm, client):
    client.force_login(tsm.admin)
    url = _url("tsm_plan", tsm.a)
    assert 'value="2026-01-28"' in client.get(url).content.decode()  # the default date
    response = client.post(url, {"planned_on": "2027-01-01"})
    assert response.status_code == 400
    assert "2025/26" in response.content.decode()
    assert client.post(url, {"planned_on": "2026-02-04"}).status_code == 302
    meeting = TargetedSupportMeeting.objects.get(school=tsm.a, year=YEAR, term="spring")
    assert meeting.planned_on == dt.date(2026, 2, 4)


def test_the_officers_page_names_officers(tsm, client):
    client.force_login(tsm.admin)
    url = reverse("tsm_officers")
    page = client.get(url).content.decode()
    assert "School 100001" in page and tsm.officer.display_name in page
    assert tsm.officer_elsewhere.display_name not in page
    ids = {f"officer_{s.pk}": "" for s in (tsm.a, tsm.b, tsm.school("100003"))}
    response = client.post(url, {**ids, f"officer_{tsm.a.pk}": str(tsm.officer_elsewhere.pk)})
    assert response.status_code == 400
    assert f'href="#officer_{tsm.a.pk}"' in response.content.decode()
    response = client.post(url, {**ids, f"officer_{tsm.a.pk}": str(tsm.officer.pk)})
    assert response.status_code == 302
    tsm.a.refresh_from_db()
    assert tsm.a.la_attendance_officer == tsm.officer
    assert "Rachel Green" in client.get(reverse("school_tsms", args=[tsm.a.pk])).content.decode()
    client.force_login(tsm.officer)
    assert client.get(url).status_code == 404


# -------------------------------------------------------------------------------------------------
# The pack
# -------------------------------------------------------------------------------------------------


def test_the_pack_figures_equal_the_dashboard(tsm):
    _hold_autumn(tsm)
    pack = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.SPRING, today=TODAY, now=NOW)
    dashboard = school_dashboard_for(tsm.officer, tsm.a.pk, pack.period)
    assert pack.period.start == dt.date(2025, 8, 1) and pack.period.end == dt.date(2026, 7, 31)
    assert pack.headline == dashboard.headline
    assert [(r.category, r.cohort) for r in pack.categories] == [
        (r.category, r.cohort) for r in dashboard.categories
    ]
    assert pack.headline.enrolments.count == 6
    assert pack.headline.severe_absence.count == 2
    # The cohorts and the LA's priorities, from the same per-enrolment counts as the dashboard.
    assert pack.cohorts == cohort_table_for(dashboard)
    assert pack.cohorts is not None and pack.cohorts.total == 6
    assert pack.priorities is not None
    assert [p.title for p in pack.priorities] == list(
        Priority.objects.filter(local_authority=tsm.a.local_authority, active=True)
        .order_by("order", "pk")
        .values_list("title", flat=True)
    )
    assert pack.priorities == school_priorities(tsm.a, pack.period, dashboard.enrolment_counts)
    authorised = next(p for p in pack.priorities if p.measure_label == "Authorised absence rate")
    # Over all 6 pupils: shown, and equal to the headline's authorised absence.
    assert authorised.value.pupils == 6
    assert authorised.value.rate == dashboard.headline.authorised_absence_rate


def test_the_pack_lists_the_severely_absent_pupils(tsm):
    pack = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.AUTUMN, today=TODAY, now=NOW)
    assert pack.severe_pupils is not None
    assert sorted(p.upn for p in pack.severe_pupils) == sorted(tsm.severe_upns)
    first = next(p for p in pack.severe_pupils if p.upn == tsm.upns[4])
    assert (first.possible_sessions, first.absent_sessions, first.unauthorised_sessions) == (
        20,
        12,
        12,
    )
    assert str(first.attendance_rate) == "40.00"
    assert first.year_group == ""  # the imports leave it empty
    # An LA administrator reads aggregates only: no names, small counts withheld.
    aggregate = selectors.tsm_pack_for(tsm.admin, tsm.a.pk, YEAR, Term.AUTUMN, today=TODAY, now=NOW)
    assert aggregate.severe_pupils is None and aggregate.suppressed
    assert str(aggregate.severe_count) == "fewer than 5"


def test_the_previous_meetings_actions_are_carried_into_the_next_pack(tsm):
    _hold_autumn(tsm)
    spring = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.SPRING, today=TODAY, now=NOW)
    assert spring.previous is not None and spring.previous.term == "autumn"
    assert spring.previous.discussion == "Agreed a joint approach for Year 9."
    assert [(line.action.description, line.status) for line in spring.previous_actions] == [
        ("Send letters", ActionStatus.DONE),
        ("Home visits", ActionStatus.OVERDUE),
    ]
    assert spring.earlier_open_actions == []
    # Two meetings on, the open action comes with the meetings before the previous one.
    summer = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.SUMMER, today=TODAY, now=NOW)
    assert summer.previous is not None and summer.previous.term == "spring"
    assert summer.previous_actions == []
    assert [line.action.description for line in summer.earlier_open_actions] == ["Home visits"]
    assert summer.earlier_open_actions[0].agreed_at == "Autumn term 2025/26"
    # The first meeting has no previous one.
    autumn = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.AUTUMN, today=TODAY, now=NOW)
    assert autumn.previous is None
    assert [line.action.description for line in autumn.actions] == ["Send letters", "Home visits"]


def test_the_pack_page_and_its_csv(tsm, client):
    _hold_autumn(tsm)
    client.force_login(tsm.officer)
    html = client.get(_url("tsm_pack", tsm.a)).content.decode()
    for text in (
        "Targeted support meeting pack: Spring term 2025/26",
        "Rachel Green",
        "Home visits",
    ):
        assert text in html
    for upn in tsm.severe_upns:
        assert upn in html
    assert tsm.upns[3] not in html  # persistently, not severely, absent
    response = client.get(_url("tsm_pack", tsm.a), {"format": "csv", "table": "severe"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["upn"] for r in rows) == sorted(tsm.severe_upns)
    response = client.get(_url("tsm_pack", tsm.a), {"format": "csv", "table": "actions"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["description"], r["status"]) for r in rows] == [
        ("Send letters", "done"),
        ("Home visits", "overdue"),
    ]
    assert client.get(_url("tsm_pack", tsm.a), {"format": "csv", "table": "x"}).status_code == 404
    client.force_login(tsm.admin)
    response = client.get(_url("tsm_pack", tsm.a), {"format": "csv", "table": "severe"})
    assert response.status_code == 404  # no names for aggregate readers
    html = client.get(_url("tsm_pack", tsm.a)).content.decode()
    assert "fewer than 5" in html
    assert not any(upn in html for upn in tsm.upns)


def test_the_packs_named_pupils_seen_from_outside_the_school_are_audited(tsm, client):
    client.force_login(tsm.office)
    assert client.get(_url("tsm_pack", tsm.a)).status_code == 200
    assert not AuditEvent.objects.filter(action="pupil.view").exists()  # inside the school
    client.force_login(tsm.officer)
    assert client.get(_url("tsm_pack", tsm.a)).status_code == 200
    events = AuditEvent.objects.filter(action="pupil.view", actor=tsm.officer)
    assert sorted(events.values_list("pupil_upn", flat=True)) == sorted(tsm.severe_upns)
    assert all("TSM pack" in e.summary for e in events)
    assert client.get(_url("tsm_pack_pdf", tsm.a)).status_code == 200
    assert AuditEvent.objects.filter(action="pupil.view", actor=tsm.officer).count() == 4
    client.force_login(tsm.admin)  # no names, nothing to audit
    assert client.get(_url("tsm_pack", tsm.a)).status_code == 200
    assert not AuditEvent.objects.filter(action="pupil.view", actor=tsm.admin).exists()


def test_the_pack_as_pdf(tsm, client, tmp_path):
    _hold_autumn(tsm)
    client.force_login(tsm.officer)
    response = client.get(_url("tsm_pack_pdf", tsm.a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "pack.pdf"
    path.write_bytes(response.content)
    assert shutil.which("pdftotext"), "pdftotext is needed (poppler-utils: make system-packages)"
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    for expected in (
        "School 100001",
        "Spring term 2025/26",
        "Rachel Green",
        "Severely absent pupils",
        *tsm.severe_upns,
        "Agreed a joint approach for Year 9.",
        "Home visits",
        "Overdue",
        "Page 1 of",
    ):
        assert expected in text, expected
    pack = selectors.tsm_pack_for(tsm.officer, tsm.a.pk, YEAR, Term.SPRING, today=TODAY, now=NOW)
    assert f"{pack.headline.attendance_rate}%" in text


def test_the_pack_runs_a_fixed_number_of_queries(tsm, client):
    _hold_autumn(tsm)
    client.force_login(tsm.office)  # a member: no audit events to write
    url = _url("tsm_pack", tsm.a)

    def count() -> int:
        tsm.office.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    tsm.pupils("100001", [{"O": 15}, {"O": 11}, {"N": 20}, {}])  # three more severely absent
    html = client.get(url).content.decode()
    assert "5 severely absent pupils" in html
    assert count() == before


def test_the_tables_export_to_excel(tsm, client):
    _hold_autumn(tsm)
    client.force_login(tsm.officer)
    for url, query in (
        (reverse("tsm_list"), {"year": YEAR, "term": "autumn", "format": "xlsx"}),
        (_url("tsm_pack", tsm.a), {"format": "xlsx", "table": "severe"}),
    ):
        response = client.get(url, query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content.startswith(b"PK")
