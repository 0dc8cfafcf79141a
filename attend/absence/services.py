"""Writes of the follow-up: contact attempts, first-day messages, the social worker's alert, a
reason received (N amended to the right code) and an overdue N turned into O.

Each write is one transaction with its audit record. Messages go through the notification
gateway, which sends *outside* any transaction (a slow provider never holds the database): the
attempt is claimed first (a unique constraint makes sending idempotent), the message sent, then
the attempt completed with the message and its outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from attend.absence import domain
from attend.absence.models import ContactAttempt, FollowUpSettings, Method, Outcome, Purpose
from attend.absence.selectors import (
    _caseload_on,
    _year_days,
    follow_up_enrolment_get_for,
    follow_up_school_get_for,
    settings_for,
)
from attend.accounts.models import User
from attend.audit.services import audit_record
from attend.core.exceptions import AttendError
from attend.notifications.backends import Backend
from attend.notifications.domain import Channel
from attend.notifications.models import Message, Status
from attend.notifications.services import MessageRefused, message_send
from attend.pupils.models import Contact, Enrolment
from attend.registers.domain import Session
from attend.registers.models import Mark
from attend.registers.services import MarkInput, register_amend, register_version

log = logging.getLogger(__name__)

FIRST_DAY_TEMPLATE = "first-day-absence"
ALERT_TEMPLATE = "unexplained-absence-alert"


class FollowUpError(AttendError):
    """The follow-up cannot be done as asked; the message says why, for the office."""


def _when(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# -------------------------------------------------------------------------------------------------
# Contact attempts
# -------------------------------------------------------------------------------------------------


def contact_attempt_record(
    *,
    actor: User,
    enrolment_id: int,
    day: dt.date,
    method: str,
    outcome: str,
    contact_id: int | None = None,
    contact_name: str = "",
    note: str = "",
) -> ContactAttempt:
    """Log one call, text, email, home visit or other attempt about ``day``'s absence."""
    enrolment = follow_up_enrolment_get_for(actor, enrolment_id)
    method, outcome = Method(method), Outcome(outcome)
    contact = _contact_of(enrolment, contact_id)
    if contact is None and not contact_name.strip():
        raise FollowUpError("Choose who was contacted, or enter their name")
    with transaction.atomic():
        attempt = _attempt_create(
            actor, enrolment, day, method, outcome, contact, contact_name, note
        )
        audit_record(
            actor=actor,
            action="absence.contact_attempt",
            obj_type="contact_attempt",
            obj_id=attempt.pk,
            school=enrolment.school_id,
            pupil=enrolment.pupil,
            after={"date": day.isoformat(), "method": method.value, "outcome": outcome.value},
            summary=f"{day.isoformat()} {method.label}: {outcome.label}",
        )
    return attempt


def _contact_of(enrolment: Enrolment, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, pupil_id=enrolment.pupil_id).first()
    if contact is None:
        raise FollowUpError("Choose one of the pupil's contacts")
    return contact


def _attempt_create(
    actor: User,
    enrolment: Enrolment,
    day: dt.date,
    method: Method,
    outcome: Outcome,
    contact: Contact | None,
    contact_name: str,
    note: str,
    **extra: object,
) -> ContactAttempt:
    return ContactAttempt.objects.create(
        enrolment=enrolment,
        absence_date=day,
        method=method,
        outcome=outcome,
        contact=contact,
        contact_name=(f"{contact.forename} {contact.surname}" if contact else contact_name.strip()),
        note=note.strip(),
        recorded_by=actor,
        recorded_by_name=actor.display_name,
        recorded_at=timezone.now(),
        **extra,
    )


# -------------------------------------------------------------------------------------------------
# First-day messages and the social worker's alert
# -------------------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    no_contact: int = 0
    already: int = 0
    alerts: int = 0

    @property
    def summary(self) -> str:
        parts = [f"{self.sent} first-day message{'s' if self.sent != 1 else ''} sent"]
        if self.failed:
            parts.append(f"{self.failed} not delivered")
        if self.no_contact:
            parts.append(
                f"{self.no_contact} pupil{'s' if self.no_contact != 1 else ''} with no parent "
                "to text or email"
            )
        if self.already:
            parts.append(f"{self.already} already sent")
        parts.append(f"{self.alerts} social worker{'s' if self.alerts != 1 else ''} told")
        return "; ".join(parts)


