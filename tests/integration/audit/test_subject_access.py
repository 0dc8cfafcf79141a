"""`attend subject-access UPN`: everything held on one pupil, as JSON and as a PDF."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone

from attend.audit.models import AuditEvent
from attend.audit.services import audit_pupil_view
from attend.pupils.models import Characteristic, Contact
from attend.registers.models import Amendment
from tests.factories import EnrolmentFactory, MarkFactory, SchoolFactory, UserFactory, make_upn

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil():
    school = SchoolFactory.create(urn="100001", name="Alpha Primary")
    enrolment = EnrolmentFactory.create(school=school, start_date=dt.date(2024, 9, 2))
    pupil = enrolment.pupil
    pupil.forename, pupil.surname = "Zoë", "Ŵilliams"
    pupil.save()
    other_school = SchoolFactory.create(urn="100002", name="Beta Academy")
    EnrolmentFactory.create(pupil=pupil, school=other_school, start_date=dt.date(2025, 9, 1))
    Characteristic.objects.create(pupil=pupil, kind="fsm", value="Y", applies_from="2024-09-02")
    Contact.objects.create(
        pupil=pupil, surname="Williams", forename="Carol", relationship="Mother", phone="0123"
    )
    mark = MarkFactory.create(enrolment=enrolment, date=dt.date(2025, 3, 3), session="AM", code="/")
    MarkFactory.create(
        enrolment=enrolment, date=dt.date(2025, 3, 3), session="PM", code="L", minutes_late=5
    )
    Amendment.objects.create(
        mark=mark,
        old_code="N",
        old_recorded_at=timezone.now(),
        old_recorded_by="Teacher",
        new_code="/",
        reason="Arrived with a note",
        amended_by_name="Office",
        amended_by_position="Attendance officer",
        amended_at=timezone.now(),
    )
    lena = UserFactory.create(first_name="Lena", last_name="Officer")
    audit_pupil_view(actor=lena, enrolment=enrolment)
    EnrolmentFactory.create()  # someone else
    return pupil


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("subject-access", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_json_holds_the_record_marks_and_history(pupil):
    code, out, _ = export(pupil.upn)
    assert code == 0
    data = json.loads(out)
    assert list(data) == [
        "format",
        "upn",
        "pupil",
        "characteristics",
        "contacts",
        "enrolments",
        "audit_events",
    ]
    assert data["pupil"] == {
        "upn": pupil.upn,
        "surname": "Ŵilliams",
        "forename": "Zoë",
        "date_of_birth": "2015-03-01",
        "gender": "",
        "ethnicity": "",
    }
    assert data["characteristics"] == [
        {
            "kind": "fsm",
            "kind_text": "Free school meals",
            "value": "Y",
            "applies_from": "2024-09-02",
        }
    ]
    assert data["contacts"][0]["forename"] == "Carol"
    assert [(e["school_urn"], e["school_name"]) for e in data["enrolments"]] == [
        ("100001", "Alpha Primary"),
        ("100002", "Beta Academy"),
    ]
    marks = data["enrolments"][0]["marks"]
    assert [(m["date"], m["session"], m["code"], m["minutes_late"]) for m in marks] == [
        ("2025-03-03", "AM", "/", None),
        ("2025-03-03", "PM", "L", 5),
    ]
    (history,) = marks[0]["amendments"]
    assert (history["old_code"], history["new_code"], history["reason"]) == (
        "N",
        "/",
        "Arrived with a note",
    )
    assert history["amended_by_position"] == "Attendance officer"
    assert data["enrolments"][1]["marks"] == []
    assert [e["action"] for e in data["audit_events"]] == ["pupil.view"]
    assert data["audit_events"][0]["actor"] == "Lena Officer"
    event = AuditEvent.objects.get(action="subject_access.export")
    assert event.pupil == pupil and event.after["format"] == "json" and event.after["marks"] == 2


def test_a_second_export_lists_the_first(pupil):
    export(pupil.upn)
    data = json.loads(export(pupil.upn)[1])
    assert [e["action"] for e in data["audit_events"]] == ["pupil.view", "subject_access.export"]


def test_json_to_a_file(pupil, tmp_path):
    path = tmp_path / "sar.json"
    code, out, err = export(pupil.upn, "--output", str(path))
    assert code == 0 and out == "" and str(path) in err
    assert json.loads(path.read_text(encoding="utf-8"))["upn"] == pupil.upn


def test_pdf_is_a_real_pdf_with_the_upn(pupil, tmp_path):
    path = tmp_path / "sar.pdf"
    code, _, _ = export(pupil.upn, "--format", "pdf", "--output", str(path))
    assert code == 0
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "pdftotext is needed (poppler-utils: make system-packages)"
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert pupil.upn in text
    assert "Zoë Ŵilliams" in text
    assert "Arrived with a note" in text
    assert "Page 1 of" in text
    assert AuditEvent.objects.get(action="subject_access.export").after["format"] == "pdf"


@pytest.mark.parametrize(
    ("upn", "message"),
    [("not-a-upn", "is not a valid UPN"), (make_upn(99999), "No pupil with UPN")],
)
def test_a_bad_or_unknown_upn_is_refused(pupil, upn, message):
    code, out, err = export(upn)
    assert code == 1 and out == ""
    assert message in err
    assert not AuditEvent.objects.filter(action="subject_access.export").exists()
