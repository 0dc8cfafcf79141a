"""Roles and their permissions, as code. A membership (a row) gives a user one role at one level:
a school, a trust or a local authority. Social workers also have a caseload, and parents see the
children for whom they are a contact with parental responsibility."""

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
    SCHOOL_AGGREGATES_VIEW = "school.aggregates_view"
    LA_SETTINGS_MANAGE = "la.settings_manage"
    #: Targeted support meetings (attend.tsm): see a school's meetings and packs; plan, record.
    TSM_VIEW = "tsm.view"
    TSM_MANAGE = "tsm.manage"
    #: Define a school's flags and put pupils in them (office and senior staff).
    FLAG_MANAGE = "pupil.flag_manage"


class Level(StrEnum):
    """What a membership attaches to."""

    SCHOOL = "school"
    TRUST = "trust"
    LOCAL_AUTHORITY = "local_authority"


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    OFFICE = "office", "Office / attendance officer"
    SENIOR = "senior", "Senior attendance champion"
    GOVERNOR = "governor", "Governor"
    TRUST_LEAD = "trust_lead", "Trust lead"
    LA_OFFICER = "la_officer", "LA attendance officer"
    LA_ADMIN = "la_admin", "LA administrator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head", "Virtual school head"


P = Permission
_SCHOOL_STAFF = frozenset(
    {
        P.REGISTER_TAKE_OWN_GROUPS,
        P.REGISTER_TAKE_ANY,
        P.REGISTER_AMEND,
        P.REGISTER_MISSING_VIEW,
        P.PUPIL_VIEW_OWN_GROUPS,
        P.PUPIL_VIEW_SCHOOL,
        P.SCHOOL_AGGREGATES_VIEW,
        P.TSM_VIEW,
    }
)
_READ_SCHOOL = frozenset({P.PUPIL_VIEW_SCHOOL, P.REGISTER_MISSING_VIEW, P.SCHOOL_AGGREGATES_VIEW})

#: Each role: the level it attaches to and what it may do at every school of that level.
#: Social workers and virtual school heads see pupils, not schools: their school permissions are
#: empty and their pupils come from scope.py.
ROLE_LEVEL: dict[str, Level] = {
    Role.TEACHER: Level.SCHOOL,
    Role.OFFICE: Level.SCHOOL,
    Role.SENIOR: Level.SCHOOL,
    Role.GOVERNOR: Level.SCHOOL,
    Role.TRUST_LEAD: Level.TRUST,
    Role.LA_OFFICER: Level.LOCAL_AUTHORITY,
    Role.LA_ADMIN: Level.LOCAL_AUTHORITY,
    Role.SOCIAL_WORKER: Level.LOCAL_AUTHORITY,
    Role.VIRTUAL_SCHOOL_HEAD: Level.LOCAL_AUTHORITY,
}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.TEACHER: frozenset({P.REGISTER_TAKE_OWN_GROUPS, P.PUPIL_VIEW_OWN_GROUPS}),
    Role.OFFICE: _SCHOOL_STAFF | {P.FLAG_MANAGE},
    Role.SENIOR: _SCHOOL_STAFF | {P.FLAG_MANAGE},
    Role.GOVERNOR: frozenset({P.SCHOOL_AGGREGATES_VIEW}),
    Role.TRUST_LEAD: _READ_SCHOOL | {P.TSM_VIEW},
    Role.LA_OFFICER: _READ_SCHOOL | {P.TSM_VIEW, P.TSM_MANAGE},
    Role.LA_ADMIN: frozenset(
        {P.SCHOOL_AGGREGATES_VIEW, P.LA_SETTINGS_MANAGE, P.TSM_VIEW, P.TSM_MANAGE}
    ),
    Role.SOCIAL_WORKER: frozenset(),
    Role.VIRTUAL_SCHOOL_HEAD: frozenset(),
}

#: Characteristics that bring a child into the virtual school head's view.
VIRTUAL_SCHOOL_CHARACTERISTICS = ("looked_after", "previously_looked_after", "social_worker")


def role_has(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
