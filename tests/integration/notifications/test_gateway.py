"""The notification gateway: templates, the message log, and the three backends (console files,
SMTP through Django's mail, and GOV.UK Notify through its real client against a local stub)."""

from __future__ import annotations

import io
import logging
import re
from typing import cast

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from attend.accounts.models import User
from attend.audit.models import AuditEvent
from attend.notifications.backends import ConsoleBackend, NotifyBackend, SmtpBackend
from attend.notifications.domain import Channel
from attend.notifications.models import Message, MessageTemplate, Status
from attend.notifications.services import MessageRefused, message_send
from attend.organisations.models import School
from attend.pupils.models import Pupil
from tests.factories import PupilFactory, SchoolFactory, UserFactory
from tests.notify_stub import NotifyStub, start

pytestmark = pytest.mark.django_db

VALUES = {"school": "Rowan Primary", "pupil": "Ada Lovelace", "date": "23 November 2026"}
VALUES_EMAIL = {**VALUES, "contact": "Mrs Lovelace", "phone": "01234 567890"}


@pytest.fixture
def notify():
    stub = NotifyStub()
    server = start(stub)
    with override_settings(
        ATTEND_NOTIFY_API_KEY=stub.api_key,
        ATTEND_NOTIFY_BASE_URL=stub.base_url,
        ATTEND_NOTIFY_EMAIL_TEMPLATE="11111111-1111-1111-1111-111111111111",
        ATTEND_NOTIFY_SMS_TEMPLATE="22222222-2222-2222-2222-222222222222",
    ):
        yield stub
    server.shutdown()


def _send(backend, channel=Channel.EMAIL, to="parent@example.com", **kwargs):
    school = cast(School, kwargs.pop("school", None) or SchoolFactory())
    actor = cast(User, kwargs.pop("actor", None) or UserFactory())
    pupil = cast(Pupil, kwargs.pop("pupil", None) or PupilFactory())
    values = VALUES_EMAIL if channel == Channel.EMAIL else {**VALUES, "phone": "01234 567890"}
    return message_send(
        actor=actor,
        school=school,
        channel=channel,
        to=to,
        template_key=kwargs.pop("template_key", "first-day-absence"),
        values=kwargs.pop("values", values),
        pupil=pupil,
        backend=backend,
        **kwargs,
    )


def test_notify_email_and_sms_reach_the_stub_with_the_rendered_text(notify):
    email = _send(NotifyBackend())
    sms = _send(NotifyBackend(), channel=Channel.SMS, to="07700 900982")
    assert email.status == Status.SENT and sms.status == Status.SENT
    assert email.provider_reference and email.provider_reference != sms.provider_reference
    (kind1, body1), (kind2, body2) = notify.received
    assert kind1 == "email" and body1["email_address"] == "parent@example.com"
    assert body1["personalisation"]["subject"] == "Ada Lovelace is not in school today"
    assert "Dear Mrs Lovelace" in body1["personalisation"]["body"]
    assert body1["reference"] == f"attend-message-{email.pk}"  # never a name
    assert kind2 == "sms" and body2["phone_number"] == "07700 900982"
    assert body2["personalisation"]["body"].startswith("Rowan Primary: Ada Lovelace is not")


def test_a_letter_goes_to_notify_as_a_precompiled_pdf(notify):
    pdf = b"%PDF-1.4 letter"
    letter = _send(
        NotifyBackend(),
        channel=Channel.LETTER,
        to="1 High Street, Lincoln",
        pdf=pdf,
        template_key="test-message",
        values={"school": "Rowan"},
    )
    assert letter.status == Status.SENT
    ((kind, body),) = notify.received
    assert kind == "letter" and body["reference"] == f"attend-message-{letter.pk}"


def test_a_refusal_by_notify_is_recorded_and_logged_without_pupil_data(notify, caplog):
    with caplog.at_level(logging.INFO, logger="attend.notifications"):
        message = _send(NotifyBackend(), to="fail@example.com")
    assert message.status == Status.FAILED
    assert message.error == "GOV.UK Notify refused the message (HTTP 400)"
    assert Message.objects.get(pk=message.pk).status == Status.FAILED
    assert notify.received == []
    logged = caplog.text
    assert f"Message {message.pk}" in logged
    assert "Ada" not in logged and "fail@example.com" not in logged


