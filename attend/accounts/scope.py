"""What an actor may see, resolved once per request from their memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from attend.accounts.roles import ROLE_PERMISSIONS, Permission


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    school_permissions: dict[int, frozenset[Permission]] = field(default_factory=dict)
    group_ids: frozenset[int] = frozenset()

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
    cached = getattr(user, "_attend_scope", None)
    if cached is not None:
        return cached
    perms: dict[int, set[Permission]] = {}
    groups: set[int] = set()
    for membership in user.memberships.prefetch_related("groups"):
        perms.setdefault(membership.school_id, set()).update(ROLE_PERMISSIONS[membership.role])
        groups.update(g.pk for g in membership.groups.all())
    scope = Scope(
        user_id=user.pk,
        school_permissions={k: frozenset(v) for k, v in perms.items()},
        group_ids=frozenset(groups),
    )
    user._attend_scope = scope
    return scope
