"""`attend rebuild-summaries`: recompute the summaries (WeekSummary, SchoolWeekSummary and
SchoolSessionSummary) and the year-to-date summaries (ADR 3) from the marks (after a repair)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from attend.registers.summaries import rebuild_all


class Command(BaseCommand):
    help = (
        "Recompute every weekly summary, every school's session summary and the year-to-date "
        "summaries from the marks, in one transaction."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows = rebuild_all()
        self.stdout.write(f"Rebuilt {rows} weekly summary rows.")
