"""Writes of the national reference figures: the CSV import (atomic and idempotent)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from attend.audit.services import audit_import, field_changes
from attend.core.csvfiles import CsvFile, Row
from attend.core.results import ImportResult
from attend.reference.domain import Measure, PeriodKind, ReferencePhase, academic_year_parse
from attend.reference.models import NationalFigure

NATIONAL_FIGURE_COLUMNS = (
    "academic_year",
    "period",
    "period_label",
    "phase",
    "measure",
    "value",
    "source",
)
OPTIONAL_COLUMNS = ("published",)


def _percentage(row: Row, column: str) -> Decimal | None:
    text = row.text(column)
    if not text:
        return None
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        row.error(column, f"{text!r} is not a number")
        return None
    if not value.is_finite() or value < 0 or value > 100:
        row.error(column, f"{text!r} is not a percentage from 0 to 100")
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        row.error(column, f"{text!r} has more than 2 decimal places")
        return None
    return value.quantize(Decimal("0.01"))


def national_figures_import(*, path: Path, by: str | None = None) -> ImportResult:
    """Add or update national figures from a CSV file (docs/formats.md). A figure is identified
    by academic year, period, phase, measure and source; its label, value and date are updated.
    Any error: nothing is written, and every error names its line and column."""
    csv_file = CsvFile(path, required=NATIONAL_FIGURE_COLUMNS, optional=OPTIONAL_COLUMNS)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in csv_file.rows():
        year_text = row.text("academic_year")
        year = None
        if year_text:
            try:
                year = academic_year_parse(year_text)
            except ValueError as exc:
                row.error("academic_year", str(exc))
        values = {
            "academic_year": year,
            "period": row.choice("period", {p.value for p in PeriodKind}),
            "period_label": row.text("period_label", max_length=100),
            "phase": row.choice("phase", {p.value for p in ReferencePhase}),
            "measure": row.choice("measure", {m.value for m in Measure}),
            "value": _percentage(row, "value"),
            "source": row.text("source", max_length=300),
            "published": row.date("published", required=False),
        }
        key = tuple(values[k] for k in ("academic_year", "period", "phase", "measure", "source"))
        if key in seen:
            row.error(
                "measure",
                "the same figure (year, period, phase, measure, source) is also on line "
                f"{seen[key]}",
            )
        seen[key] = row.line
        rows.append(values)
    csv_file.raise_if_errors()

    result = ImportResult(csv_file.name, rows=len(rows))
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        for values in rows:
            lookup = {
                k: values[k] for k in ("academic_year", "period", "phase", "measure", "source")
            }
            figure = NationalFigure.objects.filter(**lookup).first()
            new = {
                "period_label": values["period_label"],
                "value": values["value"],
                "published": values["published"],
            }
            if figure is None:
                NationalFigure.objects.create(**lookup, **new)
                result.created += 1
                continue
            old = {k: getattr(figure, k) for k in new}
            if old == new:
                result.unchanged += 1
                continue
            name = " ".join(str(values[k]) for k in ("academic_year", "period", "phase", "measure"))
            change = field_changes(
                name,
                {k: str(v) if v is not None else None for k, v in old.items()},
                {k: str(v) if v is not None else None for k, v in new.items()},
            )
            if change is not None:
                changes.append(change)
            for k, v in new.items():
                setattr(figure, k, v)
            figure.save(update_fields=list(new))
            result.updated += 1
        audit_import(action="national_figures.import", result=result, by=by, changes=changes)
    return result
