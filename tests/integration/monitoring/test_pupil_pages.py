"""The pupil page, "who needs attention" and recognition: figures against `attend report` and
direct computation, scope, audit, exports, certificates and fixed query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.core.exports import XLSX_TYPE
from attend.monitoring import attention, pupil_page, recognition
from attend.organisations.models import RegistrationGroup, School
from attend.pupils.models import Characteristic, Contact, Enrolment
from attend.registers.domain import percent_of
from tests.factories import UserFactory, make_upn
from tests.integration.monitoring.conftest import MonitoringLA
from tests.integration.scenario import report, school_days, sessions

pytestmark = pytest.mark.django_db

URN = "100001"
AUTUMN_1 = [dt.date(2025, 9, 1) + dt.timedelta(weeks=n) for n in range(8)]  # 1 Sep .. 20 Oct
AUTUMN_2 = [dt.date(2025, 11, 3), dt.date(2025, 11, 10)]
AS_OF = dt.date(2025, 10, 24)  # a Friday: the week of 20 October is whole
HALF_TERM_2 = "2025-11-03"


def _week(monday: dt.date, absent: int, code: str = "I") -> list[tuple[dt.date, str, str]]:
    rows = []
    for i, (day, s) in enumerate(sessions(school_days(monday, monday + dt.timedelta(days=4)))):
        rows.append((day, s, code if i < absent else ("/" if s == "AM" else "\\")))
    return rows


class AttentionLA(MonitoringLA):
    """School 100001 with an autumn term 2025 (half term 27 to 31 October) and an autumn 2024
    term; pupils whose weeks are given as sessions absent per week."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.load(
            "calendar",
            [
                f"{URN},closure,2025-10-27,2025-10-31,",
                f"{URN},term,2024-09-02,2024-12-20,",
                f"{URN},closure,2024-10-28,2024-11-01,",
            ],
        )

    def add(
        self, group: str, autumn1: list[int], autumn2: list[int], last_year: int | None = None
    ) -> str:
        self.serial += 1
        n = self.serial
        upn = make_upn(n)
        self.load(
            "pupils",
            [f"{upn},{URN},Surname{n:03d},Forename{n:03d},2015-01-01,2024-09-01,,{group}"],
        )
        rows = []
        for monday, absent in zip(AUTUMN_1 + AUTUMN_2, autumn1 + autumn2, strict=True):
            rows += _week(monday, absent)
        if last_year is not None:
            rows += _week(dt.date(2024, 11, 4), last_year)
        self.load("marks", [f"{upn},{URN},{d.isoformat()},{s},{c}," for d, s, c in rows])
        return upn


@pytest.fixture
def la(tmp_path) -> AttentionLA:
    return AttentionLA(tmp_path)


@pytest.fixture
def pupils(la: AttentionLA) -> dict[str, str]:
    """A steady (100%), B falling since October (80% now, persistent), C newly worse this week
    (92.5%) and projected to become persistently absent, D severely absent (40%)."""
    return {
        "A": la.add("1A", [0] * 8, [0, 0], last_year=0),
        "B": la.add("1A", [0, 0, 0, 0, 4, 4, 4, 4], [0, 0], last_year=5),
        "C": la.add("1B", [0] * 7 + [6], [0, 0]),
        "D": la.add("1B", [6] * 8, [3, 2]),
    }


def _enrolment(upn: str) -> Enrolment:
    return Enrolment.objects.get(pupil__upn=upn)


def _office(la: AttentionLA):
    return la.member("office", school=la.school(URN))


