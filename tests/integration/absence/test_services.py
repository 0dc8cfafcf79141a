"""Follow-up writes: contact attempts, first-day messages, the social worker's alert, a reason
received (N amended) and an overdue N turned into O. Each is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attend.absence import services
from attend.absence.models import ContactAttempt, Outcome, Purpose
from attend.absence.services import FollowUpError
from attend.accounts.models import CaseloadEntry
from attend.audit.models import AuditEvent
from attend.core.exceptions import NotFoundOrForbidden
from attend.notifications.models import Message, Status
from attend.pupils.models import Contact
from attend.registers.models import Amendment, Mark, WeekSummary
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.integration.absence.conftest import DAY

pytestmark = pytest.mark.django_db


def test_reason_amends_n_to_i_keeping_the_original_and_updating_the_summary(fw) -> None:
    enrolment = fw.pupil("Ill")
    fw.n(enrolment)
    week = WeekSummary.objects.get(enrolment=enrolment, week=DAY)
    assert (week.n_n, week.n_i, week.unauthorised) == (2, 0, 2)
    contact = Contact.objects.get(pupil=enrolment.pupil)
    count = services.absence_reason_record(
        actor=fw.office,
        enrolment_id=enrolment.pk,
        day=DAY,
        code="I",
        method="phone",
        contact_id=contact.pk,
        note="Tummy bug",
    )
    assert count == 2
    assert set(Mark.objects.filter(enrolment=enrolment).values_list("code", flat=True)) == {"I"}
    amendments = Amendment.objects.filter(mark__enrolment=enrolment)
    assert {(a.old_code, a.new_code) for a in amendments} == {("N", "I")}
    assert all("Tummy bug" in a.reason and a.amended_by == fw.office for a in amendments)
    week = WeekSummary.objects.get(enrolment=enrolment, week=DAY)  # rewritten by the amendment
    assert (week.n_n, week.n_i, week.unauthorised, week.authorised) == (0, 2, 0, 2)
    attempt = ContactAttempt.objects.get(enrolment=enrolment)
    assert (attempt.outcome, attempt.contact, attempt.method) == (
        Outcome.REASON_GIVEN,
        contact,
        "phone",
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mark.amend", "absence.reason"} <= actions


def test_reason_refuses_codes_that_are_not_absence_codes_and_writes_nothing(fw) -> None:
    enrolment = fw.pupil("Wrong")
    fw.n(enrolment)
    for code in ("/", "N", "L", "ZZ"):
        with pytest.raises(FollowUpError):
            services.absence_reason_record(
                actor=fw.office,
                enrolment_id=enrolment.pk,
                day=DAY,
                code=code,
                method="phone",
                contact_name="Gran",
            )
    with pytest.raises(FollowUpError):  # no N mark on that day
        services.absence_reason_record(
            actor=fw.office,
            enrolment_id=enrolment.pk,
            day=DAY - dt.timedelta(days=1),
            code="I",
            method="phone",
            contact_name="Gran",
        )
    assert not Amendment.objects.exists() and not ContactAttempt.objects.exists()


def test_contact_attempt_is_logged_and_audited_and_scoped(fw) -> None:
    enrolment = fw.pupil("Called")
    attempt = services.contact_attempt_record(
        actor=fw.office,
        enrolment_id=enrolment.pk,
        day=DAY,
        method="phone",
        outcome="no_answer",
        contact_name="Uncle Bob",
    )
    assert attempt.who == "Uncle Bob" and attempt.recorded_by == fw.office
    event = AuditEvent.objects.get(action="absence.contact_attempt")
    assert event.pupil_id == enrolment.pupil_id and "No answer" in event.summary
    other: Any = MembershipFactory(school=SchoolFactory(), role="office").user
    with pytest.raises(NotFoundOrForbidden):
        services.contact_attempt_record(
            actor=other,
            enrolment_id=enrolment.pk,
            day=DAY,
            method="phone",
            outcome="no_answer",
            contact_name="X",
        )
    stranger = Contact.objects.create(
        pupil=fw.pupil("Other").pupil, surname="S", forename="T", relationship="Aunt"
    )
    with pytest.raises(FollowUpError):  # another pupil's contact
        services.contact_attempt_record(
            actor=fw.office,
            enrolment_id=enrolment.pk,
            day=DAY,
            method="phone",
            outcome="no_answer",
            contact_id=stranger.pk,
        )


def test_first_day_messages_go_once_to_the_first_parent(fw, tmp_path) -> None:
    texted = fw.pupil("Text")
    Contact.objects.create(  # priority 0 but no parental responsibility: never messaged
        pupil=texted.pupil,
        surname="Neighbour",
        forename="Nina",
        relationship="Neighbour",
        priority=0,
        phone="07700 900999",
    )
    emailed = fw.pupil("Mail", phone="", email="mail.parent@example.org")
    unreachable = fw.pupil("Nobody", phone="")
    fw.pupil("Here")  # present: no message
    for enrolment in (texted, emailed, unreachable):
        fw.n(enrolment, sessions=("PM",))
    result = services.first_day_messages_send(actor=fw.office, school_id=fw.school.pk, day=DAY)
    assert (result.sent, result.failed, result.no_contact, result.already) == (2, 0, 1, 0)
    messages = {m.pupil_id: m for m in Message.objects.all()}
    assert set(messages) == {texted.pupil_id, emailed.pupil_id}
    text, mail = messages[texted.pupil_id], messages[emailed.pupil_id]
    assert (text.channel, text.to, text.status, text.backend) == (
        "sms",
        "07700 900001",
        Status.SENT,
        "console",
    )
    assert "01632 960001" in text.body and "Pat Text" in text.body
    assert (mail.channel, mail.to) == ("email", "mail.parent@example.org")
    outbox = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert outbox == sorted(f"{m.pk}.txt" for m in messages.values())
    attempts = ContactAttempt.objects.filter(purpose=Purpose.FIRST_DAY)
    assert {(a.enrolment_id, a.message_id, a.method) for a in attempts} == {
        (texted.pk, text.pk, "text"),
        (emailed.pk, mail.pk, "email"),
    }
    again = services.first_day_messages_send(actor=fw.office, school_id=fw.school.pk, day=DAY)
    assert (again.sent, again.already) == (0, 2)
    assert Message.objects.count() == 2 and attempts.count() == 2
    assert AuditEvent.objects.filter(action="message.send").count() == 2
    assert AuditEvent.objects.filter(action="absence.first_day_messages").count() == 2


def test_first_day_messages_need_the_office_phone_number(fw) -> None:
    fw.settings.office_phone = ""
    fw.settings.save()
    fw.n(fw.pupil("Waiting"))
    with pytest.raises(FollowUpError):
        services.first_day_messages_send(actor=fw.office, school_id=fw.school.pk, day=DAY)
    assert not Message.objects.exists()


def test_the_social_worker_is_told_the_same_day_once(fw) -> None:
    enrolment = fw.pupil("Cared")
    fw.n(enrolment, sessions=("AM",))
    worker = UserFactory(first_name="Sol", last_name="Worker", email="sol@la.example.org")
    former = UserFactory(email="former@la.example.org")
    CaseloadEntry.objects.create(user=worker, pupil=enrolment.pupil, start_date=dt.date(2025, 9, 1))
    CaseloadEntry.objects.create(
        user=former,
        pupil=enrolment.pupil,
        start_date=dt.date(2024, 9, 1),
        end_date=dt.date(2025, 8, 31),
    )
    result = services.first_day_messages_send(actor=fw.office, school_id=fw.school.pk, day=DAY)
    assert result.alerts == 1
    alert = Message.objects.get(template_key="unexplained-absence-alert")
    assert (alert.to, alert.channel, alert.status) == ("sol@la.example.org", "email", Status.SENT)
    assert "Dear Sol Worker" in alert.body and "Pat Cared" in alert.body
    attempt = ContactAttempt.objects.get(purpose=Purpose.PROFESSIONAL_ALERT)
    assert (attempt.professional, attempt.message) == (worker, alert)
    assert services.social_worker_alerts_send(actor=fw.office, school_id=fw.school.pk, day=DAY) == 0
    assert Message.objects.filter(template_key="unexplained-absence-alert").count() == 1
    assert AuditEvent.objects.filter(action="absence.social_worker_alerts").count() == 1


def test_overdue_n_becomes_o_only_after_its_deadline(fw) -> None:
    enrolment = fw.pupil("Gone")
    friday = dt.date(2025, 10, 24)
    fw.n(enrolment, day=friday)
    with pytest.raises(FollowUpError):
        services.overdue_n_resolve(
            actor=fw.office, enrolment_id=enrolment.pk, day=friday, today=dt.date(2025, 11, 7)
        )
    assert not Amendment.objects.exists()
    count = services.overdue_n_resolve(
        actor=fw.office, enrolment_id=enrolment.pk, day=friday, today=dt.date(2025, 11, 10)
    )
    assert count == 2
    assert {a.reason for a in Amendment.objects.all()} == {
        "No reason received within 5 school days"
    }
    assert set(Mark.objects.filter(enrolment=enrolment).values_list("code", flat=True)) == {"O"}
    assert AuditEvent.objects.filter(action="absence.overdue_to_o").exists()
    week = WeekSummary.objects.get(enrolment=enrolment, week=dt.date(2025, 10, 20))
    assert (week.n_n, week.n_o) == (0, 2)


def test_settings_keep_the_escalation_days_in_order(fw) -> None:
    with pytest.raises(FollowUpError):
        services.follow_up_settings_save(
            actor=fw.office,
            school_id=fw.school.pk,
            first_day_channel="email",
            office_phone="01632 960002",
            emergency_contacts_day=4,
            home_visit_day=3,
            la_referral_day=10,
        )
    saved = services.follow_up_settings_save(
        actor=fw.office,
        school_id=fw.school.pk,
        first_day_channel="email",
        office_phone="01632 960002",
        emergency_contacts_day=2,
        home_visit_day=5,
        la_referral_day=10,
    )
    assert (saved.first_day_channel, saved.home_visit_day) == ("email", 5)
    assert AuditEvent.objects.filter(action="absence.settings").count() == 1
