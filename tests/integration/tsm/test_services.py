"""The TSM services: scheduling (idempotent, one transaction, audited), planning, recording the
meeting with its actions, and naming a school's LA attendance officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attend.audit.models import AuditEvent
from attend.core.exceptions import NotFoundOrForbidden
from attend.organisations.models import School
from attend.tsm import services
from attend.tsm.domain import Term
from attend.tsm.models import AgreedAction, TargetedSupportMeeting
from attend.tsm.services import ActionInput, CarriedInput, MeetingRecord, TsmInvalid
from tests.integration.tsm.conftest import YEAR

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def _record(**changes: Any) -> MeetingRecord:
    values: dict[str, Any] = {
        "held_on": dt.date(2025, 9, 17),
        "attendees": "Head\nLA officer",
        "discussion": "Discussed the severely absent pupils.",
        "successes": "First-day calling",
        "improvements": "Letters",
        "actions": [],
    }
    values.update(changes)
    return MeetingRecord(**values)


def test_schedule_year_creates_three_meetings_per_school_once(tsm):
    services.school_officers_set(actor=tsm.admin, officers={tsm.a.pk: tsm.officer.pk})
    created = services.schedule_year(local_authority=tsm.la, year=YEAR, actor=None, actor_name="t")
    assert len(created) == 9  # three schools, three terms
    a = {m.term: m for m in TargetedSupportMeeting.objects.filter(school=tsm.a)}
    # Autumn from the school's calendar (term from Monday 1 September 2025): week 4's Wednesday.
    assert a["autumn"].planned_on == dt.date(2025, 9, 24)
    # No spring or summer term in its calendar: nominal starts (5 January, 20 April).
    assert a["spring"].planned_on == dt.date(2026, 1, 28)
    assert a["summer"].planned_on == dt.date(2026, 5, 13)
    assert a["autumn"].la_officer == tsm.officer
    assert a["autumn"].created_by_name == "t"
    events = AuditEvent.objects.filter(action="tsm.schedule")
    assert events.count() == 9
    assert set(events.values_list("school_id", flat=True)) == {
        s.pk for s in School.objects.filter(local_authority=tsm.la)
    }

    again = services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.admin)
    assert again == []
    assert TargetedSupportMeeting.objects.count() == 9
    assert AuditEvent.objects.filter(action="tsm.schedule").count() == 9


def test_schedule_year_fills_in_only_the_missing_meetings(tsm):
    services.meeting_plan(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.SPRING,
        planned_on=dt.date(2026, 2, 3),
        today=TODAY,
    )
    created = services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.officer)
    assert len(created) == 8
    spring = TargetedSupportMeeting.objects.get(school=tsm.a, term="spring")
    assert spring.planned_on == dt.date(2026, 2, 3)  # replanned date kept


def test_schedule_year_is_one_transaction(tsm, monkeypatch):
    def fail(events):
        list(events)
        raise RuntimeError("audit failed")

    monkeypatch.setattr(services, "audit_record_many", fail)
    with pytest.raises(RuntimeError):
        services.schedule_year(local_authority=tsm.la, year=YEAR, actor=None, actor_name="t")
    assert not TargetedSupportMeeting.objects.exists()


def test_schedule_year_needs_tsm_manage_and_a_sensible_year(tsm):
    for actor in (tsm.office, tsm.governor, tsm.officer_elsewhere):
        with pytest.raises(NotFoundOrForbidden):
            services.schedule_year(local_authority=tsm.la, year=YEAR, actor=actor)
    with pytest.raises(TsmInvalid) as exc:
        services.schedule_year(local_authority=tsm.la, year=1999, actor=None, actor_name="t")
    assert "year" in exc.value.problems
    assert not TargetedSupportMeeting.objects.exists()


def test_plan_and_replan_a_meeting(tsm):
    meeting = services.meeting_plan(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        planned_on=dt.date(2025, 10, 1),
        today=TODAY,
    )
    services.meeting_plan(
        actor=tsm.admin,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        planned_on=dt.date(2025, 10, 8),
        today=TODAY,
    )
    meeting.refresh_from_db()
    assert meeting.planned_on == dt.date(2025, 10, 8)
    events = AuditEvent.objects.filter(action="tsm.plan").order_by("pk")
    assert [e.after["planned_on"] for e in events] == ["2025-10-01", "2025-10-08"]
    assert events[1].before == {"planned_on": "2025-10-01"}

    with pytest.raises(TsmInvalid) as exc:
        services.meeting_plan(
            actor=tsm.officer,
            school_id=tsm.a.pk,
            year=YEAR,
            term=Term.AUTUMN,
            planned_on=dt.date(2026, 9, 1),  # the next academic year
            today=TODAY,
        )
    assert "2025/26" in exc.value.problems["planned_on"]
    for actor in (tsm.office, tsm.senior, tsm.officer_elsewhere):
        with pytest.raises(NotFoundOrForbidden):
            services.meeting_plan(
                actor=actor,
                school_id=tsm.a.pk,
                year=YEAR,
                term=Term.AUTUMN,
                planned_on=dt.date(2025, 10, 1),
                today=TODAY,
            )


def test_record_a_meeting_with_actions(tsm):
    services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.officer)
    meeting = services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=_record(
            la_officer_id=tsm.officer.pk,
            actions=[
                ActionInput("Call the families", "Head of Year 9", dt.date(2025, 10, 1)),
                ActionInput(
                    "Send letters", "Office", dt.date(2025, 9, 24), done_on=dt.date(2025, 9, 20)
                ),
            ],
        ),
    )
    assert meeting.held_on == dt.date(2025, 9, 17)
    assert meeting.la_officer == tsm.officer
    assert meeting.updated_by_name == tsm.officer.display_name
    actions = list(meeting.actions.order_by("due_on"))
    assert [(a.description, a.done_on) for a in actions] == [
        ("Send letters", dt.date(2025, 9, 20)),
        ("Call the families", None),
    ]
    assert AuditEvent.objects.filter(action="tsm.record", school=tsm.a).count() == 1
    assert AuditEvent.objects.filter(action="tsm.action_add").count() == 2

    # Edit one action and mark it done; the unchanged one is not audited again.
    call = actions[1]
    services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=_record(
            la_officer_id=tsm.officer.pk,
            actions=[
                ActionInput(
                    "Call the families",
                    "Head of Year 9",
                    dt.date(2025, 10, 1),
                    done_on=dt.date(2025, 9, 30),
                    notes="All called",
                    action_id=call.pk,
                ),
                ActionInput(
                    "Send letters",
                    "Office",
                    dt.date(2025, 9, 24),
                    done_on=dt.date(2025, 9, 20),
                    action_id=actions[0].pk,
                ),
            ],
        ),
    )
    call.refresh_from_db()
    assert call.done_on == dt.date(2025, 9, 30) and call.notes == "All called"
    updates = AuditEvent.objects.filter(action="tsm.action_update")
    assert updates.count() == 1
    assert updates.get().after["done_on"] == "2025-09-30"
    assert AgreedAction.objects.count() == 2


def test_a_meeting_record_is_refused_whole(tsm):
    services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.officer)
    with pytest.raises(TsmInvalid) as exc:
        services.meeting_record(
            actor=tsm.officer,
            school_id=tsm.a.pk,
            year=YEAR,
            term=Term.AUTUMN,
            today=TODAY,
            record=_record(
                held_on=TODAY + dt.timedelta(days=1),
                la_officer_id=tsm.office.pk,  # not an LA attendance officer
                actions=[
                    ActionInput("Call", "Head of Year 9", dt.date(2025, 10, 1)),
                    ActionInput("Letters", "", None, done_on=TODAY + dt.timedelta(days=1)),
                ],
            ),
        )
    assert set(exc.value.problems) == {
        "held_on",
        "la_officer",
        "action-1-owner",
        "action-1-due_on",
        "action-1-done_on",
    }
    meeting = TargetedSupportMeeting.objects.get(school=tsm.a, term="autumn")
    assert meeting.held_on is None and meeting.discussion == ""
    assert not AgreedAction.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["tsm.record", "tsm.action_add"]).exists()


def test_open_actions_of_earlier_meetings_are_updated_at_the_next(tsm):
    services.schedule_year(local_authority=tsm.la, year=YEAR, actor=tsm.officer)
    autumn = services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=_record(actions=[ActionInput("Call", "Head of Year 9", dt.date(2025, 10, 1))]),
    )
    action = autumn.actions.get()
    services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.SPRING,
        today=TODAY,
        record=_record(
            held_on=dt.date(2026, 1, 21),
            carried=[CarriedInput(action.pk, dt.date(2026, 1, 10), "Done in January")],
        ),
    )
    action.refresh_from_db()
    assert action.done_on == dt.date(2026, 1, 10)
    assert action.notes == "Done in January"
    # An action of another school, or of this meeting, cannot be carried.
    other = services.meeting_record(
        actor=tsm.officer,
        school_id=tsm.b.pk,
        year=YEAR,
        term=Term.AUTUMN,
        today=TODAY,
        record=_record(actions=[ActionInput("Other", "Office", dt.date(2025, 10, 1))]),
    )
    for foreign in (other.actions.get().pk,):
        with pytest.raises(NotFoundOrForbidden):
            services.meeting_record(
                actor=tsm.officer,
                school_id=tsm.a.pk,
                year=YEAR,
                term=Term.SPRING,
                today=TODAY,
                record=_record(carried=[CarriedInput(foreign, None, "")]),
            )
        with pytest.raises(NotFoundOrForbidden):
            services.meeting_record(
                actor=tsm.officer,
                school_id=tsm.a.pk,
                year=YEAR,
                term=Term.SPRING,
                today=TODAY,
                record=_record(actions=[ActionInput("x", "y", TODAY, action_id=foreign)]),
            )


def test_recording_an_unscheduled_meeting_plans_it(tsm):
    meeting = services.meeting_record(
        actor=tsm.admin,
        school_id=tsm.a.pk,
        year=YEAR,
        term=Term.SUMMER,
        today=TODAY,
        record=_record(held_on=None),
    )
    assert meeting.planned_on == dt.date(2026, 5, 13)
    assert AuditEvent.objects.filter(action="tsm.plan").count() == 1


def test_naming_the_la_attendance_officer(tsm):
    changed = services.school_officers_set(
        actor=tsm.admin, officers={tsm.a.pk: tsm.officer.pk, tsm.b.pk: None}
    )
    assert changed == 1
    tsm.a.refresh_from_db()
    assert tsm.a.la_attendance_officer == tsm.officer
    event = AuditEvent.objects.get(action="school.la_officer_set")
    assert event.school_id == tsm.a.pk
    assert event.after == {"la_attendance_officer": tsm.officer.display_name}
    # Saving the same again changes nothing and records nothing.
    assert services.school_officers_set(actor=tsm.admin, officers={tsm.a.pk: tsm.officer.pk}) == 0

    # Only an LA attendance officer of the school's own LA can be named; all or nothing.
    for user in (tsm.office, tsm.admin, tsm.officer_elsewhere):
        with pytest.raises(TsmInvalid) as exc:
            services.school_officers_set(
                actor=tsm.admin, officers={tsm.b.pk: tsm.officer.pk, tsm.a.pk: user.pk}
            )
        assert set(exc.value.problems) == {f"officer_{tsm.a.pk}"}
    with pytest.raises(TsmInvalid):
        services.school_officers_set(actor=tsm.admin, officers={tsm.a.pk: 999999})
    tsm.b.refresh_from_db()
    assert tsm.b.la_attendance_officer is None

    # Only an LA administrator of the school's LA may name one.
    for actor in (tsm.officer, tsm.office, tsm.officer_elsewhere):
        with pytest.raises(NotFoundOrForbidden):
            services.school_officers_set(actor=actor, officers={tsm.a.pk: None})


def test_the_officer_is_set_null_when_the_user_goes(tsm):
    services.school_officers_set(actor=tsm.admin, officers={tsm.a.pk: tsm.officer.pk})
    tsm.officer.delete()
    tsm.a.refresh_from_db()
    assert tsm.a.la_attendance_officer is None
