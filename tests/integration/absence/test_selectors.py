"""The office's worklist: order, flags, runs, overdue N marks, scope and a fixed query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attend.absence import selectors
from attend.absence.domain import Step
from attend.accounts.models import CaseloadEntry
from attend.accounts.scope import scope_for
from attend.core.exceptions import NotFoundOrForbidden
from tests.factories import MembershipFactory, SchoolFactory
from tests.integration.absence.conftest import DAY

pytestmark = pytest.mark.django_db


def test_worklist_puts_vulnerable_pupils_first_then_previous_absences_then_names(fw) -> None:
    plain = fw.pupil("Adams")
    ehcp = fw.pupil("Brown", flags={"sen_status": "E"})
    repeat = fw.pupil("Clark")
    looked_after = fw.pupil("Davis", flags={"looked_after": "Y"})
    cp = fw.pupil("Evans", flags={"cp_plan": "Y"})
    other = fw.pupil("Abbot")
    fw.pupil("Present")  # no N: not on the worklist
    # Clark: 3 unexplained sessions earlier this year (a whole week ago and this week's part).
    fw.marks(
        repeat,
        {
            (dt.date(2025, 9, 15), "AM"): "N",
            (dt.date(2025, 9, 16), "PM"): "O",
            (dt.date(2025, 11, 7), "AM"): "G",
        },
    )
    for enrolment in (plain, ehcp, repeat, looked_after, cp, other):
        fw.n(enrolment, sessions=("AM",))
    work = selectors.worklist_for(fw.office, fw.school.pk, DAY)
    assert [r.enrolment.pupil.surname for r in work.rows] == [
        "Evans",
        "Davis",
        "Brown",
        "Clark",
        "Abbot",
        "Adams",
    ]
    by_name = {r.enrolment.pupil.surname: r for r in work.rows}
    assert by_name["Clark"].previous_unexplained == 2  # N and O; G is not unexplained
    assert by_name["Evans"].flags.labels == ["Child protection plan"]
    assert work.vulnerable == 3
    assert by_name["Adams"].contacts[0].parental_responsibility
    assert by_name["Adams"].sessions == ["AM"]
    assert by_name["Adams"].step == Step.CONTACT_PARENTS
    assert by_name["Adams"].deadline == dt.date(2025, 11, 17)


def test_caseload_makes_a_pupil_vulnerable(fw) -> None:
    enrolment = fw.pupil("Zed")
    fw.n(enrolment)
    worker: Any = MembershipFactory(
        role="social_worker", school=None, local_authority=fw.school.local_authority
    ).user
    CaseloadEntry.objects.create(user=worker, pupil=enrolment.pupil, start_date=dt.date(2025, 9, 1))
    (row,) = selectors.worklist_for(fw.office, fw.school.pk, DAY).rows
    assert row.flags.social_worker and row.social_workers == [worker]


def test_run_of_days_counts_across_half_term_and_sets_the_step(fw) -> None:
    enrolment = fw.pupil("Run")
    days = [dt.date(2025, 10, 23), dt.date(2025, 10, 24), dt.date(2025, 11, 3)]
    days += [dt.date(2025, 11, 4), dt.date(2025, 11, 5), dt.date(2025, 11, 6)]
    days += [dt.date(2025, 11, 7)]
    fw.marks(enrolment, {(d, s): "O" for d in days for s in ("AM", "PM")})
    fw.n(enrolment)
    (row,) = selectors.worklist_for(fw.office, fw.school.pk, DAY).rows
    assert row.days == 8
    assert row.step == Step.HOME_VISIT
    fw.settings.home_visit_day, fw.settings.la_referral_day = 4, 8
    fw.settings.save()
    (row,) = selectors.worklist_for(fw.office, fw.school.pk, DAY).rows
    assert row.step == Step.LA_REFERRAL


def test_overdue_n_marks_are_listed_from_the_day_after_their_deadline(fw) -> None:
    enrolment = fw.pupil("Late")
    fw.n(enrolment, day=dt.date(2025, 10, 24), sessions=("PM",))
    fw.n(enrolment, day=dt.date(2025, 11, 3))
    on_deadline = selectors.worklist_for(fw.office, fw.school.pk, dt.date(2025, 11, 7))
    assert on_deadline.overdue == []
    work = selectors.worklist_for(fw.office, fw.school.pk, DAY)
    (item,) = work.overdue
    assert (item.enrolment, item.date, item.sessions) == (enrolment, dt.date(2025, 10, 24), ["PM"])
    assert item.deadline == dt.date(2025, 11, 7)


def test_worklist_is_out_of_scope_for_another_schools_office_and_for_teachers(fw) -> None:
    elsewhere: Any = MembershipFactory(school=SchoolFactory(), role="office").user
    teacher: Any = MembershipFactory(school=fw.school, role="teacher", groups=[fw.group]).user
    governor: Any = MembershipFactory(school=fw.school, role="governor").user
    enrolment = fw.pupil("Hidden")
    for actor in (elsewhere, teacher, governor):
        with pytest.raises(NotFoundOrForbidden):
            selectors.worklist_for(actor, fw.school.pk, DAY)
        with pytest.raises(NotFoundOrForbidden):
            selectors.pupil_follow_up(actor, enrolment.pk, DAY)
    senior: Any = MembershipFactory(school=fw.school, role="senior").user
    assert selectors.worklist_for(senior, fw.school.pk, DAY).school == fw.school


def _queries(fw) -> int:
    scope_for(fw.office)  # resolved once per request, before the page
    with CaptureQueriesContext(connection) as captured:
        work = selectors.worklist_for(fw.office, fw.school.pk, DAY)
        for row in work.rows:
            _ = (row.last_attempt, row.contacts, row.enrolment.registration_group)
        for item in work.overdue:
            _ = item.enrolment.pupil.full_name
    return len(captured)


def test_worklist_takes_a_fixed_number_of_queries(fw) -> None:
    first = fw.pupil("One", flags={"looked_after": "Y"})
    fw.n(first)
    fw.n(first, day=dt.date(2025, 10, 20))
    few = _queries(fw)
    for n in range(6):
        enrolment = fw.pupil(f"Many{n}", flags={"cp_plan": "Y"})
        fw.n(enrolment)
        fw.n(enrolment, day=dt.date(2025, 10, 21))
    assert _queries(fw) == few
    assert few <= 14  # one per kind of data: see selectors.worklist_for


def test_repeated_spells_of_illness_are_flagged(fw) -> None:
    sickly = fw.pupil("Sickly")
    twice = fw.pupil("Twice")
    spells = [dt.date(2025, 9, 8), dt.date(2025, 9, 9), dt.date(2025, 9, 22), dt.date(2025, 10, 6)]
    fw.marks(sickly, {(d, s): "I" for d in spells for s in ("AM", "PM")})
    fw.marks(twice, {(d, "AM"): "I" for d in spells[:3]})
    fw.n(sickly)
    work = selectors.worklist_for(fw.office, fw.school.pk, DAY)
    assert [(r.enrolment, r.spells) for r in work.repeated_illness] == [(sickly, 3)]
    (row,) = work.rows
    assert (row.illness_spells, row.repeated_illness) == (3, True)
    fw.settings.illness_spells = 2
    fw.settings.save()
    work = selectors.worklist_for(fw.office, fw.school.pk, DAY)
    assert [(r.enrolment, r.spells) for r in work.repeated_illness] == [(sickly, 3), (twice, 2)]
    follow_up = selectors.pupil_follow_up(fw.office, sickly.pk, DAY)
    assert follow_up.row.repeated_illness and follow_up.row.illness_spells == 3
