"""`attend retention [--as-of DATE] [--apply]`: remove registers past the retention period."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from attend.audit.domain import RETENTION_YEARS
from attend.audit.selectors import TABLES, RetentionPlan, retention_plan
from attend.audit.services import retention_apply


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Remove the registers, marks, amendments and weekly summaries of academic years "
        f"(1 August to 31 July) that ended more than {RETENTION_YEARS} years before --as-of "
        "(default: today). Without --apply it is a dry run that prints what would be removed; "
        "with --apply it removes them in one transaction and records the counts in the audit log. "
        "Pupils, enrolments, characteristics, contacts and the audit log itself are NOT removed "
        "by this command. Prints counts per table, school and academic year, never a pupil's name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_date, help="The day to count from (default: today)")
        parser.add_argument(
            "--apply", action="store_true", help="Remove the rows (default: a dry run)"
        )

    def handle(self, *args: Any, as_of: dt.date | None, apply: bool, **options: Any) -> None:
        as_of = as_of or timezone.localdate()
        if apply:
            plan = retention_apply(as_of=as_of, by=f"retention by {getpass.getuser()}")
        else:
            plan = retention_plan(as_of=as_of)
        self._report(plan, applied=apply)

    def _report(self, plan: RetentionPlan, *, applied: bool) -> None:
        write = self.stdout.write
        write(
            f"Retention as of {plan.as_of.isoformat()}: registers, marks, amendments and week "
            f"summaries dated before {plan.cutoff.isoformat()} (academic years that ended more "
            f"than {RETENTION_YEARS} years before)."
        )
        if plan.empty:
            write("Nothing to remove.")
            return
        header = ["URN", "School", "Year", *TABLES]
        lines = [
            [r.school_urn, r.school_name, r.year, *(str(r.counts[t]) for t in TABLES)]
            for r in plan.rows
        ]
        lines.append(["Total", "", "", *(str(n) for n in plan.totals.values())])
        widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
        for line in [header, *lines]:
            cells = [
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ]
            write("  ".join(cells).rstrip())
        if applied:
            write("Removed, and recorded in the audit log (retention.remove).")
        else:
            write("Dry run: nothing was removed. Run again with --apply to remove these rows.")
