"""Users and their memberships. What each role may do lives in roles.py; scoping in scope.py."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from attend.accounts.roles import ROLE_LEVEL, Level, Role


def _roles_at(level: Level) -> list[str]:
    return sorted(str(role) for role, at in ROLE_LEVEL.items() if at == level)


class User(AbstractUser):
    position = models.CharField(
        max_length=100, blank=True, help_text="Job title, recorded with every amendment."
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """One role of one user at one school, trust or local authority (the role says which).

    A teacher's membership lists the groups they register.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    trust = models.ForeignKey(
        "organisations.Trust",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    local_authority = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    groups = models.ManyToManyField(
        "organisations.RegistrationGroup", blank=True, related_name="teacher_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=models.Q(school__isnull=False),
                name="membership_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "trust", "role"],
                condition=models.Q(trust__isnull=False),
                name="membership_unique_trust",
            ),
            models.UniqueConstraint(
                fields=["user", "local_authority", "role"],
                condition=models.Q(local_authority__isnull=False),
                name="membership_unique_la",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=_roles_at(Level.SCHOOL),
                        school__isnull=False,
                        trust__isnull=True,
                        local_authority__isnull=True,
                    )
                    | models.Q(
                        role__in=_roles_at(Level.TRUST),
                        school__isnull=True,
                        trust__isnull=False,
                        local_authority__isnull=True,
                    )
                    | models.Q(
                        role__in=_roles_at(Level.LOCAL_AUTHORITY),
                        school__isnull=True,
                        trust__isnull=True,
                        local_authority__isnull=False,
                    )
                ),
                name="membership_level_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.school or self.trust or self.local_authority
        return f"{self.user} – {self.get_role_display()} at {where}"


class CaseloadEntry(models.Model):
    """A child on a social worker's caseload, for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caseload")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pupil", "start_date"], name="caseload_entry_unique"
            )
        ]
        verbose_name_plural = "caseload entries"

    def __str__(self) -> str:
        return f"{self.user} – pupil {self.pupil_id} from {self.start_date}"
