"""`attend governors-reports [--term autumn|spring|summer --year YYYY] [--la CODE] [--regenerate]`:
make and store the termly governors' report of every school (a scheduled task)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from attend.governors.domain import Term, last_ended_term
from attend.governors.selectors import school_term, term_entries
from attend.governors.services import governors_report_store
from attend.organisations.models import LocalAuthority, School


def _usage(message: str) -> CommandError:
    """Bad input: one line on standard error and exit status 2."""
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Make the termly governors' report (PDF) of every school and store it for the governors' "
        "view. Without --term and --year: for each school, the last term that ended before "
        "today (from the school's calendar). A school that already has the report is skipped "
        "unless --regenerate. One transaction per report, each recorded in the audit log. "
        "Meant to run daily from a timer (docs/operations.md); prints one line per school, "
        "figures never."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--term", choices=[t.value for t in Term], help="The term")
        parser.add_argument(
            "--year", type=int, help="The academic year by the year it starts: 2025 for 2025/26"
        )
        parser.add_argument("--la", help="Only the schools of this LA (3-digit code)")
        parser.add_argument(
            "--regenerate", action="store_true", help="Make the report again if stored already"
        )

    def handle(
        self,
        *args: Any,
        term: str | None,
        year: int | None,
        la: str | None,
        regenerate: bool,
        **options: Any,
    ) -> None:
        today = timezone.localdate()
        if (term is None) != (year is None):
            raise _usage("--term and --year go together (e.g. --term autumn --year 2025)")
        if year is not None and not 2000 <= year <= 2100:
            raise _usage(f"--year {year}: give the year the academic year starts, e.g. 2025")
        schools = School.objects.select_related("local_authority").order_by("urn")
        if la is not None:
            if not LocalAuthority.objects.filter(code=la).exists():
                raise _usage(f"--la {la}: no local authority with that code")
            schools = schools.filter(local_authority__code=la)
        by = f"governors-reports by {getpass.getuser()}"
        made = kept = 0
        for school in schools:
            if term is not None and year is not None:
                dates = school_term(school.pk, year, Term(term))
                if dates.end >= today:
                    raise _usage(
                        f"{dates.label} has not ended at {school.urn} (it ends "
                        f"{dates.end.isoformat()}); reports are made for terms that have ended"
                    )
            else:
                dates = last_ended_term(today, term_entries(school.pk))
            _, created = governors_report_store(
                school=school, term=dates, today=today, by=by, regenerate=regenerate
            )
            if created:
                made += 1
                self.stdout.write(f"{school.urn}: made the {dates.label} report")
            else:
                kept += 1
                self.stdout.write(f"{school.urn}: {dates.label} report already stored, skipped")
        self.stdout.write(f"{made} report(s) made, {kept} skipped.")
