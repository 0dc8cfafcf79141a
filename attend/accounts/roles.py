"""Roles and their permissions, as code. Memberships (rows) attach a role to a school."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Permission(StrEnum):
    REGISTER_TAKE_OWN_GROUPS = "register.take_own_groups"
    REGISTER_TAKE_ANY = "register.take_any"
    REGISTER_AMEND = "register.amend"
    REGISTER_MISSING_VIEW = "register.missing_view"
    PUPIL_VIEW_OWN_GROUPS = "pupil.view_own_groups"
    PUPIL_VIEW_SCHOOL = "pupil.view_school"


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    OFFICE = "office", "Office / attendance officer"
    SENIOR = "senior", "Senior attendance champion"


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.TEACHER: frozenset({P.REGISTER_TAKE_OWN_GROUPS, P.PUPIL_VIEW_OWN_GROUPS}),
    Role.OFFICE: frozenset(
        {
            P.REGISTER_TAKE_OWN_GROUPS,
            P.REGISTER_TAKE_ANY,
            P.REGISTER_AMEND,
            P.REGISTER_MISSING_VIEW,
            P.PUPIL_VIEW_OWN_GROUPS,
            P.PUPIL_VIEW_SCHOOL,
        }
    ),
    Role.SENIOR: frozenset(
        {
            P.REGISTER_TAKE_OWN_GROUPS,
            P.REGISTER_TAKE_ANY,
            P.REGISTER_AMEND,
            P.REGISTER_MISSING_VIEW,
            P.PUPIL_VIEW_OWN_GROUPS,
            P.PUPIL_VIEW_SCHOOL,
        }
    ),
}


def role_has(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
