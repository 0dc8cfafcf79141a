"""Sending a message: one gateway for every channel and backend.

:func:`message_send` renders the template (the school's own, else the default), records the
message and its audit event in one transaction, then hands it to the backend *outside* the
transaction (a slow provider never holds the database), and records the outcome in a second one.
A message whose sending was cut off stays "sending" on the pupil's record: nothing is lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attend.accounts.models import User
from attend.audit.services import audit_record
from attend.notifications.backends import Backend, DeliveryFailed, Outgoing, get_backend
from attend.notifications.domain import (
    SMS_MAX_LENGTH,
    Channel,
    MissingPlaceholder,
    render,
)
from attend.notifications.models import Message, MessageTemplate, Status
from attend.organisations.models import School
from attend.pupils.models import Contact, Pupil

log = logging.getLogger(__name__)

_PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


class MessageRefused(ValueError):
    """The message cannot be sent as asked (no template, a missing value, a bad address)."""


def template_for(school: School, key: str, channel: Channel) -> MessageTemplate:
    """The school's own template for ``key`` and ``channel``, else the default one."""
    found = sorted(
        MessageTemplate.objects.filter(
            Q(school=school) | Q(school__isnull=True), key=key, channel=channel
        ),
        key=lambda t: t.school_id is None,
    )
    if not found:
        raise MessageRefused(f"No {channel} template called {key!r}")
    return found[0]


def _check_recipient(channel: Channel, to: str) -> str:
    to = to.strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise MessageRefused("Enter an email address in the correct format") from exc
    elif channel == Channel.SMS:
        if not _PHONE.match(to):
            raise MessageRefused("Enter a phone number, like 07700 900 982")
    elif not to:
        raise MessageRefused("Enter the postal address")
    return to


def message_send(
    *,
    actor: User | None,
    school: School,
    channel: Channel,
    to: str,
    template_key: str,
    values: Mapping[str, object],
    pupil: Pupil | None = None,
    contact: Contact | None = None,
    pdf: bytes | None = None,
    actor_name: str = "",
    backend: Backend | None = None,
) -> Message:
    """Render and send one message; returns it with its final status (sent or failed).

    Raises :class:`MessageRefused`, writing nothing, when it cannot be sent as asked.
    """
    channel = Channel(channel)
    to = _check_recipient(channel, to)
    template = template_for(school, template_key, channel)
    try:
        subject = render(template.subject, values)
        body = render(template.body, values)
    except MissingPlaceholder as exc:
        raise MessageRefused(str(exc)) from exc
    if channel == Channel.SMS and len(body) > SMS_MAX_LENGTH:
        raise MessageRefused(f"A text message can be at most {SMS_MAX_LENGTH} characters")
    if channel == Channel.LETTER and pdf is None:
        raise MessageRefused("A letter needs its PDF")
    backend = backend or get_backend()
    with transaction.atomic():
        message = Message.objects.create(
            channel=channel,
            school=school,
            pupil=pupil,
            contact=contact,
            template_key=template_key,
            to=to,
            subject=subject,
            body=body,
            pdf=pdf,
            backend=backend.name,
            status=Status.SENDING,
            sent_by=actor,
            sent_by_name=actor.display_name if actor is not None else actor_name,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            actor_name=actor_name,
            action="message.send",
            obj_type="message",
            obj_id=message.pk,
            school=school,
            pupil=pupil,
            after={"channel": channel.value, "template": template_key, "backend": backend.name},
            summary=f"{channel.value} message ({template_key})",
        )
    outgoing = Outgoing(
        message_id=message.pk, channel=channel, to=to, subject=subject, body=body, pdf=pdf
    )
    try:
        reference = backend.send(outgoing)
    except DeliveryFailed as exc:
        message.status, message.error = Status.FAILED, str(exc)[:500]
        log.warning("Message %s not sent by %s: %s", message.pk, backend.name, exc)
    else:
        message.status, message.provider_reference = Status.SENT, reference[:100]
        message.sent_at = timezone.now()
        log.info("Message %s sent by %s", message.pk, backend.name)
    with transaction.atomic():
        message.save(update_fields=["status", "error", "provider_reference", "sent_at"])
    return message
