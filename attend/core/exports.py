"""Every table of Attend exports the same way: a :class:`Table` (a title, a header and rows) is sent
as CSV or as an Excel workbook (xlsx).

Cells keep their types in Excel (numbers, dates); text that a spreadsheet would run as a formula
is kept as text: prefixed with ``'`` in CSV, and written as a string cell in xlsx.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One table as it is exported. ``filename`` has no extension; ``title`` names the sheet."""

    filename: str
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def export_format(request: HttpRequest) -> str | None:
    """ "csv" or "xlsx" when the request asks for an export (``?format=``), else None."""
    value = request.GET.get("format")
    return value if value in FORMATS else None


def csv_cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, negative or not, is not a formula
    text = str(value)
    if text[:1] in _FORMULA_START:
        return "'" + text
    return text


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    count = getattr(value, "count", None)  # a Cohort: its number, or text when withheld
    if isinstance(count, int):
        return count
    return str(value)


def csv_response(table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return response


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table (the header in bold, the header row frozen)."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        title = _sheet_title(table.title, used)
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name in table.header:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for raw in row:
                value = _xlsx_value(raw)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, Decimal):
                    exponent = value.as_tuple().exponent
                    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                    cell.number_format = "0." + "0" * places if places else "0"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    base = clean[:31]
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def xlsx_response(table: Table) -> HttpResponse:
    response = HttpResponse(xlsx_bytes([table]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.xlsx"'
    return response


def table_response(table: Table, fmt: str) -> HttpResponse:
    """The table as ``fmt`` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(table)
    if fmt == "csv":
        return csv_response(table)
    raise ValueError(f"Unknown export format {fmt!r}")
