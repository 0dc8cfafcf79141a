"""`attend import schools|calendar|pupils|contacts|marks|national-figures FILE`: atomic imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attend.core.exceptions import ImportRejected
from attend.core.results import ImportResult
from attend.organisations.services import calendar_import, schools_import
from attend.pupils.services import contacts_import, pupils_import
from attend.reference.services import national_figures_import
from attend.registers.services import marks_import

IMPORTS: dict[str, Callable[..., ImportResult]] = {
    "schools": schools_import,
    "calendar": calendar_import,
    "pupils": pupils_import,
    "contacts": contacts_import,
    "marks": marks_import,
    "national-figures": national_figures_import,
}


class Command(BaseCommand):
    help = "Import a CSV file (UTF-8, header row, ISO dates). Any error: nothing is written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = IMPORTS[kind](path=file)
        except ImportRejected as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from exc
        self.stdout.write(str(result))