# -------------------------------------------------------------------------------------------------
# The pupil page
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2025-10-24", "2025-10-22", "2025-09-10"])
def test_pupil_summary_equals_attend_report(la, pupils, as_of) -> None:
    office = _office(la)
    rows = {r["upn"]: r for r in report("pupils", "--as-of", as_of)}
    for upn in pupils.values():
        page = pupil_page.pupil_page_for(office, _enrolment(upn).pk, dt.date.fromisoformat(as_of))
        summary = page.sections[0].context["summary"]
        row = rows[upn]
        assert summary.counts.possible == row["possible_sessions"]
        assert summary.counts.attended == row["attended_sessions"]
        assert summary.counts.authorised == row["authorised_absence"]
        assert summary.counts.unauthorised == row["unauthorised_absence"]
        assert float(summary.attendance_rate) == row["attendance_rate"]
        assert summary.category.value == row["category"]
        assert summary.persistent_absence == row["persistent_absence"]


def test_pupil_page_shows_every_section(client, la, pupils) -> None:
    office = _office(la)
    enrolment = _enrolment(pupils["B"])
    Characteristic.objects.create(
        pupil=enrolment.pupil, kind="fsm", value="N", applies_from=dt.date(2024, 9, 1)
    )
    Characteristic.objects.create(
        pupil=enrolment.pupil, kind="fsm", value="Y", applies_from=dt.date(2025, 9, 1)
    )
    Characteristic.objects.create(
        pupil=enrolment.pupil, kind="sen_status", value="K", applies_from=dt.date(2025, 1, 1)
    )
    Contact.objects.create(
        pupil=enrolment.pupil,
        surname="Parent",
        forename="Pat",
        relationship="Mother",
        parental_responsibility=True,
        phone="07700 900123",
        email="pat@example.com",
    )
    client.force_login(office)
    response = client.get(reverse("pupil_page", args=[enrolment.pk]) + "?as_of=2025-10-24")
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("summary", "trend", "marks", "characteristics", "contacts", "enrolment"):
        assert f'id="{section}"' in html
    assert "Persistent absence" in html  # 64 of 80: the persistent category
    assert "80.00% (64 sessions" in html
    assert "pupil-trend-chart" in html and "<svg" in html
    assert "20 Oct 2025" in html  # the trend table's last week
    assert "Free school meals" in html and "SEN support" in html
    assert "Pat Parent" in html and "07700 900123" in html and "Mother" in html
    assert "No (from" not in html.split("History")[0].split("Free school meals")[1][:80]
    assert html.count("attend-code") > 10  # the marks grid
    assert reverse("pupil_register", args=[enrolment.pk]) in html


