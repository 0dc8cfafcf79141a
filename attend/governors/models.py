"""Stored termly governors' reports: one PDF per school and term, made by
`attend governors-reports` (a scheduled task) and downloaded from the governors' view."""

from __future__ import annotations

from django.db import models

from attend.governors.domain import TERM_LABELS, Term
from attend.organisations.models import School


class GovernorsReport(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="governors_reports")
    academic_year = models.PositiveSmallIntegerField(help_text="Start year: 2025 for 2025/26.")
    term = models.CharField(max_length=8, choices=[(t.value, TERM_LABELS[t]) for t in Term])
    start_date = models.DateField()
    end_date = models.DateField()
    generated_at = models.DateTimeField()
    generated_by = models.CharField(max_length=200)
    pdf = models.BinaryField()

    class Meta:
        ordering = ["school", "-academic_year", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"], name="governors_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school.urn} {self.label}"

    @property
    def label(self) -> str:
        year = self.academic_year
        return f"{TERM_LABELS[Term(self.term)]} {year}/{(year + 1) % 100:02d}"
