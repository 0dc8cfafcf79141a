"""`attend schedule-tsms --la CODE --year YEAR`: create the year's missing targeted support
meetings for every school of an LA."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attend.organisations.models import LocalAuthority
from attend.tsm.domain import year_label
from attend.tsm.services import TsmInvalid, schedule_year


class Command(BaseCommand):
    help = (
        "Schedule the targeted support meetings of an academic year (autumn, spring and summer) "
        "for every school of a local authority, each in the fourth week of its term from the "
        "school's calendar. Meetings already scheduled are left alone, so it can be run again. "
        "One transaction, recorded in the audit log. Bad input: one line on standard error and "
        "exit status 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", required=True, help="The LA's 3-digit code, e.g. 938")
        parser.add_argument(
            "--year", required=True, help="The academic year's start, e.g. 2026 for 2026/27"
        )

    def _refuse(self, message: str) -> None:
        self.stderr.write(f"schedule-tsms: {message}")
        raise SystemExit(2)

    def handle(self, *args: Any, la: str, year: str, **options: Any) -> None:
        if not (year.isdigit() and len(year) == 4):
            self._refuse(f"--year {year!r} is not an academic year such as 2026 (for 2026/27)")
        local_authority = LocalAuthority.objects.filter(code=la).first()
        if local_authority is None:
            self._refuse(f"--la {la!r}: no local authority has that code")
        assert local_authority is not None
        try:
            created = schedule_year(
                local_authority=local_authority,
                year=int(year),
                actor=None,
                actor_name=f"schedule-tsms by {getpass.getuser()}",
            )
        except TsmInvalid as exc:
            self._refuse(str(exc))
            return
        schools = local_authority.schools.count()
        self.stdout.write(
            f"{local_authority}: {len(created)} meeting{'s' if len(created) != 1 else ''} "
            f"scheduled for {year_label(int(year))} ({schools} school{'s' if schools != 1 else ''}"
            ", three meetings each)."
        )
