"""Published national attendance figures, kept by an administrator (Django admin or
`attend import national-figures FILE`), shown beside a school's own on the governors' view."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from attend.reference.domain import (
    MEASURE_LABELS,
    PERIOD_LABELS,
    PHASE_LABELS,
    Figure,
    Measure,
    PeriodKind,
    ReferencePhase,
    academic_year_label,
)


class NationalFigure(models.Model):
    academic_year = models.PositiveSmallIntegerField(
        help_text="The year the academic year starts: 2024 for 2024/25.",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    period = models.CharField(
        max_length=16,
        choices=[(k.value, PERIOD_LABELS[k]) for k in PeriodKind],
        help_text="What kind of period the figure covers (used to find the nearest match).",
    )
    period_label = models.CharField(
        max_length=100,
        help_text='As published, e.g. "Full year", "Autumn term (census)", '
        '"Year to date (snapshot 2026-07-23)".',
    )
    phase = models.CharField(
        max_length=16, choices=[(p.value, PHASE_LABELS[p]) for p in ReferencePhase]
    )
    measure = models.CharField(
        max_length=24, choices=[(m.value, MEASURE_LABELS[m]) for m in Measure]
    )
    value = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="A percentage, e.g. 6.87.",
    )
    source = models.CharField(max_length=300, help_text="Where it was published (text or URL).")
    published = models.DateField(
        null=True,
        blank=True,
        help_text="Publication date, or the date of the data snapshot; empty when not known.",
    )

    class Meta:
        ordering = ["-academic_year", "period", "phase", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "period", "phase", "measure", "source"],
                name="national_figure_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0) & models.Q(value__lte=100),
                name="national_figure_percentage",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{academic_year_label(self.academic_year)} {self.period_label} {self.phase} "
            f"{self.measure}: {self.value}%"
        )

    def as_figure(self) -> Figure:
        return Figure(
            id=self.pk,
            academic_year=self.academic_year,
            period=PeriodKind(self.period),
            period_label=self.period_label,
            phase=ReferencePhase(self.phase),
            measure=Measure(self.measure),
            value=self.value,
            source=self.source,
            published=self.published,
        )