def first_day_recipient(
    contacts: list[Contact], preferred: Channel
) -> tuple[Contact, Channel, str] | None:
    """The first contact with parental responsibility, by priority, who has a phone number or an
    email address; the school's channel when they have it, else the other one."""
    for contact in sorted(contacts, key=lambda c: (c.priority, c.surname, c.forename)):
        if not contact.parental_responsibility:
            continue
        phone, email = contact.phone.strip(), contact.email.strip()
        if preferred == Channel.SMS and phone:
            return contact, Channel.SMS, phone
        if email:
            return contact, Channel.EMAIL, email
        if phone:
            return contact, Channel.SMS, phone
    return None


def first_day_messages_send(
    *,
    actor: User,
    school_id: int,
    day: dt.date,
    backend: Backend | None = None,
) -> SendResult:
    """For every pupil with an N mark on ``day`` and no first-day message yet: a text or email to
    the first parent (template first-day-absence), logged as a contact attempt with the message.
    Then every pupil's social worker is told (:func:`social_worker_alerts_send`). Idempotent."""
    school = follow_up_school_get_for(actor, school_id)
    settings = settings_for(school)
    if not settings.office_phone.strip():
        raise FollowUpError(
            "Enter the office phone number in the school's follow-up settings: "
            "first-day messages quote it"
        )
    result = SendResult()
    claimed: list[tuple[ContactAttempt, Channel, str]] = []
    with transaction.atomic():
        enrolments = _n_enrolments(school.pk, day)
        done = set(
            ContactAttempt.objects.filter(
                enrolment__in=enrolments, absence_date=day, purpose=Purpose.FIRST_DAY
            ).values_list("enrolment_id", flat=True)
        )
        contacts: dict[int, list[Contact]] = {}
        for contact in Contact.objects.filter(pupil_id__in=[e.pupil_id for e in enrolments]):
            contacts.setdefault(contact.pupil_id, []).append(contact)
        for enrolment in enrolments:
            if enrolment.pk in done:
                result.already += 1
                continue
            found = first_day_recipient(
                contacts.get(enrolment.pupil_id, []), Channel(settings.first_day_channel)
            )
            if found is None:
                result.no_contact += 1
                continue
            contact, channel, to = found
            try:
                with transaction.atomic():
                    attempt = _attempt_create(
                        actor,
                        enrolment,
                        day,
                        Method.TEXT if channel == Channel.SMS else Method.EMAIL,
                        Outcome.MESSAGE_LEFT,
                        contact,
                        "",
                        "First-day message",
                        purpose=Purpose.FIRST_DAY,
                    )
            except IntegrityError:  # sent meanwhile by someone else
                result.already += 1
                continue
            claimed.append((attempt, channel, to))
        audit_record(
            actor=actor,
            action="absence.first_day_messages",
            obj_type="school",
            obj_id=school.pk,
            school=school,
            after={"date": day.isoformat(), "messages": len(claimed)},
            summary=f"First-day messages for {day.isoformat()}: {len(claimed)}",
        )
    for attempt, channel, to in claimed:
        enrolment, parent = attempt.enrolment, attempt.contact
        assert parent is not None
        values = {
            "school": school.name,
            "pupil": enrolment.pupil.full_name,
            "date": _when(day),
            "phone": settings.office_phone,
            "contact": f"{parent.forename} {parent.surname}",
        }
        message = _send(actor, channel, to, FIRST_DAY_TEMPLATE, values, enrolment, parent, backend)
        _complete(attempt, message)
        if message is not None and message.status == Status.SENT:
            result.sent += 1
        else:
            result.failed += 1
    result.alerts = social_worker_alerts_send(
        actor=actor, school_id=school.pk, day=day, backend=backend
    )
    return result


def _n_enrolments(school_id: int, day: dt.date) -> list[Enrolment]:
    ids = set(
        Mark.objects.filter(enrolment__school_id=school_id, date=day, code="N").values_list(
            "enrolment_id", flat=True
        )
    )
    return list(Enrolment.objects.filter(pk__in=ids).select_related("pupil").order_by("pk"))


def _send(
    actor: User,
    channel: Channel,
    to: str,
    template: str,
    values: Mapping[str, object],
    enrolment: Enrolment,
    contact: Contact | None,
    backend: Backend | None,
) -> Message | None:
    try:
        return message_send(
            actor=actor,
            school=enrolment.school,
            channel=channel,
            to=to,
            template_key=template,
            values=values,
            pupil=enrolment.pupil,
            contact=contact,
            backend=backend,
        )
    except MessageRefused as exc:
        log.warning("Follow-up message refused for enrolment %s: %s", enrolment.pk, exc)
        return None


