"""What an actor may see, resolved once per request from their memberships.

Schools come from school, trust and local-authority memberships; pupils from a social worker's
caseload, a parent's parental responsibility, and a virtual school head's looked-after and
previously looked-after children and children with a social worker in their LA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from attend.accounts.roles import ROLE_PERMISSIONS, Permission, Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    school_permissions: dict[int, frozenset[Permission]] = field(default_factory=dict)
    group_ids: frozenset[int] = frozenset()
    #: Pupils seen one by one (caseload, children), read-only.
    pupil_ids: frozenset[int] = frozenset()
    #: Local authorities whose looked-after, previously looked-after and social-worker children
    #: the actor sees as virtual school head.
    virtual_school_la_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    #: Schools at which the actor is a member (school staff and governors), for the audit of
    #: views from outside a pupil's school.
    member_school_ids: frozenset[int] = frozenset()

    def can(self, permission: Permission, school_id: int) -> bool:
        return permission in self.school_permissions.get(school_id, frozenset())

    def schools_with(self, permission: Permission) -> frozenset[int]:
        return frozenset(s for s, perms in self.school_permissions.items() if permission in perms)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(self.school_permissions)


EMPTY_SCOPE = Scope(user_id=None)


def scope_for(user: Any) -> Scope:
    """The scope of a user; anonymous and inactive users see nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached: Scope | None = getattr(user, "_attend_scope", None)
    if cached is not None:
        return cached
    scope = _resolve(user)
    user._attend_scope = scope
    return scope


def _resolve(user: Any) -> Scope:
    from attend.organisations.models import School
    from attend.pupils.models import Contact

    perms: dict[int, set[Permission]] = {}
    groups: set[int] = set()
    roles: set[str] = set()
    members: set[int] = set()
    virtual_school: set[int] = set()
    social_worker = False
    for membership in user.memberships.prefetch_related("groups"):
        roles.add(membership.role)
        granted = ROLE_PERMISSIONS.get(membership.role, frozenset())
        if membership.school_id is not None:
            schools = [membership.school_id]
            members.add(membership.school_id)
        elif membership.trust_id is not None:
            schools = list(
                School.objects.filter(trust_id=membership.trust_id).values_list("pk", flat=True)
            )
        else:
            schools = list(
                School.objects.filter(local_authority_id=membership.local_authority_id).values_list(
                    "pk", flat=True
                )
            )
            if membership.role == Role.VIRTUAL_SCHOOL_HEAD:
                virtual_school.add(membership.local_authority_id)
            if membership.role == Role.SOCIAL_WORKER:
                social_worker = True
        if granted:
            for school_id in schools:
                perms.setdefault(school_id, set()).update(granted)
        groups.update(g.pk for g in membership.groups.all())
    today = timezone.localdate()
    pupils: set[int] = set()
    if social_worker:
        pupils.update(
            user.caseload.filter(start_date__lte=today)
            .exclude(end_date__lt=today)
            .values_list("pupil_id", flat=True)
        )
    children = set(
        Contact.objects.filter(user=user, parental_responsibility=True).values_list(
            "pupil_id", flat=True
        )
    )
    if children:
        roles.add("parent")
        pupils.update(children)
    return Scope(
        user_id=user.pk,
        school_permissions={k: frozenset(v) for k, v in perms.items()},
        group_ids=frozenset(groups),
        pupil_ids=frozenset(pupils),
        virtual_school_la_ids=frozenset(virtual_school),
        roles=frozenset(roles),
        member_school_ids=frozenset(members),
    )
