"""`attend rebuild-summaries`: recompute the summaries (WeekSummary, SchoolWeekSummary and
SchoolSessionSummary) from the marks (after a repair)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from attend.registers.summaries import rebuild_all


class Command(BaseCommand):
    help = (
        "Recompute every weekly summary and every school's session summary from the marks, in "
        "one transaction."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows = rebuild_all()
        self.stdout.write(f"Rebuilt {rows} weekly summary rows.")