def _complete(attempt: ContactAttempt, message: Message | None) -> None:
    with transaction.atomic():
        attempt.message = message
        if message is None:
            attempt.outcome = Outcome.NOT_DELIVERED
            attempt.note = f"{attempt.note}: refused (no template, or the address is not valid)"
        elif message.status != Status.SENT:
            attempt.outcome = Outcome.NOT_DELIVERED
            attempt.note = f"{attempt.note}: {message.error}"
        attempt.save(update_fields=["message", "outcome", "note"])
        audit_record(
            actor=attempt.recorded_by,
            action="absence.contact_attempt",
            obj_type="contact_attempt",
            obj_id=attempt.pk,
            school=attempt.enrolment.school_id,
            pupil=attempt.enrolment.pupil,
            after={
                "date": attempt.absence_date.isoformat(),
                "method": attempt.method,
                "outcome": attempt.outcome,
                "message": message.pk if message else None,
            },
            summary=f"{attempt.get_purpose_display()}: {attempt.get_outcome_display()}",
        )


def social_worker_alerts_send(
    *, actor: User, school_id: int, day: dt.date, backend: Backend | None = None
) -> int:
    """Email every current social worker (caseload) of each pupil with an N mark on ``day``,
    once per worker and day (template unexplained-absence-alert). Returns how many were sent."""
    school = follow_up_school_get_for(actor, school_id)
    settings = settings_for(school)
    claimed: list[ContactAttempt] = []
    with transaction.atomic():
        enrolments = {e.pupil_id: e for e in _n_enrolments(school.pk, day)}
        for entry in _caseload_on(list(enrolments), day):
            worker = entry.user
            if not worker.email:
                continue
            enrolment = enrolments[entry.pupil_id]
            try:
                with transaction.atomic():
                    claimed.append(
                        _attempt_create(
                            actor,
                            enrolment,
                            day,
                            Method.EMAIL,
                            Outcome.MESSAGE_LEFT,
                            None,
                            worker.display_name,
                            "Social worker told of the unexplained absence",
                            purpose=Purpose.PROFESSIONAL_ALERT,
                            professional=worker,
                        )
                    )
            except IntegrityError:  # already told today
                continue
        if claimed:
            audit_record(
                actor=actor,
                action="absence.social_worker_alerts",
                obj_type="school",
                obj_id=school.pk,
                school=school,
                after={"date": day.isoformat(), "alerts": len(claimed)},
                summary=f"Social workers told of absences on {day.isoformat()}: {len(claimed)}",
            )
    sent = 0
    for attempt in claimed:
        told = attempt.professional
        assert told is not None
        values = {
            "worker": told.display_name,
            "pupil": attempt.enrolment.pupil.full_name,
            "school": school.name,
            "date": _when(day),
            "phone": settings.office_phone or "the school office",
        }
        message = _send(
            actor,
            Channel.EMAIL,
            told.email,
            ALERT_TEMPLATE,
            values,
            attempt.enrolment,
            None,
            backend,
        )
        _complete(attempt, message)
        sent += message is not None and message.status == Status.SENT
    return sent


# -------------------------------------------------------------------------------------------------
# A reason received, and an overdue N
# -------------------------------------------------------------------------------------------------


def _amend_n_marks(actor: User, enrolment: Enrolment, day: dt.date, code: str, reason: str) -> int:
    """Amend every N mark of the enrolment on ``day`` to ``code`` through the register (the
    original entry is kept as an Amendment, WeekSummary follows). Inside the caller's
    transaction."""
    group = enrolment.registration_group
    if group is None:
        raise FollowUpError("The pupil has no registration group: amend the mark on the register")
    sessions = list(
        Mark.objects.filter(enrolment=enrolment, date=day, code="N")
        .order_by("session")
        .values_list("session", flat=True)
    )
    if not sessions:
        raise FollowUpError("There is no N mark on that day to amend")
    count = 0
    for session in sessions:
        count += register_amend(
            actor=actor,
            group=group,
            day=day,
            session=Session(session),
            changes={enrolment.pk: MarkInput(code)},
            reason=reason,
            version=register_version(group, day, Session(session)),
        )
    return count


