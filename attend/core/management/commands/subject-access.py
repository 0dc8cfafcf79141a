"""`attend subject-access UPN [--format json|pdf] [--output FILE]`: everything held on a pupil."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from attend.audit.exports import subject_access_json, subject_access_pdf
from attend.audit.selectors import PupilNotFound
from attend.audit.services import subject_access_export


class Command(BaseCommand):
    help = (
        "Export everything held on one pupil (pupil record, characteristics, contacts, "
        "enrolments, every mark with its amendment history, audit log entries) for a subject "
        "access request, as JSON (default, on standard output) or PDF. Recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("upn", help="The pupil's UPN")
        parser.add_argument("--format", choices=["json", "pdf"], default="json")
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write (default: standard output for JSON, subject-access-UPN.pdf)",
        )

    def handle(self, *args: Any, upn: str, output: Path | None, **options: Any) -> None:
        output_format: str = options["format"]
        try:
            with transaction.atomic():  # the export's audit event stands only if it was written
                data = subject_access_export(
                    upn=upn,
                    by=f"subject access by {getpass.getuser()}",
                    output_format=output_format,
                )
                if output_format == "pdf":
                    path = output or Path(f"subject-access-{data['upn']}.pdf")
                    path.write_bytes(subject_access_pdf(data))
                    self.stderr.write(f"Wrote {path}")
                elif output is not None:
                    output.write_text(subject_access_json(data), encoding="utf-8")
                    self.stderr.write(f"Wrote {output}")
                else:
                    self.stdout.write(subject_access_json(data), ending="")
        except PupilNotFound as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from exc
        except OSError as exc:
            self.stderr.write(f"Could not write the export: {exc}")
            raise SystemExit(1) from exc
