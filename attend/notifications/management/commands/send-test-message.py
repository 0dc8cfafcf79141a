"""`attend send-test-message --school URN --channel email|sms --to ADDRESS`: check that messages
leave Attend through the configured backend (no pupil data in the message)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from attend.notifications.backends import get_backend
from attend.notifications.domain import Channel
from attend.notifications.models import Status
from attend.notifications.services import MessageRefused, message_send
from attend.organisations.models import School


class Command(BaseCommand):
    help = (
        "Send the 'test-message' template to one address through ATTEND_NOTIFICATIONS_BACKEND "
        "(console, smtp or notify) and say whether it went. Exit status 1 if it failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="URN of the sending school")
        parser.add_argument("--channel", required=True, choices=["email", "sms"])
        parser.add_argument("--to", required=True, help="Email address or mobile number")

    def handle(self, *args: Any, school: str, channel: str, to: str, **options: Any) -> None:
        sender = School.objects.filter(urn=school).first()
        if sender is None:
            raise CommandError(f"No school with URN {school!r}.")
        try:
            backend = get_backend()
            message = message_send(
                actor=None,
                actor_name=f"test message by {getpass.getuser()}",
                school=sender,
                channel=Channel(channel),
                to=to,
                template_key="test-message",
                values={"school": sender.name, "date": timezone.localdate().isoformat()},
                backend=backend,
            )
        except (MessageRefused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if message.status != Status.SENT:
            raise CommandError(f"Message {message.pk} was not sent: {message.error}")
        self.stdout.write(
            f"Message {message.pk} sent by the {backend.name} backend "
            f"(reference {message.provider_reference})."
        )
