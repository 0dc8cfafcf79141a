"""`attend demo-logins`: the demo usernames, their roles and schools, the password and the
two-factor secret keys."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from attend.accounts.auth import DEMO_DEVICE_NAME, demo_totp_key
from attend.accounts.models import Membership, User
from attend.registers.demo import DEMO_PASSWORD, DEMO_USERS

URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "List the demo logins that `attend demo` created, with their password."

    def handle(self, *args: Any, **options: Any) -> None:
        names = [u.username for u in DEMO_USERS]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        if not users:
            self.stdout.write("No demo logins: run `attend demo` first.")
            return
        memberships: dict[int, list[Membership]] = {}
        for m in (
            Membership.objects.filter(user__in=users.values())
            .select_related("school", "trust", "local_authority")
            .prefetch_related("groups")
            .order_by("school__name")
        ):
            memberships.setdefault(m.user_id, []).append(m)
        rows = [("Username", "Role", "Position", "School")]
        for spec in DEMO_USERS:
            user = users.get(spec.username)
            if user is None:
                continue
            if user.is_superuser and not memberships.get(user.pk):
                rows.append(
                    (user.username, "Superuser (Django admin)", user.position, "every school")
                )
            if spec.level == "parent":
                children = ", ".join(
                    sorted(
                        c.pupil.full_name
                        for c in user.contacts.select_related("pupil").filter(
                            parental_responsibility=True
                        )
                    )
                )
                rows.append((user.username, "Parent (no two-factor code)", "", children))
            for m in memberships.get(user.pk, []):
                role = m.get_role_display()
                groups = ", ".join(sorted(g.name for g in m.groups.all()))
                if groups:
                    role += f", group {groups}"
                where = m.school or m.trust or m.local_authority
                school = f"{m.school.name} ({m.school.urn})" if m.school else str(where)
                rows.append((user.username, role, user.position, school))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("Demo logins")
        for n, row in enumerate(rows):
            cells = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  " + "  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        self._secrets(users)
        self.stdout.write(f"Sign in at {URL}")

    def _secrets(self, users: dict[str, User]) -> None:
        """Each demo login's two-factor secret, to add to an authenticator app."""
        devices = {
            d.user_id: d
            for d in TOTPDevice.objects.filter(
                user__in=users.values(), name=DEMO_DEVICE_NAME, confirmed=True
            )
        }
        self.stdout.write(
            "Two-factor secret keys: add one to an authenticator app as a time-based key, or get\n"
            "the current code with `ATTEND_DEBUG=1 .venv/bin/attend demo-code USERNAME`"
        )
        width = max(len(name) for name in users)
        for spec in DEMO_USERS:
            user = users.get(spec.username)
            if user is None or spec.level == "parent":
                continue
            device = devices.get(user.pk)
            secret = (
                base64.b32encode(device.bin_key).decode()
                if device and device.key == demo_totp_key(user.username)
                else "none: set up at first sign-in"
            )
            self.stdout.write(f"  {user.username.ljust(width)}  {secret}")