def absence_reason_record(
    *,
    actor: User,
    enrolment_id: int,
    day: dt.date,
    code: str,
    method: str,
    contact_id: int | None = None,
    contact_name: str = "",
    note: str = "",
) -> int:
    """A reason received for ``day``'s absence: its N marks become ``code`` by amendment, and the
    contact is logged as "reason given". Returns how many marks were amended."""
    enrolment = follow_up_enrolment_get_for(actor, enrolment_id)
    code = code.strip().upper()
    if code not in domain.REASON_CODES:
        raise FollowUpError("Choose an absence code for the reason given")
    method_ = Method(method)
    contact = _contact_of(enrolment, contact_id)
    if contact is None and not contact_name.strip():
        raise FollowUpError("Choose who gave the reason, or enter their name")
    who = f"{contact.forename} {contact.surname}" if contact else contact_name.strip()
    reason = f"Reason given by {who} ({method_.label.lower()})" + (
        f": {note.strip()}" if note.strip() else ""
    )
    with transaction.atomic():
        count = _amend_n_marks(actor, enrolment, day, code, reason[:500])
        attempt = _attempt_create(
            actor, enrolment, day, method_, Outcome.REASON_GIVEN, contact, contact_name, note
        )
        audit_record(
            actor=actor,
            action="absence.reason",
            obj_type="contact_attempt",
            obj_id=attempt.pk,
            school=enrolment.school_id,
            pupil=enrolment.pupil,
            before={"code": "N"},
            after={"date": day.isoformat(), "code": code, "marks": count},
            summary=f"{day.isoformat()} reason given: N → {code} ({count} marks)",
        )
    return count


def overdue_n_resolve(
    *, actor: User, enrolment_id: int, day: dt.date, today: dt.date | None = None
) -> int:
    """Turn the N marks of ``day`` into O when they are past their 5-school-day deadline (reg
    10(7)-(9)). Returns how many marks were amended."""
    enrolment = follow_up_enrolment_get_for(actor, enrolment_id)
    today = today or timezone.localdate()
    if not domain.n_overdue(day, today, _year_days(enrolment.school, day)):
        raise FollowUpError("This N mark is not yet past its 5-school-day deadline")
    with transaction.atomic():
        count = _amend_n_marks(actor, enrolment, day, "O", domain.O_REASON)
        audit_record(
            actor=actor,
            action="absence.overdue_to_o",
            obj_type="enrolment",
            obj_id=enrolment.pk,
            school=enrolment.school_id,
            pupil=enrolment.pupil,
            before={"code": "N"},
            after={"date": day.isoformat(), "code": "O", "marks": count},
            summary=f"{day.isoformat()} N → O: {domain.O_REASON}",
        )
    return count


def follow_up_settings_save(
    *,
    actor: User,
    school_id: int,
    first_day_channel: str,
    office_phone: str,
    emergency_contacts_day: int,
    home_visit_day: int,
    la_referral_day: int,
    illness_spells: int = 3,
) -> FollowUpSettings:
    """Save a school's follow-up settings (the escalation days must be in order)."""
    school = follow_up_school_get_for(actor, school_id)
    try:
        domain.Escalation(emergency_contacts_day, home_visit_day, la_referral_day)
    except domain.InvalidEscalation as exc:
        raise FollowUpError(str(exc)) from exc
    if illness_spells < 2:
        raise FollowUpError("Repeated illness starts from 2 spells")
    with transaction.atomic():
        settings, _ = FollowUpSettings.objects.select_for_update().get_or_create(school=school)
        before = {
            "first_day_channel": settings.first_day_channel,
            "emergency_contacts_day": settings.emergency_contacts_day,
            "home_visit_day": settings.home_visit_day,
            "la_referral_day": settings.la_referral_day,
            "illness_spells": settings.illness_spells,
        }
        settings.first_day_channel = Channel(first_day_channel).value
        settings.office_phone = office_phone.strip()
        settings.emergency_contacts_day = emergency_contacts_day
        settings.home_visit_day = home_visit_day
        settings.la_referral_day = la_referral_day
        settings.illness_spells = illness_spells
        settings.save()
        audit_record(
            actor=actor,
            action="absence.settings",
            obj_type="follow_up_settings",
            obj_id=settings.pk,
            school=school,
            before=before,
            after={
                "first_day_channel": settings.first_day_channel,
                "emergency_contacts_day": emergency_contacts_day,
                "home_visit_day": home_visit_day,
                "la_referral_day": la_referral_day,
                "illness_spells": illness_spells,
            },
            summary="Follow-up settings changed",
        )
    return settings
