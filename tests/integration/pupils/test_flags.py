"""School flags: the pages for office and senior staff, UPN errors, all-or-nothing writes, the
audit, ending a flag, and scope (another school's staff and flags, LA flags in every school)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attend.audit.models import AuditEvent
from attend.core.exceptions import NotFoundOrForbidden
from attend.monitoring.priorities import ANXIETY_FLAG
from attend.pupils import flags
from attend.pupils.models import Flag, PupilFlag
from tests.factories import make_upn
from tests.integration.monitoring.conftest import MonitoringLA

pytestmark = pytest.mark.django_db


@pytest.fixture
def la(tmp_path) -> MonitoringLA:
    return MonitoringLA(tmp_path)


@pytest.fixture
def world(la: MonitoringLA):
    here = la.pupils("100001", [{}, {}, {}])
    there = la.pupils("100002", [{}])
    school, other = la.school("100001"), la.school("100002")
    return {
        "la": la,
        "school": school,
        "other": other,
        "here": here,
        "there": there,
        "office": la.member("office", school=school),
        "senior": la.member("senior", school=school),
        "office_other": la.member("office", school=other),
        "teacher": la.member("teacher", school=school),
        "governor": la.member("governor", school=school),
    }


def test_every_la_has_the_anxiety_flag_in_each_school(client, world):
    client.force_login(world["office"])
    response = client.get(reverse("school_flags", args=[world["school"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ANXIETY_FLAG in html and "Local authority" in html


def test_office_creates_a_flag_and_flags_pupils_by_upn(client, world):
    school = world["school"]
    client.force_login(world["office"])
    response = client.post(
        reverse("school_flags", args=[school.pk]),
        {"name": "  Anxiety-related   absence ", "description": "Seen by the nurse"},
    )
    flag = Flag.objects.get(school=school)
    assert flag.name == "Anxiety-related absence"
    assert response.status_code == 302
    assert response["Location"] == reverse("school_flag", args=[school.pk, flag.pk])
    assert AuditEvent.objects.filter(action="flag.create", object_id=str(flag.pk)).count() == 1

    url = reverse("school_flag", args=[school.pk, flag.pk])
    upns = world["here"][:2]
    response = client.post(url, {"upns": f"{upns[0]}\n {upns[1].lower()} ", "start": "2025-09-03"})
    assert response.status_code == 302
    flagged = PupilFlag.objects.filter(flag=flag).order_by("pupil__upn")
    assert sorted(pf.pupil.upn for pf in flagged) == sorted(upns)
    assert {pf.start_date for pf in flagged} == {dt.date(2025, 9, 3)}
    assert {pf.set_by_id for pf in flagged} == {world["office"].pk}
    events = AuditEvent.objects.filter(action="pupil_flag.add")
    assert sorted(e.pupil_upn for e in events) == sorted(upns)
    assert {e.school_id for e in events} == {school.pk}
    html = client.get(url).content.decode()
    assert all(f'data-upn="{u}"' in html for u in upns)


def test_a_wrong_upn_is_named_and_nothing_is_flagged(client, world):
    school = world["school"]
    client.force_login(world["office"])
    flag = Flag.objects.get(local_authority=school.local_authority)
    url = reverse("school_flag", args=[school.pk, flag.pk])
    good = world["here"][0]
    elsewhere = world["there"][0]
    unknown = make_upn(999)
    response = client.post(
        url, {"upns": f"{good}\nX123\n{elsewhere}\n{unknown}", "start": "2025-09-03"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "X123" in html
    assert f"{elsewhere} is not a pupil of this school" in html
    assert f"{unknown} is not a pupil of this school" in html
    assert good not in html.split("There is a problem")[1].split("</ul>")[0]
    assert not PupilFlag.objects.exists()
    assert not AuditEvent.objects.filter(action="pupil_flag.add").exists()


def test_a_pupil_already_flagged_is_an_error(world):
    school, office = world["school"], world["office"]
    flag = Flag.objects.get(local_authority=school.local_authority)
    upn = world["here"][0]
    flags.pupil_flags_add(
        actor=office, school_id=school.pk, flag_id=flag.pk, upns=[upn], start=dt.date(2025, 9, 1)
    )
    with pytest.raises(flags.FlagInputError) as raised:
        flags.pupil_flags_add(
            actor=office,
            school_id=school.pk,
            flag_id=flag.pk,
            upns=[upn, upn],
            start=dt.date(2025, 9, 5),
        )
    assert raised.value.messages == [
        f"{upn} is given twice",
        f"{upn} already has this flag on 5 September 2025",
    ]


def test_duplicate_flag_names_are_refused(client, world):
    school = world["school"]
    client.force_login(world["senior"])
    response = client.post(
        reverse("school_flags", args=[school.pk]), {"name": ANXIETY_FLAG.upper()}
    )
    assert response.status_code == 400
    assert "already has a flag called" in response.content.decode()
    response = client.post(reverse("school_flags", args=[school.pk]), {"name": ""})
    assert response.status_code == 400
    assert "Enter the flag’s name" in response.content.decode()


def test_ending_a_flag(client, world):
    school, office = world["school"], world["office"]
    flag = Flag.objects.get(local_authority=school.local_authority)
    (pf,) = flags.pupil_flags_add(
        actor=office,
        school_id=school.pk,
        flag_id=flag.pk,
        upns=[world["here"][0]],
        start=dt.date(2025, 9, 10),
    )
    client.force_login(office)
    url = reverse("school_flag_end", args=[school.pk, flag.pk, pf.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"end": "2025-09-09"})
    assert response.status_code == 400
    assert "on or after the start" in response.content.decode()
    response = client.post(url, {"end": "2025-10-01"})
    assert response.status_code == 302
    pf.refresh_from_db()
    assert pf.end_date == dt.date(2025, 10, 1)
    event = AuditEvent.objects.get(action="pupil_flag.end")
    assert event.pupil_upn == world["here"][0] and event.after["to"] == "2025-10-01"


def test_scope(client, world):
    school, other = world["school"], world["other"]
    own = flags.flag_create(actor=world["office"], school_id=school.pk, name="Young carers")
    # Another school's office: not this school's pages, nor its flag through their own school.
    client.force_login(world["office_other"])
    assert client.get(reverse("school_flags", args=[school.pk])).status_code == 404
    assert client.get(reverse("school_flag", args=[other.pk, own.pk])).status_code == 404
    html = client.get(reverse("school_flags", args=[other.pk])).content.decode()
    assert "Young carers" not in html and ANXIETY_FLAG in html
    with pytest.raises(NotFoundOrForbidden):
        flags.pupil_flags_add(
            actor=world["office_other"],
            school_id=other.pk,
            flag_id=own.pk,
            upns=world["there"],
            start=dt.date(2025, 9, 1),
        )
    # The pupils a school flags with the LA's flag are that school's only.
    la_flag = Flag.objects.get(local_authority=school.local_authority)
    flags.pupil_flags_add(
        actor=world["office"],
        school_id=school.pk,
        flag_id=la_flag.pk,
        upns=world["here"][:1],
        start=dt.date(2025, 9, 1),
    )
    _, _, lines = flags.flag_for(world["office_other"], other.pk, la_flag.pk)
    assert lines == []
    for name in ("teacher", "governor"):
        client.force_login(world[name])
        assert client.get(reverse("school_flags", args=[school.pk])).status_code == 404
        response = client.post(reverse("school_flags", args=[school.pk]), {"name": "X"})
        assert response.status_code == 404
    assert Flag.objects.filter(school=school).count() == 1
