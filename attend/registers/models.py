"""The attendance register: marks, amendments (the original is never lost), taken registers and
the weekly summary that every report reads instead of the marks table."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attend.registers.domain import CODES, HISTORIC_CODES

SESSION_CHOICES = [("AM", "AM"), ("PM", "PM")]

#: Every code a mark may hold: the 2024 codes, then historic codes accepted for older years.
ALL_CODES: tuple[str, ...] = (*CODES, *HISTORIC_CODES)
_SPECIAL_COLUMNS = {"/": "n_present_am", "\\": "n_present_pm", "#": "n_closed"}


def code_column(code: str) -> str:
    """The WeekSummary column that counts sessions with `code`."""
    return _SPECIAL_COLUMNS.get(code) or f"n_{code.lower()}"


CODE_COLUMNS: dict[str, str] = {code: code_column(code) for code in ALL_CODES}


class Source(models.TextChoices):
    REGISTER = "register", "Register"
    IMPORT = "import", "Import"
    OFFICE = "office", "Office"
    DEMO = "demo", "Demo data"


class Mark(models.Model):
    """One code for one enrolment, date and session."""

    enrolment = models.ForeignKey(
        "pupils.Enrolment", on_delete=models.PROTECT, related_name="marks"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=SESSION_CHOICES)
    code = models.CharField(max_length=2)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "date", "session"], name="mark_one_per_session"
            )
        ]
        indexes = [models.Index(fields=["date"], name="mark_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.session} {self.code}"


class Amendment(models.Model):
    """A change to a mark: the entry before and after, the reason, and who made it and when."""

    mark = models.ForeignKey(Mark, on_delete=models.PROTECT, related_name="amendments")
    old_code = models.CharField(max_length=2)
    old_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    old_recorded_at = models.DateTimeField()
    old_recorded_by = models.CharField(max_length=200, blank=True)
    new_code = models.CharField(max_length=2)
    new_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amended_by_name = models.CharField(max_length=200)
    amended_by_position = models.CharField(max_length=100, blank=True)
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["mark", "amended_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_code}→{self.new_code} ({self.reason})"


class Register(models.Model):
    """A register that has been taken for a group and session; later changes are amendments."""

    group = models.ForeignKey(
        "organisations.RegistrationGroup", on_delete=models.PROTECT, related_name="registers"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=SESSION_CHOICES)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "date", "session"], name="register_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.date} {self.session}"


class WeekSummary(models.Model):
    """Sessions per code for one enrolment in one Monday-to-Sunday week.

    Kept in the same transaction as the marks (registers.summaries); `attend rebuild-summaries`
    recomputes it from the marks and must agree with the incremental path.
    """

    enrolment = models.ForeignKey(
        "pupils.Enrolment", on_delete=models.CASCADE, related_name="week_summaries"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="week_summaries"
    )
    week = models.DateField(help_text="Monday of the week")
    late_minutes = models.PositiveIntegerField(default=0)
    # Sessions per statistical category (registers.domain), for the reports that need only these.
    present = models.PositiveSmallIntegerField(default=0)
    aea = models.PositiveSmallIntegerField(default=0)
    authorised = models.PositiveSmallIntegerField(default=0)
    unauthorised = models.PositiveSmallIntegerField(default=0)
    not_possible = models.PositiveSmallIntegerField(default=0)
    late = models.PositiveSmallIntegerField(default=0, help_text="Sessions coded L or U")
    penalty = models.PositiveSmallIntegerField(default=0, help_text="Sessions coded G, N, O or U")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "week"], name="week_summary_unique")
        ]
        indexes = [
            models.Index(fields=["school", "week"], name="week_summary_school_week"),
            # Covers the per-enrolment sums of the reports (read in enrolment order).
            models.Index(
                fields=[
                    "enrolment",
                    "week",
                    "present",
                    "aea",
                    "authorised",
                    "unauthorised",
                    "not_possible",
                    "late",
                    "penalty",
                ],
                name="week_summary_report_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.week}"


class SchoolWeekSummary(models.Model):
    """The sums of WeekSummary for one school and week: the school's figures and sessions per code
    without reading every pupil's row (kept in the same transaction, from WeekSummary)."""

    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="week_totals"
    )
    week = models.DateField(help_text="Monday of the week")
    enrolments = models.PositiveIntegerField(default=0, help_text="Enrolments with a mark")
    late_minutes = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    aea = models.PositiveIntegerField(default=0)
    authorised = models.PositiveIntegerField(default=0)
    unauthorised = models.PositiveIntegerField(default=0)
    not_possible = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    penalty = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "week"], name="school_week_summary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.week}"


for _code, _column in CODE_COLUMNS.items():
    WeekSummary.add_to_class(
        _column,
        models.PositiveSmallIntegerField(default=0, help_text=f"Sessions coded {_code}"),
    )
    SchoolWeekSummary.add_to_class(
        _column, models.PositiveIntegerField(default=0, help_text=f"Sessions coded {_code}")
    )


class SchoolSessionSummary(models.Model):
    """A school's sessions by statistical category for one date and session (AM or PM): the
    figures by day of the week and by morning and afternoon, without reading the marks.

    Kept in the same transaction as the marks (registers.summaries), from the marks of the
    enrolments of the school; `attend rebuild-summaries` recomputes it with the weekly summaries.
    """

    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="session_totals"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=SESSION_CHOICES)
    present = models.PositiveIntegerField(default=0)
    aea = models.PositiveIntegerField(default=0)
    authorised = models.PositiveIntegerField(default=0)
    unauthorised = models.PositiveIntegerField(default=0)
    not_possible = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0, help_text="Sessions coded L or U")
    late_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "session"], name="school_session_summary_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date} {self.session}"
