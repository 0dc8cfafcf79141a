"""The follow-up of absence: each school's escalation settings and the log of every contact
attempt (call, text, email, home visit) made about a pupil's absence."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attend.absence.domain import Escalation
from attend.notifications.domain import Channel


class FollowUpSettings(models.Model):
    """One school's follow-up rules; a school without a row has the defaults."""

    school = models.OneToOneField(
        "organisations.School", on_delete=models.CASCADE, related_name="follow_up_settings"
    )
    first_day_channel = models.CharField(
        max_length=10,
        choices=[(Channel.SMS.value, "Text message"), (Channel.EMAIL.value, "Email")],
        default=Channel.SMS.value,
        help_text="How the first-day message goes to parents (the other channel if a contact "
        "has no number or address for this one).",
    )
    office_phone = models.CharField(
        max_length=30, blank=True, help_text="The office's number, quoted in first-day messages."
    )
    emergency_contacts_day = models.PositiveSmallIntegerField(
        default=2, help_text="Day of unexplained absence from which emergency contacts are called."
    )
    home_visit_day = models.PositiveSmallIntegerField(
        default=3, help_text="Day of unexplained absence from which a home visit is made."
    )
    illness_spells = models.PositiveSmallIntegerField(
        default=3,
        help_text="Spells of illness this academic year from which a pupil is flagged, so that "
        "the school can ask for medical evidence.",
    )
    la_referral_day = models.PositiveSmallIntegerField(
        default=10,
        help_text="Day of unexplained absence by which the local authority is told the child is "
        "missing education.",
    )

    class Meta:
        verbose_name = "follow-up settings"
        verbose_name_plural = "follow-up settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(emergency_contacts_day__gte=2)
                & models.Q(home_visit_day__gte=models.F("emergency_contacts_day"))
                & models.Q(la_referral_day__gte=models.F("home_visit_day")),
                name="follow_up_days_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(illness_spells__gte=2), name="follow_up_illness_spells_min_2"
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up settings of school {self.school_id}"

    @property
    def escalation(self) -> Escalation:
        return Escalation(
            emergency_contacts=self.emergency_contacts_day,
            home_visit=self.home_visit_day,
            la_referral=self.la_referral_day,
        )


class Method(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    HOME_VISIT = "home_visit", "Home visit"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    REASON_GIVEN = "reason_given", "Reason given"
    NO_REASON = "no_reason", "No reason given"
    SEEN_SAFE = "seen_safe", "Seen safe"
    NOT_SEEN = "not_seen", "Not seen"
    NOT_DELIVERED = "not_delivered", "Message not delivered"


class Purpose(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    FIRST_DAY = "first_day", "First-day message"
    PROFESSIONAL_ALERT = "professional_alert", "Social worker told"


class ContactAttempt(models.Model):
    """One attempt to reach someone about a pupil's absence on one day, and what came of it."""

    enrolment = models.ForeignKey(
        "pupils.Enrolment", on_delete=models.PROTECT, related_name="contact_attempts"
    )
    absence_date = models.DateField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.FOLLOW_UP)
    method = models.CharField(max_length=12, choices=Method.choices)
    contact = models.ForeignKey(
        "pupils.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The social worker told of the absence.",
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.TextField(blank=True)
    message = models.ForeignKey(
        "notifications.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["absence_date", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["enrolment", "absence_date"], name="attempt_enrolment_date"),
            models.Index(fields=["absence_date"], name="attempt_date"),
        ]
        constraints = [
            # One first-day message per pupil and day; one alert per social worker and day.
            models.UniqueConstraint(
                fields=["enrolment", "absence_date"],
                condition=models.Q(purpose="first_day"),
                name="attempt_one_first_day_message",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "absence_date", "professional"],
                condition=models.Q(purpose="professional_alert"),
                name="attempt_one_alert_per_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.absence_date}: {self.get_outcome_display()}"

    @property
    def who(self) -> str:
        if self.contact is not None:
            return f"{self.contact.forename} {self.contact.surname}"
        return self.contact_name
