"""Users and their memberships. What each role may do lives in roles.py; scoping in scope.py."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from attend.accounts.roles import Role


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
    """One role of one user at one school. A teacher's membership lists the groups they register."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    groups = models.ManyToManyField(
        "organisations.RegistrationGroup", blank=True, related_name="teacher_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.school}"
