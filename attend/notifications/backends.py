"""Where messages go: the console (files in var/outbox, the default), SMTP email, or GOV.UK Notify
(email, SMS and letters, with the real `notifications-python-client`).

A backend gets an :class:`Outgoing` message and returns the provider's reference, or raises
:class:`DeliveryFailed` with a reason that names no pupil (it is stored and may be logged).
Choose one with ``ATTEND_NOTIFICATIONS_BACKEND`` (console, smtp or notify); docs/operations.md
lists the settings of each.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from attend.notifications.domain import Channel


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    channel: Channel
    to: str
    subject: str
    body: str
    pdf: bytes | None = None

    @property
    def reference(self) -> str:
        """Our reference for the provider: the message's id, never a name."""
        return f"attend-message-{self.message_id}"


class DeliveryFailed(Exception):
    """The backend could not send the message; the text says why, without pupil data."""


class Backend(Protocol):
    name: str

    def send(self, message: Outgoing) -> str: ...


class ConsoleBackend:
    """Writes each message to ``var/outbox/<id>.txt`` (and ``.pdf`` for letters): for development
    and demos. The server's log says only where the file is."""

    name = "console"

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(settings.ATTEND_OUTBOX_DIR)

    def send(self, message: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message.message_id}.txt"
        path.write_text(
            f"Channel: {message.channel}\nTo: {message.to}\nSubject: {message.subject}\n\n"
            f"{message.body}\n",
            encoding="utf-8",
        )
        if message.pdf is not None:
            (self.directory / f"{message.message_id}.pdf").write_bytes(message.pdf)
        return str(path)


class SmtpBackend:
    """Email through Django's SMTP settings (``ATTEND_SMTP_*``); letters go as a PDF attachment
    to the address given. Text messages need GOV.UK Notify."""

    name = "smtp"

    def send(self, message: Outgoing) -> str:
        if message.channel == Channel.SMS:
            raise DeliveryFailed("Text messages need the GOV.UK Notify backend")
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"X-Attend-Reference": message.reference},
        )
        if message.pdf is not None:
            email.attach(f"{message.reference}.pdf", message.pdf, "application/pdf")
        try:
            sent = email.send(fail_silently=False)
        except OSError as exc:  # smtplib errors are OSErrors
            raise DeliveryFailed(
                f"SMTP server refused or unreachable: {type(exc).__name__}"
            ) from exc
        if sent != 1:
            raise DeliveryFailed("SMTP server did not accept the message")
        return message.reference


class NotifyBackend:
    """GOV.UK Notify. Email and text messages use one Notify template each, holding
    ((subject)) and ((body)) (``ATTEND_NOTIFY_EMAIL_TEMPLATE``, ``ATTEND_NOTIFY_SMS_TEMPLATE``);
    letters are sent as precompiled PDFs."""

    name = "notify"

    def __init__(self, client: NotificationsAPIClient | None = None) -> None:
        self.client = client or NotificationsAPIClient(
            settings.ATTEND_NOTIFY_API_KEY, base_url=settings.ATTEND_NOTIFY_BASE_URL, timeout=20
        )

    def send(self, message: Outgoing) -> str:
        try:
            if message.channel == Channel.EMAIL:
                response = self.client.send_email_notification(
                    email_address=message.to,
                    template_id=settings.ATTEND_NOTIFY_EMAIL_TEMPLATE,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.reference,
                )
            elif message.channel == Channel.SMS:
                response = self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=settings.ATTEND_NOTIFY_SMS_TEMPLATE,
                    personalisation={"body": message.body},
                    reference=message.reference,
                )
            else:
                if message.pdf is None:
                    raise DeliveryFailed("A letter needs its PDF")
                response = self.client.send_precompiled_letter_notification(
                    reference=message.reference, pdf_file=io.BytesIO(message.pdf)
                )
        except APIError as exc:
            # The client reports a connection failure as HTTP 503 too.
            status = getattr(exc, "status_code", 0)
            if isinstance(status, int) and status >= 500:
                raise DeliveryFailed(
                    f"GOV.UK Notify unreachable or unavailable (HTTP {status})"
                ) from exc
            raise DeliveryFailed(f"GOV.UK Notify refused the message (HTTP {status})") from exc
        except OSError as exc:  # connection errors from requests are OSErrors
            raise DeliveryFailed(f"GOV.UK Notify unreachable: {type(exc).__name__}") from exc
        return str(response.get("id", ""))


BACKENDS: dict[str, type[ConsoleBackend] | type[SmtpBackend] | type[NotifyBackend]] = {
    "console": ConsoleBackend,
    "smtp": SmtpBackend,
    "notify": NotifyBackend,
}


def get_backend() -> Backend:
    """The backend named by ``ATTEND_NOTIFICATIONS_BACKEND``."""
    name = settings.ATTEND_NOTIFICATIONS_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"ATTEND_NOTIFICATIONS_BACKEND must be one of {', '.join(BACKENDS)}")
    backend: Backend = BACKENDS[name]()
    return backend
