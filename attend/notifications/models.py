"""Message templates (a default per key, and a school's own) and the log of every message sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attend.notifications.domain import Channel


class MessageTemplate(models.Model):
    """The text of one kind of message. A school's template overrides the default (school null)."""

    key = models.SlugField(
        max_length=60, help_text="What the message is for, e.g. first-day-absence"
    )
    channel = models.CharField(max_length=10, choices=[(c.value, c.name.title()) for c in Channel])
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="message_templates",
        help_text="Empty: the default for every school",
    )
    subject = models.CharField(max_length=200, blank=True, help_text="Email and letter only")
    body = models.TextField(help_text="Text with ((placeholders))")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "school"], name="message_template_unique"
            ),
            models.UniqueConstraint(
                fields=["key", "channel"],
                condition=models.Q(school__isnull=True),
                name="message_template_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.channel})"


class Status(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Message(models.Model):
    """One message sent (or tried) to one recipient, kept on the pupil's record."""

    channel = models.CharField(max_length=10, choices=[(c.value, c.name.title()) for c in Channel])
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="messages"
    )
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    contact = models.ForeignKey(
        "pupils.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_key = models.SlugField(max_length=60, blank=True)
    to = models.CharField(max_length=320, help_text="Email address, phone number or postal address")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, help_text="The letter, as sent")
    backend = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    provider_reference = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pupil", "created_at"], name="message_pupil_created")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} ({self.status})"
