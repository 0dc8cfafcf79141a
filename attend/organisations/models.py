"""Local authorities, schools, their calendars and registration groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from attend.registers.domain import CalendarEntry as CalendarEntryRule
from attend.registers.domain import CategoryBands, Session


class LocalAuthority(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="The DfE's 3-digit LA number.")
    name = models.CharField(max_length=200)
    # The LA's five categories: attendance-rate thresholds in percent (see registers.domain).
    band_expected_from = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(95))
    band_persistent_above = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(90))
    band_persistent_from = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(80))
    band_severe_above = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(50))

    class Meta:
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def bands(self) -> CategoryBands:
        def f(value: Decimal) -> Fraction:
            return Fraction(value) / 100

        return CategoryBands(
            expected_from=f(self.band_expected_from),
            persistent_above=f(self.band_persistent_above),
            persistent_from=f(self.band_persistent_from),
            severe_above=f(self.band_severe_above),
        )


class Trust(models.Model):
    """A multi-academy trust: a group of schools, possibly in several local authorities."""

    name = models.CharField(max_length=200)
    companies_house_number = models.CharField(max_length=8, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all-through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "alternative-provision", "Alternative provision"


class School(models.Model):
    urn = models.CharField(max_length=6, unique=True, help_text="Unique reference number")
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="schools"
    )
    phase = models.CharField(max_length=32, choices=Phase.choices)
    trust = models.ForeignKey(
        Trust, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools"
    )
    am_register_opens = models.TimeField(default=dt.time(8, 45))
    pm_register_opens = models.TimeField(default=dt.time(13, 15))
    register_open_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(30)],
        help_text="How long the register stays open; after it closes a late arrival is U.",
    )
    #: The school's named LA attendance officer (a user with an LA attendance officer membership
    #: at the school's LA; attend.tsm.services checks it).
    la_attendance_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer_of_schools",
        verbose_name="named LA attendance officer",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(register_open_minutes__lte=30), name="register_open_max_30"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    def register_opens(self, session: Session) -> dt.time:
        return self.am_register_opens if session == Session.AM else self.pm_register_opens


class CalendarEntry(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", "Term"
        CLOSURE = "closure", "Closure"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    session = models.CharField(
        max_length=2, blank=True, choices=[("AM", "AM"), ("PM", "PM")], help_text="Empty: both"
    )

    class Meta:
        ordering = ["school", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "start_date", "end_date", "session"],
                name="calendar_entry_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="calendar_entry_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.urn} {self.kind} {self.start_date}–{self.end_date} {self.session}"

    def as_rule(self) -> CalendarEntryRule:
        return CalendarEntryRule(
            kind="term" if self.kind == self.Kind.TERM else "closure",
            start=self.start_date,
            end=self.end_date,
            session=Session(self.session) if self.session else None,
        )


class RegistrationGroup(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="registration_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school.urn})"
