"""`attend demo-code USERNAME`: the current two-factor code of a demo login.

Only for the demo logins (`attend demo`), whose secret is published, and only in development
(ATTEND_DEBUG) or on a demo site (ATTEND_DEMO_USERS): never the code of a real authenticator.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from attend.accounts.auth import DEMO_DEVICE_NAME, demo_totp_key
from attend.registers.demo import DEMO_USERS


class Command(BaseCommand):
    help = (
        "Print the current 6-digit two-factor code of a demo login (development or demo sites "
        "only: ATTEND_DEBUG or ATTEND_DEMO_USERS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="A demo login, e.g. teacher")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not (settings.DEBUG or settings.ATTEND_DEMO_USERS):
            raise CommandError(
                "demo-code works only in development or on a demo site: "
                "set ATTEND_DEBUG=1 or ATTEND_DEMO_USERS=1."
            )
        demo_names = [u.username for u in DEMO_USERS]
        if username not in demo_names:
            raise CommandError(
                f"{username!r} is not a demo login; the demo logins are {', '.join(demo_names)}."
            )
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE_NAME, confirmed=True
        ).first()
        if device is None or device.key != demo_totp_key(username):
            raise CommandError(
                f"{username!r} has no demo authenticator: run `attend demo` to create it."
            )
        now = time.time()
        code = totp(
            device.bin_key,
            step=device.step,
            t0=device.t0,
            digits=device.digits,
            drift=device.drift,
        )
        left = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        if options.get("verbosity", 1) >= 2:
            self.stdout.write(f"valid for {left} more seconds")
