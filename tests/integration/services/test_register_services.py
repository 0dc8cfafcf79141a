"""Register services: one transaction, the original kept, summaries in step with the marks."""

from __future__ import annotations

import datetime as dt

import pytest

from attend.core.exceptions import NotFoundOrForbidden
from attend.registers.domain import Session
from attend.registers.models import (
    Amendment,
    Mark,
    Register,
    SchoolSessionSummary,
    SchoolWeekSummary,
    WeekSummary,
)
from attend.registers.services import (
    MarkInput,
    RegisterConflict,
    RegisterError,
    register_amend,
    register_take,
    register_version,
)
from attend.registers.summaries import rebuild_all
from tests.factories import (
    EnrolmentFactory,
    GroupFactory,
    MarkFactory,
    MembershipFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 9, 3)


@pytest.fixture
def group():
    school = SchoolFactory(register_open_minutes=20)
    group = GroupFactory(school=school)
    for _ in range(3):
        EnrolmentFactory(school=school, registration_group=group)
    return group


@pytest.fixture
def teacher(group):
    return MembershipFactory(school=group.school, role="teacher", groups=[group]).user


@pytest.fixture
def office(group):
    return MembershipFactory(school=group.school, role="office").user


def roll(group):
    return list(group.enrolments.order_by("pk"))


def snapshot():
    """The summary tables, as sorted rows (the incremental path must equal a rebuild)."""
    rows = []
    for model in (WeekSummary, SchoolWeekSummary, SchoolSessionSummary):
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        rows.append(sorted(model.objects.values_list(*fields)))
    return rows


def take(actor, group, codes, version="new", day=DAY):
    entries = {e.pk: MarkInput(*c) if isinstance(c, tuple) else MarkInput(c) for e, c in codes}
    return register_take(
        actor=actor, group=group, day=day, session=Session.AM, entries=entries, version=version
    )


def test_take_writes_marks_summaries_and_the_register(group, teacher):
    pupils = roll(group)
    take(teacher, group, [(pupils[0], "/"), (pupils[1], ("L", 10)), (pupils[2], ("L", 25))])
    codes = dict(Mark.objects.values_list("enrolment_id", "code"))
    assert codes == {pupils[0].pk: "/", pupils[1].pk: "L", pupils[2].pk: "U"}
    assert Register.objects.get().taken_by == teacher
    incremental = snapshot()
    assert sum(WeekSummary.objects.values_list("late", flat=True)) == 2
    assert sum(WeekSummary.objects.values_list("penalty", flat=True)) == 1
    rebuild_all()
    assert snapshot() == incremental


def test_every_pupil_needs_a_mark_and_bad_codes_are_refused(group, teacher):
    pupils = roll(group)
    with pytest.raises(RegisterError, match="every pupil"):
        take(teacher, group, [(pupils[0], "/")])
    with pytest.raises(RegisterError, match="not an attendance code"):
        take(teacher, group, [(p, "Q9") for p in pupils])
    with pytest.raises(RegisterError, match="only for late marks"):
        take(teacher, group, [(pupils[0], ("I", 5)), (pupils[1], "/"), (pupils[2], "/")])
    assert not Mark.objects.exists() and not Register.objects.exists()


def test_prefilled_marks_are_kept(group, teacher):
    pupils = roll(group)
    MarkFactory(enrolment=pupils[0], date=DAY, session="AM", code="C")
    with pytest.raises(RegisterConflict):  # the page was opened before the office's entry
        take(teacher, group, [(pupils[1], "/"), (pupils[2], "/")])
    version = register_version(group, DAY, Session.AM)
    take(teacher, group, [(pupils[1], "/"), (pupils[2], "/")], version=version)
    assert Mark.objects.get(enrolment=pupils[0]).code == "C"


def test_a_register_fully_marked_by_an_import_counts_as_taken(group, teacher, office):
    from attend.registers.selectors import register_sheet, registers_missing

    for pupil in roll(group):
        MarkFactory(enrolment=pupil, date=DAY, session="AM", code="/")
    assert register_sheet(office, group.pk, DAY, Session.AM).taken
    assert registers_missing(office, group.school, DAY, Session.AM) == []
    assert [m.group for m in registers_missing(office, group.school, DAY, Session.PM)] == [group]
    with pytest.raises(RegisterConflict):
        take(teacher, group, [(p, "/") for p in roll(group)])


def test_a_second_save_of_the_same_register_is_a_conflict_and_changes_nothing(
    group, teacher, office
):
    pupils = roll(group)
    take(teacher, group, [(p, "/") for p in pupils])
    with pytest.raises(RegisterConflict):
        take(office, group, [(p, "N") for p in pupils])
    assert set(Mark.objects.values_list("code", flat=True)) == {"/"}


def test_amendment_keeps_the_original_and_needs_a_reason(group, teacher, office):
    pupils = roll(group)
    take(teacher, group, [(p, "/") for p in pupils])
    version = register_version(group, DAY, Session.AM)
    with pytest.raises(RegisterError, match="reason"):
        register_amend(
            actor=office,
            group=group,
            day=DAY,
            session=Session.AM,
            changes={pupils[0].pk: MarkInput("M")},
            reason=" ",
            version=version,
        )
    count = register_amend(
        actor=office,
        group=group,
        day=DAY,
        session=Session.AM,
        changes={pupils[0].pk: MarkInput("M"), pupils[1].pk: MarkInput("/")},
        reason="Dentist letter received",
        version=version,
    )
    assert count == 1
    amendment = Amendment.objects.get()
    assert (amendment.old_code, amendment.new_code) == ("/", "M")
    assert amendment.old_recorded_by == teacher.display_name
    assert amendment.amended_by_position == office.position
    assert WeekSummary.objects.get(enrolment=pupils[0]).authorised == 1
    incremental = snapshot()
    rebuild_all()
    assert snapshot() == incremental
    # The version moved on: an amendment from a stale page is a conflict.
    with pytest.raises(RegisterConflict):
        register_amend(
            actor=office,
            group=group,
            day=DAY,
            session=Session.AM,
            changes={pupils[0].pk: MarkInput("I")},
            reason="again",
            version=version,
        )


def test_scope_teacher_of_another_group_and_amending_without_the_right(group, teacher):
    other = GroupFactory(school=group.school)
    pupil = EnrolmentFactory(school=group.school, registration_group=other)
    with pytest.raises(NotFoundOrForbidden):
        take(teacher, other, [(pupil, "/")])
    take(teacher, group, [(p, "/") for p in roll(group)])
    with pytest.raises(NotFoundOrForbidden):
        register_amend(
            actor=teacher,
            group=group,
            day=DAY,
            session=Session.AM,
            changes={roll(group)[0].pk: MarkInput("I")},
            reason="x",
            version=register_version(group, DAY, Session.AM),
        )


def test_staff_of_another_school_cannot_take_the_register(group):
    stranger = MembershipFactory(role="office").user
    with pytest.raises(NotFoundOrForbidden):
        take(stranger, group, [(p, "/") for p in roll(group)])


def test_future_registers_are_refused(group, teacher):
    with pytest.raises(RegisterError, match="future"):
        take(teacher, group, [(p, "/") for p in roll(group)], day=dt.date(2099, 1, 5))
