"""Imports through the real command: atomic, idempotent, every error with its line and column."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from attend.organisations.models import CalendarEntry, School
from attend.pupils.models import Characteristic, Contact, Enrolment, Pupil
from attend.registers.models import Amendment, Mark, WeekSummary
from tests.factories import make_upn
from tests.integration.scenario import Scenario, report

pytestmark = pytest.mark.django_db


def run_import(kind: str, path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", kind, str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def la(tmp_path):
    scenario = Scenario(tmp_path)
    scenario.schools("100001")
    scenario.term("100001", "2025-09-01", "2025-12-19")
    return scenario


def test_schools_import_is_idempotent_and_updates_names(write_csv):
    path = write_csv(
        "schools.csv",
        "phase,urn,name,la_code,la_name\nprimary,100001,Alpha,938,Demoshire\n"
        "special,100002,Beta,938,Demoshire",
    )
    assert run_import("schools", path)[0] == 0
    code, out, _ = run_import("schools", path)
    assert code == 0 and "0 created, 0 updated, 2 unchanged" in out
    assert School.objects.get(urn="100002").phase == "special"


def test_a_bad_file_is_refused_whole_with_every_error_by_line_and_column(write_csv):
    path = write_csv(
        "schools.csv",
        "urn,name,la_code,la_name,phase\n100001,Alpha,938,Demoshire,primary\n"
        "10000X,Beta,93,Demoshire,college\n100001,Again,938,Demoshire,primary",
    )
    code, _, err = run_import("schools", path)
    assert code == 1
    assert "schools.csv: line 3, column urn: '10000X' is not a URN" in err
    assert "schools.csv: line 3, column la_code:" in err
    assert "schools.csv: line 3, column phase: 'college' is not one of" in err
    assert "schools.csv: line 4, column urn: 100001 also appears on line 2" in err
    assert School.objects.count() == 0


def test_unknown_and_missing_columns_are_refused(write_csv):
    path = write_csv("schools.csv", "urn,name,la_code,phase,colour\n100001,A,938,primary,red")
    code, _, err = run_import("schools", path)
    assert code == 1
    assert "line 1, column colour: is not a known column" in err
    assert "line 1, column la_name: required column is missing" in err


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes("urn,name,la_code,la_name,phase\n1,Caf\xe9,938,X,primary\n".encode("latin-1"))
    code, _, err = run_import("schools", path)
    assert code == 1 and "is not UTF-8 text" in err


def test_calendar_refuses_unknown_school_and_reversed_dates(la, write_csv):
    path = write_csv(
        "cal.csv",
        "urn,kind,start_date,end_date,session\n999999,term,2025-09-01,2025-10-01,\n"
        "100001,closure,2025-10-02,2025-10-01,AM\n100001,holiday,2025-10-02,2025-10-03,",
    )
    code, _, err = run_import("calendar", path)
    assert code == 1
    assert "line 2, column urn: no school with URN 999999" in err
    assert "line 3, column end_date: is before start_date" in err
    assert "line 4, column kind:" in err
    assert CalendarEntry.objects.count() == 1


def test_pupils_import_with_characteristics_and_a_move_of_school(la, write_csv):
    la.schools("100002")
    upn = make_upn(1)
    path = write_csv(
        "pupils.csv",
        "upn,urn,surname,forename,date_of_birth,start_date,leaving_date,deletion_ground,"
        "registration_group,fsm,sen_status,looked_after\n"
        f"{upn},100001,Smith,Ann,2015-03-01,2024-09-02,2025-10-03,a,3B,N,K,false\n"
        f"{upn},100002,Smith,Ann,2015-03-01,2025-10-06,,,4C,Y,K,0",
    )
    assert run_import("pupils", path)[0] == 0
    assert run_import("pupils", path)[1].endswith("0 created, 0 updated, 2 unchanged\n")
    assert Pupil.objects.count() == 1
    assert Enrolment.objects.count() == 2
    fsm = Characteristic.objects.filter(kind="fsm").order_by("applies_from")
    assert [(c.value, c.applies_from) for c in fsm] == [
        ("N", dt.date(2024, 9, 2)),
        ("Y", dt.date(2025, 10, 6)),
    ]
    assert Characteristic.objects.filter(kind="sen_status").count() == 1


def test_pupils_import_refuses_a_bad_upn_and_bad_values(la, write_csv):
    path = write_csv(
        "pupils.csv",
        "upn,urn,surname,forename,date_of_birth,start_date,fsm\n"
        "A123,100001,Smith,Ann,2015-03-01,2024-09-02,maybe\n"
        f"{make_upn(2)},100001,,Bob,01/02/2015,2024-09-02,Y",
    )
    code, _, err = run_import("pupils", path)
    assert code == 1
    assert "line 2, column upn:" in err
    assert "line 2, column fsm: 'maybe' is not one of true/false/1/0/Y/N" in err
    assert "line 3, column surname: is required" in err
    assert "line 3, column date_of_birth: '01/02/2015' is not a date in the form YYYY-MM-DD" in err
    assert Pupil.objects.count() == 0


def test_contacts_import(la, write_csv):
    upn = la.pupil(1, "100001")
    path = write_csv(
        "contacts.csv",
        "upn,surname,forename,relationship,parental_responsibility,lives_with_pupil,priority,"
        f"phone,email\n{upn},Smith,Jo,Mother,Y,Y,1,07700900123,jo@example.org\n"
        f"{make_upn(99)},Smith,Al,Father,Y,N,2,,",
    )
    code, _, err = run_import("contacts", path)
    assert code == 1 and f"no pupil with UPN {make_upn(99)}" in err
    path.write_text(path.read_text().splitlines()[0] + "\n" + path.read_text().splitlines()[1])
    assert run_import("contacts", path)[0] == 0
    assert run_import("contacts", path)[0] == 0
    assert Contact.objects.get().parental_responsibility is True


def test_marks_import_refuses_every_bad_row_and_writes_nothing(la, write_csv):
    upn = la.pupil(1, "100001", start="2025-09-01")
    path = write_csv(
        "marks.csv",
        "upn,urn,date,session,code,minutes_late\n"
        f"{upn},100001,2025-09-02,AM,/,\n"
        f"{upn},100001,2025-09-02,XX,H,\n"
        f"{upn},100001,2025-08-01,AM,/,\n"
        f"{upn},100001,2025-09-03,AM,I,5\n"
        f"{upn},100001,2025-09-02,AM,/,\n"
        f"{upn},100001,2025-09-04,AM,-,",
    )
    code, _, err = run_import("marks", path)
    assert code == 1
    assert "line 3, column session: 'XX' is not AM or PM" in err
    assert "line 3, column code: Code 'H' was withdrawn" in err
    assert "line 4, column date:" in err and "not on the roll" in err
    assert "line 5, column minutes_late: is only for late codes (L, U), not I" in err
    assert "line 6, column session: the same session is also on line 2" in err
    assert "line 7, column code:" in err
    assert Mark.objects.count() == 0 and WeekSummary.objects.count() == 0


def test_historic_codes_are_accepted_for_older_years(tmp_path):
    la = Scenario(tmp_path)
    la.schools("100001")
    upn = la.pupil(1, "100001", start="2023-09-01")
    la.marks(upn, "100001", {(dt.date(2023, 10, 2), "AM"): "H", (dt.date(2023, 10, 2), "PM"): "J"})
    (row,) = report("pupils", "--as-of", "2023-10-06")
    assert (row["authorised_absence"], row["aea_sessions"]) == (1, 1)


def test_a_changed_mark_is_an_amendment_that_keeps_the_original(la):
    upn = la.pupil(1, "100001", start="2025-09-01")
    day = dt.date(2025, 9, 2)
    la.marks(upn, "100001", {(day, "AM"): "N"})
    la.marks(upn, "100001", {(day, "AM"): "I"})
    la.marks(upn, "100001", {(day, "AM"): "I"})  # the same again: nothing changes
    amendment = Amendment.objects.get()
    assert (amendment.old_code, amendment.new_code) == ("N", "I")
    assert amendment.reason.startswith("import marks-")
    (mark,) = report("marks", "--upn", upn)
    assert [h["code"] for h in mark["history"]] == ["N", "I"]
    assert mark["history"][1]["reason"] == amendment.reason
    assert WeekSummary.objects.get().authorised == 1
