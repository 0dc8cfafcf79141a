"""Targeted support meetings between the LA and a school, three a year, and the actions agreed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attend.tsm.domain import MeetingState, Term, year_label


class TargetedSupportMeeting(models.Model):
    """One school's meeting for one term of one academic year (``year``: its start year)."""

    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="support_meetings"
    )
    year = models.PositiveSmallIntegerField(help_text="The academic year's start, e.g. 2026")
    term = models.CharField(max_length=6, choices=[(t.value, t.label) for t in Term])
    planned_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    la_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="LA attendance officer",
    )
    attendees = models.TextField(blank=True)
    discussion = models.TextField(blank=True)
    successes = models.TextField(blank=True)
    improvements = models.TextField(blank=True, verbose_name="areas for improvement")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_name = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["school", "year", "planned_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "term"], name="tsm_one_per_term"),
            models.CheckConstraint(
                condition=models.Q(term__in=[t.value for t in Term]), name="tsm_term_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.label}"

    @property
    def term_enum(self) -> Term:
        return Term(self.term)

    @property
    def label(self) -> str:
        return f"{Term(self.term).label} term {year_label(self.year)}"

    @property
    def state(self) -> MeetingState:
        return MeetingState(planned_on=self.planned_on, held_on=self.held_on)


class AgreedAction(models.Model):
    meeting = models.ForeignKey(
        TargetedSupportMeeting, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text='A role or a person, e.g. "Head of Year 9"')
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]