def test_parents_do_not_see_other_contacts(client, la, pupils) -> None:
    enrolment = _enrolment(pupils["A"])
    parent = UserFactory()
    Contact.objects.create(
        pupil=enrolment.pupil,
        surname="Parent",
        forename="Own",
        relationship="Father",
        parental_responsibility=True,
        user=parent,
    )
    Contact.objects.create(
        pupil=enrolment.pupil, surname="Other", forename="Carer", relationship="Aunt"
    )
    client.force_login(parent)
    response = client.get(reverse("pupil_page", args=[enrolment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="contacts"' not in html and "Carer Other" not in html
    assert 'id="summary"' in html


def test_pupil_page_out_of_scope_is_404_and_outside_views_are_audited(client, la, pupils):
    enrolment = _enrolment(pupils["A"])
    client.force_login(la.member("office", school=la.school("100002")))
    assert client.get(reverse("pupil_page", args=[enrolment.pk])).status_code == 404
    officer = la.member("la_officer", local_authority=la.school(URN).local_authority)
    client.force_login(officer)
    assert client.get(reverse("pupil_page", args=[enrolment.pk])).status_code == 200
    event = AuditEvent.objects.get(actor=officer, action="pupil.view")
    assert event.object_id == str(enrolment.pk) and "pupil page" in event.summary
    client.force_login(_office(la))
    client.get(reverse("pupil_page", args=[enrolment.pk]))
    assert AuditEvent.objects.filter(action="pupil.view").count() == 1  # members: not audited


def test_pupil_page_refuses_a_future_day(client, la, pupils) -> None:
    client.force_login(_office(la))
    url = reverse("pupil_page", args=[_enrolment(pupils["A"]).pk])
    response = client.get(url + "?as_of=2999-01-01")
    assert response.status_code == 400
    assert "The date must be today or in the past" in response.content.decode()


# -------------------------------------------------------------------------------------------------
# Who needs attention
# -------------------------------------------------------------------------------------------------


def _upns(rows) -> set[str]:
    return {r.pupil.upn for r in rows}


def test_attention_lists(la, pupils) -> None:
    found = attention.attention_for(_office(la), la.school(URN).pk, AS_OF)
    a, b, c, d = (pupils[k] for k in "ABCD")
    assert found.last_week_end == dt.date(2025, 10, 19)
    assert found.recent_weeks == (AUTUMN_1[4], AUTUMN_1[7])
    assert found.earlier_weeks == (AUTUMN_1[0], AUTUMN_1[3])

    # C: 70/70 (expected) at the end of last week, 74/80 (at risk of persistent) now.
    (worse,) = found.worse
    assert worse.pupil.upn == c
    assert (worse.before.value, worse.after.value) == ("expected", "at_risk_of_persistent")

    # B: 40/40 then 24/40 = -40 points; C: 40/40 then 34/40 = -15 points. D is steady.
    assert [(r.pupil.upn, r.change) for r in found.falling] == [
        (b, Fraction(-2, 5)),
        (c, Fraction(-3, 20)),
    ]
    assert str(found.falling[0].change_points) == "-40.00"

    # The calendar leaves 7 weeks (70 sessions) after 24 October: 3 November to 19 December.
    assert found.remaining_sessions == 70
    (projected,) = found.projected
    assert projected.pupil.upn == c
    assert projected.projected == (74 + 70 * Fraction(34, 40)) / 150 == Fraction(89, 100)

    # Persistent or severe (no case is recorded yet): B (persistent, 80%) and D (severe).
    assert attention.open_case_enrolment_ids(la.school(URN).pk) == set()
    assert [r.pupil.upn for r in found.no_case] == [d, b]
    assert a not in _upns(found.worse) | _upns(found.falling) | _upns(found.projected)


def test_attention_categories_equal_attend_report(la, pupils) -> None:
    found = attention.attention_for(_office(la), la.school(URN).pk, AS_OF)
    rows = report("pupils", "--as-of", AS_OF.isoformat())
    expected = {
        r["upn"]
        for r in rows
        if r["category"] in ("persistent", "at_risk_of_severe", "severe") and r["urn"] == URN
    }
    assert _upns(found.no_case) == expected
    by_upn = {r["upn"]: r for r in rows}
    for line in found.no_case:
        assert line.category.value == by_upn[line.pupil.upn]["category"]
        assert float(line.attendance_rate or 0) == by_upn[line.pupil.upn]["attendance_rate"]
    before = {r["upn"]: r["category"] for r in report("pupils", "--as-of", "2025-10-19")}
    for worse in found.worse:
        assert worse.before.value == before[worse.pupil.upn]


def test_attention_page_links_exports_and_audit(client, la, pupils) -> None:
    school = la.school(URN)
    client.force_login(_office(la))
    url = reverse("school_attention", args=[school.pk])
    response = client.get(url, {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Support cases are not recorded in Attend yet" in html
    assert reverse("pupil_page", args=[_enrolment(pupils["C"]).pk]) in html
    assert (
        reverse("school_attention", args=[school.pk])
        in client.get(reverse("school_dashboard", args=[school.pk])).content.decode()
    )

    response = client.get(url, {"as_of": AS_OF.isoformat(), "format": "csv", "table": "falling"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["upn"], r["fall_percentage_points"]) for r in rows] == [
        (pupils["B"], "40.00"),
        (pupils["C"], "15.00"),
    ]
    response = client.get(url, {"as_of": AS_OF.isoformat(), "format": "xlsx", "table": "projected"})
    assert response["Content-Type"] == XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[1][0] == pupils["C"] and values[1][-1] == 89
    for table in ("worse", "no_case"):
        assert client.get(url, {"format": "csv", "table": table}).status_code == 200
    assert client.get(url, {"format": "csv", "table": "nope"}).status_code == 404
    assert not AuditEvent.objects.filter(action="pupil.view").exists()  # a member of the school

    officer = la.member("la_officer", local_authority=school.local_authority)
    client.force_login(officer)
    assert client.get(url, {"as_of": AS_OF.isoformat()}).status_code == 200
    # B, C and D are named on the page (A is on no list): one event each.
    audited = set(
        AuditEvent.objects.filter(actor=officer, action="pupil.view").values_list(
            "pupil_upn", flat=True
        )
    )
    assert audited == {pupils["B"], pupils["C"], pupils["D"]}


def test_attention_scope(client, la, pupils) -> None:
    school = la.school(URN)
    url = reverse("school_attention", args=[school.pk])
    for user in (
        la.member("office", school=la.school("100002")),
        la.member("governor", school=school),
        la.member("la_admin", local_authority=school.local_authority),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "csv", "table": "no_case"}).status_code == 404


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_attention_and_recognition_run_a_fixed_number_of_queries(client, la, pupils) -> None:
    school = la.school(URN)
    client.force_login(_office(la))
    attention_url = reverse("school_attention", args=[school.pk]) + "?as_of=2025-10-22"
    recognition_url = reverse("school_recognition", args=[school.pk]) + f"?half_term={HALF_TERM_2}"
    before = (
        _queries(lambda: client.get(attention_url)),
        _queries(lambda: client.get(recognition_url)),
    )
    for n in range(12):
        la.add("1A" if n % 2 else "1C", [n % 3] * 8, [n % 4, 0])
    after = (
        _queries(lambda: client.get(attention_url)),
        _queries(lambda: client.get(recognition_url)),
    )
    assert before == after


# -------------------------------------------------------------------------------------------------
# Recognition
# -------------------------------------------------------------------------------------------------


def test_recognition_figures(la, pupils) -> None:
    found = recognition.recognition_for(
        _office(la), la.school(URN).pk, dt.date(2026, 1, 10), half_term_start=dt.date(2025, 11, 3)
    )
    a, b, c, d = (pupils[k] for k in "ABCD")
    assert found.half_term and found.previous and found.last_year and found.newsletter
    assert found.newsletter.best_class and found.newsletter.rate and found.newsletter.last_rate
    assert found.half_term.label == "Autumn 2 2025/26"
    assert found.previous.label == "Autumn 1 2025/26"
    assert found.last_year.label == "Autumn 2 2024/25"
    # Autumn 2: A, B and C attended all 20 sessions; D 15 of 20.
    assert [x.pupil.upn for x in found.excellent] == [a, b, c]
    # B: 64/80 -> 20/20 (+20); D: 32/80 -> 15/20 (+35); C: 74/80 -> 20/20 (+7.5); A: no change.
    assert [(x.pupil.upn, x.change) for x in found.improved] == [
        (d, Fraction(35, 100)),
        (b, Fraction(20, 100)),
        (c, Fraction(75, 1000)),
    ]
    classes = {row.name: row for row in found.classes}
    assert (classes["1A"].this.attended, classes["1A"].this.possible) == (40, 40)
    assert classes["1A"].excellent and not classes["1B"].excellent
    assert classes["1B"].change == Fraction(35, 40) - Fraction(106, 160)
    assert found.newsletter.best_class.name == "1A"
    assert found.newsletter.excellent_pupils == 3
    # Last year's autumn 2: A 10/10, B 5/10.
    assert found.newsletter.last_year_rate == percent_of(15, 20)

    school_rows = {
        r["urn"]: r for r in report("schools", "--from", "2025-11-03", "--as-of", "2025-12-19")
    }
    assert float(found.newsletter.rate) == school_rows[URN]["attendance_rate"]
    school_rows = {
        r["urn"]: r for r in report("schools", "--from", "2025-09-01", "--as-of", "2025-10-24")
    }
    assert float(found.newsletter.last_rate) == school_rows[URN]["attendance_rate"]

    lower = recognition.recognition_for(
        _office(la),
        la.school(URN).pk,
        dt.date(2026, 1, 10),
        half_term_start=dt.date(2025, 11, 3),
        threshold=Fraction(3, 4),
    )
    assert [x.pupil.upn for x in lower.excellent] == [a, b, c, d]
    assert {row.name for row in lower.excellent_classes} == {"1A", "1B"}


def test_recognition_page_and_exports(client, la, pupils) -> None:
    school = la.school(URN)
    client.force_login(_office(la))
    url = reverse("school_recognition", args=[school.pk])
    response = client.get(url, {"half_term": HALF_TERM_2})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Recognition: Autumn 2 2025/26" in html
    assert "Congratulations to 1A" in html
    assert "Forename004" not in html.split('id="newsletter-text"')[1].split("</div>")[0]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    url, {"half_term": HALF_TERM_2, "format": "csv", "table": "improved"}
                ).content.decode()
            )
        )
    )
    assert [r["upn"] for r in rows] == [pupils["D"], pupils["B"], pupils["C"]]
    response = client.get(url, {"half_term": HALF_TERM_2, "format": "xlsx", "table": "classes"})
    assert response["Content-Type"] == XLSX_TYPE
    assert client.get(url, {"half_term": HALF_TERM_2, "threshold": "101"}).status_code == 400


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificates.pdf"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return out.stdout.decode()


