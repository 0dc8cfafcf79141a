"""The LA's attendance priorities: measures the LA overview shows with their trend."""

from __future__ import annotations

from django.db import models


class PriorityMeasure(models.TextChoices):
    AUTHORISED_ABSENCE = "authorised_absence", "Authorised absence rate"
    PERSISTENT_ABSENCE = "persistent_absence", "Persistent absence rate"
    SPECIAL_SCHOOLS = "special_schools", "Absence rate in special schools"
    EHCP = "ehcp", "Absence rate of pupils with an EHC plan"
    SOCIAL_WORKER = "social_worker", "Absence rate of pupils with a social worker"
    FLAG = "flag", "Absence rate of the pupils with a flag"
    YOUTH_OFFENDING = "youth_offending", "Absence rate of pupils known to youth offending services"
    OVERALL_ABSENCE = "overall_absence", "Overall absence rate"


class Priority(models.Model):
    """One of an LA's priorities: a measure (a rate in percent, lower is better), its place in
    the list and an optional target."""

    local_authority = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="priorities"
    )
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    measure = models.CharField(max_length=32, choices=PriorityMeasure.choices)
    flag = models.ForeignKey(
        "pupils.Flag",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="priorities",
        help_text="For the measure “Absence rate of the pupils with a flag” only.",
    )
    target = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A rate in percent to get down to (optional).",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_authority", "order", "pk"]
        verbose_name_plural = "priorities"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(measure="flag", flag__isnull=False)
                    | (~models.Q(measure="flag") & models.Q(flag__isnull=True))
                ),
                name="priority_flag_with_flag_measure",
            ),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True)
                | (models.Q(target__gte=0) & models.Q(target__lte=100)),
                name="priority_target_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.title
