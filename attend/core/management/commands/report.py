"""`attend report pupils|schools|penalty-threshold|marks`: JSON (one array) or CSV on stdout."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attend.pupils.domain import InvalidUPN, upn_validate
from attend.registers import reports


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Attendance reports as JSON (default) or CSV on standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for name in ("pupils", "schools", "penalty-threshold"):
            p = sub.add_parser(name)
            p.add_argument("--as-of", required=True, type=str)
            p.add_argument("--from", dest="start", type=str)
            p.add_argument("--format", choices=["json", "csv"], default="json")
            if name == "pupils":
                p.add_argument("--urn")
        p = sub.add_parser("marks")
        p.add_argument("--upn", required=True)
        p.add_argument("--from", dest="start", type=str)
        p.add_argument("--to", dest="end", type=str)
        p.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, kind: str, **options: Any) -> None:
        start = _date(options["start"]) if options.get("start") else None
        try:
            if kind == "marks":
                try:
                    upn = upn_validate(options["upn"])
                except InvalidUPN as exc:
                    raise CommandError(f"--upn: {exc}") from exc
                end = _date(options["end"]) if options.get("end") else None
                rows = reports.marks_report(upn=upn, start=start, end=end)
                fields: tuple[str, ...] = ()
            else:
                as_of = _date(options["as_of"])
                if kind == "pupils":
                    rows = reports.pupils_report(as_of=as_of, start=start, urn=options.get("urn"))
                    fields = reports.PUPIL_FIELDS
                elif kind == "schools":
                    rows = reports.schools_report(as_of=as_of, start=start)
                    fields = reports.SCHOOL_FIELDS
                else:
                    rows = reports.penalty_report(as_of=as_of, start=start)
                    fields = reports.PENALTY_FIELDS
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_value(v) for k, v in row.items()})
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            self.stdout.write(json.dumps(rows, separators=(",", ":")))


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return value