def _pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    info = subprocess.run(  # noqa: S603
        ["pdfinfo", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_certificates_for_a_class_and_for_chosen_pupils(client, la, pupils, tmp_path) -> None:
    school = la.school(URN)
    client.force_login(_office(la))
    url = reverse("recognition_certificates", args=[school.pk])
    group = RegistrationGroup.objects.get(school=school, name="1A")
    response = client.get(url, {"half_term": HALF_TERM_2, "group": group.pk})
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content, tmp_path)
    # 1A: A (excellent) and B (excellent and most improved): three pages.
    assert _pages(response.content, tmp_path) == 3
    assert text.count("Excellent attendance") == 2
    assert text.count("Most improved attendance") == 1
    assert "Forename001 Surname001" in text and "Forename002 Surname002" in text
    assert "School 100001" in text.upper() or "SCHOOL 100001" in text
    assert "Autumn 2, 2025/26" in text
    assert "Forename004" not in text

    d = _enrolment(pupils["D"]).pk
    response = client.get(url, {"half_term": HALF_TERM_2, "pupil": [d]})
    text = _pdf_text(response.content, tmp_path)
    assert _pages(response.content, tmp_path) == 1
    assert "Forename004 Surname004" in text and "Most improved attendance" in text

    # Nobody with an award chosen: a page saying so, no PDF.
    response = client.get(url, {"half_term": HALF_TERM_2, "pupil": ["999999"]})
    assert response["Content-Type"].startswith("text/html")
    assert "No certificates to make" in response.content.decode()


def test_certificates_are_audited_from_outside_the_school(client, la, pupils) -> None:
    school = School.objects.get(urn=URN)
    officer = la.member("la_officer", local_authority=school.local_authority)
    client.force_login(officer)
    group = RegistrationGroup.objects.get(school=school, name="1B")
    response = client.get(
        reverse("recognition_certificates", args=[school.pk]),
        {"half_term": HALF_TERM_2, "group": group.pk},
    )
    assert response["Content-Type"] == "application/pdf"
    summaries = set(
        AuditEvent.objects.filter(actor=officer, pupil_upn=pupils["D"]).values_list(
            "summary", flat=True
        )
    )
    assert any("certificates" in s for s in summaries)
