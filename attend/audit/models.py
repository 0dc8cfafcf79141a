"""The audit log: one row per write (who, what, when, before and after) and per view of a pupil's
record by someone outside the pupil's school. Rows are written only by :mod:`attend.audit.services`,
in the same transaction as the change they record, and are never changed afterwards."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the command line (imports, retention); the name is kept below.",
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_position = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=40, help_text='A dotted name, e.g. "mark.amend"')
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=200, blank=True)
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (school, at) index below serves it
    )
    pupil = models.ForeignKey(
        "pupils.Pupil",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (pupil, at) index below serves it
    )
    pupil_upn = models.CharField(
        max_length=13, blank=True, verbose_name="pupil UPN", help_text="Kept if the pupil goes."
    )
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["school", "at"], name="audit_school_at"),
            models.Index(fields=["pupil", "at"], name="audit_pupil_at"),
            models.Index(fields=["pupil_upn", "at"], name="audit_upn_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"