def test_a_wrong_api_key_is_refused_by_the_stub(notify):
    with override_settings(ATTEND_NOTIFY_API_KEY=NotifyStub().api_key):
        message = _send(NotifyBackend())
    assert message.status == Status.FAILED and "HTTP 403" in message.error


def test_an_unreachable_notify_fails_the_message_and_keeps_it():
    with override_settings(
        ATTEND_NOTIFY_API_KEY=NotifyStub().api_key, ATTEND_NOTIFY_BASE_URL="http://127.0.0.1:9"
    ):
        message = _send(NotifyBackend())
    assert message.status == Status.FAILED and "unreachable or unavailable" in message.error


def test_console_backend_writes_the_outbox(tmp_path):
    message = _send(ConsoleBackend(tmp_path))
    text = (tmp_path / f"{message.pk}.txt").read_text()
    assert "To: parent@example.com" in text and "Dear Mrs Lovelace" in text
    assert message.status == Status.SENT


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_smtp_backend_sends_email_and_refuses_sms():
    message = _send(SmtpBackend())
    (sent,) = mail.outbox
    assert (
        sent.to == ["parent@example.com"] and sent.subject == "Ada Lovelace is not in school today"
    )
    assert sent.extra_headers["X-Attend-Reference"] == f"attend-message-{message.pk}"
    sms = _send(SmtpBackend(), channel=Channel.SMS, to="07700 900982")
    assert sms.status == Status.FAILED and "Notify" in sms.error


def test_the_schools_own_template_wins_over_the_default(tmp_path):
    school = SchoolFactory()
    MessageTemplate.objects.create(
        key="first-day-absence", channel="sms", school=school, body="Own: ((pupil)) absent"
    )
    mine = _send(ConsoleBackend(tmp_path), channel=Channel.SMS, to="07700900982", school=school)
    other = _send(ConsoleBackend(tmp_path), channel=Channel.SMS, to="07700900982")
    assert mine.body == "Own: Ada Lovelace absent"
    assert other.body.startswith("Rowan Primary: Ada Lovelace")


@pytest.mark.parametrize(
    ("channel", "to", "key", "values", "error"),
    [
        (Channel.EMAIL, "not-an-address", "first-day-absence", VALUES_EMAIL, "email address"),
        (Channel.SMS, "call me", "first-day-absence", VALUES, "phone number"),
        (Channel.EMAIL, "a@example.com", "no-such-template", VALUES_EMAIL, "No email template"),
        (
            Channel.EMAIL,
            "a@example.com",
            "first-day-absence",
            VALUES,
            re.escape("No value for ((contact)), ((phone))"),
        ),
        (Channel.LETTER, "1 High St", "test-message", {"school": "x"}, "needs its PDF"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(tmp_path, channel, to, key, values, error):
    with pytest.raises(MessageRefused, match=error):
        _send(ConsoleBackend(tmp_path), channel=channel, to=to, template_key=key, values=values)
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="message.send").exists()


def test_every_message_is_audited(tmp_path):
    message = _send(ConsoleBackend(tmp_path))
    event = AuditEvent.objects.get(action="message.send")
    assert event.object_id == str(message.pk) and event.pupil_id == message.pupil_id


def test_send_test_message_command(notify):
    school = SchoolFactory()
    out = io.StringIO()
    with override_settings(ATTEND_NOTIFICATIONS_BACKEND="notify"):
        call_command(
            "send-test-message",
            school=school.urn,
            channel="email",
            to="ops@example.com",
            stdout=out,
        )
        assert "sent by the notify backend" in out.getvalue()
        with pytest.raises(CommandError, match="was not sent: GOV.UK Notify refused"):
            call_command(
                "send-test-message", school=school.urn, channel="email", to="fail@example.com"
            )
        with pytest.raises(CommandError, match="No school with URN"):
            call_command("send-test-message", school="1", channel="sms", to="07700900982")
    with override_settings(ATTEND_NOTIFICATIONS_BACKEND="pigeon"):
        with pytest.raises(CommandError, match="must be one of console, smtp, notify"):
            call_command("send-test-message", school=school.urn, channel="sms", to="07700900982")
