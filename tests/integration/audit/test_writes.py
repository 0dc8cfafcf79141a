"""Every write records its audit event in the same transaction: register take and amend, and
each import file (with an amend event per changed mark)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from attend.audit.models import AuditEvent
from attend.audit.services import AuditOutsideTransaction, audit_record
from attend.organisations.services import calendar_import, schools_import
from attend.pupils.services import contacts_import, pupils_import
from attend.registers.domain import Session
from attend.registers.models import Amendment, Mark
from attend.registers.services import (
    MarkInput,
    RegisterConflict,
    marks_import,
    register_amend,
    register_take,
    register_version,
)
from tests.factories import EnrolmentFactory, GroupFactory, MembershipFactory, make_upn

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 9, 3)


@pytest.fixture
def group():
    group = GroupFactory.create()
    for _ in range(3):
        EnrolmentFactory.create(school=group.school, registration_group=group)
    return group


@pytest.fixture
def office(group):
    return MembershipFactory.create(
        school=group.school, role="office", user__position="Attendance officer"
    ).user


def roll(group):
    return list(group.enrolments.order_by("pk"))


def take(actor, group, codes):
    pupils = roll(group)
    return register_take(
        actor=actor,
        group=group,
        day=DAY,
        session=Session.AM,
        entries={e.pk: MarkInput(c) for e, c in zip(pupils, codes, strict=True)},
        version="new",
    )


def amend(actor, group, changes, reason="Dentist letter received"):
    return register_amend(
        actor=actor,
        group=group,
        day=DAY,
        session=Session.AM,
        changes=changes,
        reason=reason,
        version=register_version(group, DAY, Session.AM),
    )


def test_register_take_records_one_event_with_every_mark(group, office):
    pupils = roll(group)
    register = take(office, group, ["/", "N", "/"])
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == (
        "register.take",
        "register",
        str(register.pk),
    )
    assert event.actor == office
    assert (event.actor_name, event.actor_position) == (office.display_name, "Attendance officer")
    assert event.school == group.school
    assert event.before is None
    assert event.after == {str(pupils[0].pk): "/", str(pupils[1].pk): "N", str(pupils[2].pk): "/"}


def test_register_amend_records_one_event_per_changed_mark(group, office):
    pupils = roll(group)
    take(office, group, ["/", "/", "/"])
    count = amend(
        office,
        group,
        {
            pupils[0].pk: MarkInput("M"),
            pupils[1].pk: MarkInput("/"),
            pupils[2].pk: MarkInput("L", 5),
        },
    )
    assert count == 2
    events = list(AuditEvent.objects.filter(action="mark.amend").order_by("pk"))
    assert len(events) == 2
    first, second = events
    mark = Mark.objects.get(enrolment=pupils[0])
    assert (first.object_type, first.object_id) == ("mark", str(mark.pk))
    assert first.before == {"code": "/", "minutes_late": None}
    assert first.after == {"code": "M", "minutes_late": None, "reason": "Dentist letter received"}
    assert first.pupil == pupils[0].pupil and first.pupil_upn == pupils[0].pupil.upn
    assert first.school == group.school and first.actor == office
    assert second.before == {"code": "/", "minutes_late": None}
    assert second.after["code"] == "L" and second.after["minutes_late"] == 5


def test_an_amend_that_fails_records_nothing(group, office, monkeypatch):
    pupils = roll(group)
    take(office, group, ["/", "/", "/"])
    before = AuditEvent.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after the amendment and its audit event were written: both roll back together.
    monkeypatch.setattr("attend.registers.services.summaries.refresh_week", broken)
    with pytest.raises(RuntimeError):
        amend(office, group, {pupils[0].pk: MarkInput("M")})
    monkeypatch.undo()
    with pytest.raises(RegisterConflict):
        register_amend(
            actor=office,
            group=group,
            day=DAY,
            session=Session.AM,
            changes={pupils[0].pk: MarkInput("M")},
            reason="Late letter",
            version="stale",
        )
    assert AuditEvent.objects.count() == before
    assert not Amendment.objects.exists()
    assert Mark.objects.get(enrolment=pupils[0]).code == "/"


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(actor=None, action="test.event", obj_type="test", obj_id=1)
    with transaction.atomic():
        audit_record(actor=None, actor_name="someone", action="test.event", obj_type="t", obj_id=1)
    assert AuditEvent.objects.get().actor_name == "someone"


# -------------------------------------------------------------------------------------------------
# Imports
# -------------------------------------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def file_events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_every_import_records_one_event_per_file_with_counts_and_changes(tmp_path):
    upn1, upn2 = make_upn(1), make_upn(2)
    schools = write(
        tmp_path,
        "schools.csv",
        "urn,name,la_code,la_name,phase\n100001,Alpha,938,Demoshire,primary\n"
        "100002,Beta,938,Demoshire,primary",
    )
    schools_import(path=schools, by="Data team")
    write(
        tmp_path,
        "schools.csv",
        "urn,name,la_code,la_name,phase\n100001,Alpha,938,Demoshire,primary\n"
        "100002,Beta Academy,938,Demoshire,special",
    )
    schools_import(path=schools)
    first, second = file_events("schools.import")
    assert first.actor is None and first.actor_name == "Data team"
    assert first.actor_name and second.actor_name.startswith("import by ")
    assert (first.object_type, first.object_id) == ("file", "schools.csv")
    assert first.after["created"] == 2 and first.after["changes"] == []
    assert (second.after["updated"], second.after["unchanged"]) == (1, 1)
    assert second.after["changes"] == [
        {
            "key": "100002",
            "before": {"name": "Beta", "phase": "primary"},
            "after": {"name": "Beta Academy", "phase": "special"},
        }
    ]

    calendar = write(
        tmp_path,
        "calendar.csv",
        "urn,kind,start_date,end_date,session\n100001,term,2025-09-01,2025-12-19,",
    )
    calendar_import(path=calendar, by="Data team")
    (event,) = file_events("calendar.import")
    assert (event.after["file"], event.after["created"]) == ("calendar.csv", 1)

    pupils_header = "upn,urn,surname,forename,date_of_birth,start_date,registration_group"
    pupils = write(
        tmp_path,
        "pupils.csv",
        f"{pupils_header}\n{upn1},100001,Smith,Ann,2015-01-01,2024-09-01,1A\n"
        f"{upn2},100001,Jones,Bo,2015-02-01,2024-09-01,1A",
    )
    pupils_import(path=pupils, by="Data team")
    write(
        tmp_path,
        "pupils.csv",
        f"{pupils_header}\n{upn1},100001,Smith-Brown,Ann,2015-01-01,2024-09-01,1B\n"
        f"{upn2},100001,Jones,Bo,2015-02-01,2024-09-01,1A",
    )
    pupils_import(path=pupils, by="Data team")
    first, second = file_events("pupils.import")
    assert first.after["created"] == 2
    assert second.after["updated"] == 1 and second.after["changes_not_listed"] == 0
    assert {"key": upn1, "before": {"surname": "Smith"}, "after": {"surname": "Smith-Brown"}} in (
        second.after["changes"]
    )
    assert {
        "key": f"{upn1} at 100001 from 2024-09-01",
        "before": {"registration_group": "1A"},
        "after": {"registration_group": "1B"},
    } in second.after["changes"]

    contacts_header = (
        "upn,surname,forename,relationship,parental_responsibility,lives_with_pupil,priority,phone"
    )
    contacts = write(
        tmp_path, "contacts.csv", f"{contacts_header}\n{upn1},Smith,Carol,Mother,Y,Y,1,0123"
    )
    contacts_import(path=contacts, by="Data team")
    write(tmp_path, "contacts.csv", f"{contacts_header}\n{upn1},Smith,Carol,Mother,Y,Y,1,0999")
    contacts_import(path=contacts, by="Data team")
    first, second = file_events("contacts.import")
    assert first.after["created"] == 1 and second.after["updated"] == 1
    assert second.after["changes"][0]["before"] == {"phone": "0123"}
    assert second.after["changes"][0]["after"] == {"phone": "0999"}

    marks_header = "upn,urn,date,session,code"
    marks = write(
        tmp_path,
        "marks.csv",
        f"{marks_header}\n{upn1},100001,2025-09-01,AM,/\n{upn1},100001,2025-09-01,PM,\\\n"
        f"{upn2},100001,2025-09-01,AM,/",
    )
    marks_import(path=marks, by="MIS transfer")
    assert not AuditEvent.objects.filter(action="mark.amend").exists()
    write(
        tmp_path,
        "marks.csv",
        f"{marks_header}\n{upn1},100001,2025-09-01,AM,I\n{upn1},100001,2025-09-01,PM,\\\n"
        f"{upn2},100001,2025-09-01,AM,N",
    )
    marks_import(path=marks, by="MIS transfer")
    first, second = file_events("marks.import")
    assert first.after == {
        "file": "marks.csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert (second.after["updated"], second.after["unchanged"]) == (2, 1)
    assert second.actor is None and second.actor_name == "MIS transfer"
    amends = {e.pupil_upn: e for e in AuditEvent.objects.filter(action="mark.amend")}
    assert set(amends) == {upn1, upn2}
    mark = Mark.objects.get(enrolment__pupil__upn=upn1, session="AM")
    assert amends[upn1].object_id == str(mark.pk)
    assert amends[upn1].before == {"code": "/", "minutes_late": None}
    assert amends[upn1].after == {"code": "I", "minutes_late": None, "reason": "import marks.csv"}
    assert amends[upn1].actor_name == "MIS transfer"
    assert amends[upn1].pupil_id == Mark.objects.get(pk=mark.pk).enrolment.pupil_id
    assert amends[upn1].school_id == mark.enrolment.school_id
    assert Amendment.objects.count() == 2


def test_a_refused_import_records_nothing(tmp_path):
    bad = write(
        tmp_path, "schools.csv", "urn,name,la_code,la_name,phase\n10000X,Alpha,938,D,primary"
    )
    with pytest.raises(Exception, match="nothing was imported"):
        schools_import(path=bad)
    assert not AuditEvent.objects.exists()


def test_an_import_event_lists_at_most_50_changed_rows():
    from attend.audit.services import MAX_CHANGES_RECORDED, audit_import
    from attend.core.results import ImportResult

    changes = [{"key": str(n), "before": {"a": 1}, "after": {"a": 2}} for n in range(60)]
    with transaction.atomic():
        event = audit_import(
            action="contacts.import",
            result=ImportResult("c.csv", rows=60, updated=60),
            by="Data team",
            changes=changes,
        )
    assert len(event.after["changes"]) == MAX_CHANGES_RECORDED == 50
    assert event.after["changes_not_listed"] == 10
