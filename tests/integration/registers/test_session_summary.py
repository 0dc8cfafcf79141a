"""SchoolSessionSummary: kept with the marks by every write path, equal to a rebuild, and in
agreement with the weekly summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum

from attend.audit.services import retention_apply
from attend.registers import summaries
from attend.registers.domain import Session
from attend.registers.models import Mark, SchoolSessionSummary, SchoolWeekSummary
from attend.registers.services import MarkInput, register_amend, register_take, register_version
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MarkFactory,
    MembershipFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 9, 3)
FIELDS = (
    "school_id",
    "date",
    "session",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "not_possible",
    "late",
    "late_minutes",
)


def rows() -> list[tuple]:
    return sorted(SchoolSessionSummary.objects.values_list(*FIELDS))


def equals_a_rebuild() -> list[tuple]:
    incremental = rows()
    summaries.rebuild_all()
    assert rows() == incremental
    return incremental


@pytest.fixture
def group():
    school = SchoolFactory(register_open_minutes=20)
    group = GroupFactory(school=school)
    for _ in range(4):
        EnrolmentFactory(school=school, registration_group=group)
    return group


def _user(membership: Any) -> Any:
    return membership.user


def roll(group):
    return list(group.enrolments.order_by("pk"))


def test_a_register_and_its_amendment_update_only_their_session(group):
    teacher = _user(MembershipFactory(school=group.school, role="teacher", groups=[group]))
    office = _user(MembershipFactory(school=group.school, role="office"))
    pupils = roll(group)
    # Another school's marks on the same date are not counted, nor touched.
    other = MarkFactory(date=DAY, session="AM", code="N")
    MarkFactory(enrolment=pupils[0], date=DAY, session="PM", code="/")
    summaries.rebuild_all()
    codes = [MarkInput("/"), MarkInput("L", 10), MarkInput("L", 25), MarkInput("I")]
    register_take(
        actor=teacher,
        group=group,
        day=DAY,
        session=Session.AM,
        entries={p.pk: c for p, c in zip(pupils, codes, strict=True)},
        version="new",
    )
    am = SchoolSessionSummary.objects.get(school=group.school, date=DAY, session="AM")
    # / and L are present; L(25 min) becomes U after the register closed; I is authorised.
    assert (am.present, am.authorised, am.unauthorised, am.late, am.late_minutes) == (
        2,
        1,
        1,
        2,
        35,
    )
    assert (
        SchoolSessionSummary.objects.get(school=group.school, date=DAY, session="PM").present == 1
    )
    assert SchoolSessionSummary.objects.get(school=other.enrolment.school).unauthorised == 1
    equals_a_rebuild()

    register_amend(
        actor=office,
        group=group,
        day=DAY,
        session=Session.AM,
        changes={pupils[3].pk: MarkInput("O"), pupils[1].pk: MarkInput("/")},
        reason="Letter not accepted; arrived on time after all",
        version=register_version(group, DAY, Session.AM),
    )
    am = SchoolSessionSummary.objects.get(school=group.school, date=DAY, session="AM")
    assert (am.present, am.authorised, am.unauthorised, am.late, am.late_minutes) == (
        2,
        0,
        2,
        1,
        25,
    )
    equals_a_rebuild()


def test_a_week_refreshed_without_its_session_equals_a_rebuild(group):
    pupils = roll(group)
    days = [DAY + dt.timedelta(days=i) for i in range(-2, 3)]  # Monday to Friday
    for day in days:
        for session in ("AM", "PM"):
            for pupil in pupils:
                MarkFactory(enrolment=pupil, date=day, session=session, code="/")
    summaries.rebuild_all()
    Mark.objects.filter(enrolment=pupils[1], date=days[4], session="PM").update(
        code="L", minutes_late=5
    )
    Mark.objects.filter(enrolment=pupils[2], date=days[0]).update(code="M")
    summaries.refresh_week([pupils[1].pk, pupils[2].pk], days[2])
    found = equals_a_rebuild()
    assert len(found) == 10


def test_an_import_keeps_the_session_summary(tmp_path):
    from tests.integration.scenario import Scenario

    la = Scenario(tmp_path)
    la.schools("100001", "100002")
    upns = [la.pupil(1, "100001"), la.pupil(2, "100001"), la.pupil(3, "100002")]
    monday = dt.date(2025, 9, 1)
    for n, upn in enumerate(upns):
        urn = "100002" if n == 2 else "100001"
        la.marks(upn, urn, {(monday, "AM"): "/", (monday, "PM"): "N", (DAY, "AM"): "L"})
    la.marks(upns[0], "100001", {(monday, "PM"): "C", (DAY, "PM"): "/"})
    found = equals_a_rebuild()
    by_key = {(r[0], r[1], r[2]): r for r in found}
    school = la_school = SchoolFactory._meta.model.objects.get(urn="100001").pk
    assert by_key[(school, monday, "PM")][5:7] == (1, 1)  # C authorised, N unauthorised
    assert by_key[(la_school, DAY, "AM")][3] == 2 and by_key[(la_school, DAY, "AM")][8] == 2


def test_the_session_rows_of_a_week_add_up_to_its_school_week_row(tmp_path):
    from tests.integration.scenario import Scenario, school_days, sessions

    la = Scenario(tmp_path)
    la.schools("100001")
    codes = ["/", "L", "U", "I", "N", "#", "B", "\\", "G", "M"]
    for n in range(1, 4):
        upn = la.pupil(n, "100001")
        days = sessions(school_days(dt.date(2025, 9, 1), dt.date(2025, 9, 12)))
        la.marks(
            upn,
            "100001",
            {key: codes[(i * n) % len(codes)] for i, key in enumerate(days)},
        )
    for week in SchoolWeekSummary.objects.all():
        totals = SchoolSessionSummary.objects.filter(
            school_id=week.school_id, date__gte=week.week, date__lte=week.week + dt.timedelta(6)
        ).aggregate(*(Sum(f) for f in FIELDS[3:]))
        assert [totals[f"{f}__sum"] for f in FIELDS[3:]] == [getattr(week, f) for f in FIELDS[3:]]
    assert SchoolWeekSummary.objects.count() == 2


def test_retention_removes_the_old_sessions_and_keeps_the_rest(group):
    pupil = roll(group)[0]
    old, new = dt.date(2025, 9, 1), dt.date(2026, 9, 7)
    MarkFactory(enrolment=pupil, date=old)
    MarkFactory(enrolment=pupil, date=dt.date(2026, 8, 1))  # Saturday in the week of 27 July
    MarkFactory(enrolment=pupil, date=new)
    summaries.rebuild_all()
    retention_apply(as_of=dt.date(2032, 9, 10), by="test")  # cutoff 1 August 2026
    assert [r[1] for r in equals_a_rebuild()] == [dt.date(2026, 8, 1), new]


def test_attend_rebuild_summaries_rebuilds_the_session_summary(group):
    import io

    from django.core.management import call_command

    pupil = roll(group)[0]
    MarkFactory(enrolment=pupil, date=DAY, session="AM", code="L", minutes_late=7)
    MarkFactory(enrolment=pupil, date=DAY, session="PM", code="O")
    SchoolSessionSummary.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild-summaries", stdout=out)
    assert "Rebuilt" in out.getvalue()
    assert [r[3:] for r in rows()] == [(1, 0, 0, 0, 0, 1, 7), (0, 0, 0, 1, 0, 0, 0)]
