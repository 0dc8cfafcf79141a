"""Reading the CSV files of the imports: UTF-8, a header row, ISO dates, columns in any order.

Every problem is collected with its line and column so that a file is refused whole, with all its
errors listed, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from attend.core.exceptions import ImportRejected, InputError

TRUE_VALUES = {"true", "1", "y", "yes"}
FALSE_VALUES = {"false", "0", "n", "no"}


@dataclass
class Row:
    """One data line of a CSV file, with helpers that record errors instead of raising."""

    line: int
    values: dict[str, str]
    errors: list[InputError]

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            self.error(column, "is required")
        elif max_length is not None and len(value) > max_length:
            self.error(column, f"is longer than {max_length} characters")
        return value

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
        except ValueError:
            self.error(column, f"{value!r} is not a date in the form YYYY-MM-DD")
            return None

    def boolean(self, column: str, *, default: bool | None = None) -> bool | None:
        value = self.text(column, required=False).lower()
        if not value:
            return default
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        self.error(column, f"{value!r} is not one of true/false/1/0/Y/N")
        return default

    def integer(
        self, column: str, *, required: bool = True, minimum: int | None = None
    ) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.error(column, f"{value!r} is not a whole number")
            return None
        if minimum is not None and number < minimum:
            self.error(column, f"must be at least {minimum}")
            return None
        return number

    def choice(self, column: str, choices: set[str], *, required: bool = True) -> str:
        value = self.text(column, required=required)
        if value and value not in choices:
            self.error(column, f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value

    def error(self, column: str, message: str) -> None:
        self.errors.append(InputError(self.line, column, message))


def _bad_date() -> dt.date:
    raise ValueError


@dataclass
class CsvFile:
    path: Path
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    errors: list[InputError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self) -> Iterator[Row]:
        """Yield each data row; header problems are recorded as errors on line 1."""
        for number, cells in self.records():
            yield Row(number, dict(zip(self.columns, cells, strict=True)), self.errors)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells) for each data line, the cells in the order of
        `self.columns` (for importers that read millions of lines)."""
        try:
            handle = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            self.errors.append(InputError(0, "-", f"cannot be read: {exc.strerror}"))
            return
        with handle:
            try:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    self.errors.append(InputError(1, "-", "the file is empty (no header row)"))
                    return
                self.columns = [h.strip().lower() for h in header]
                if not self._header_ok(self.columns):
                    return
                width = len(self.columns)
                for number, cells in enumerate(reader, start=2):
                    if len(cells) != width:
                        if not any(c.strip() for c in cells):
                            continue
                        self.error(
                            number, "-", f"has {len(cells)} fields but the header has {width}"
                        )
                        continue
                    yield number, cells
            except UnicodeDecodeError:
                self.errors.append(InputError(0, "-", "is not UTF-8 text"))
            except csv.Error as exc:
                self.errors.append(InputError(0, "-", f"is not valid CSV: {exc}"))

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(InputError(line, column, message))

    def _header_ok(self, columns: list[str]) -> bool:
        ok = True
        known = set(self.required) | set(self.optional)
        for position, column in enumerate(columns, start=1):
            if column not in known:
                self.errors.append(InputError(1, column or f"#{position}", "is not a known column"))
                ok = False
        seen: set[str] = set()
        for column in columns:
            if column in seen:
                self.errors.append(InputError(1, column, "appears twice in the header"))
                ok = False
            seen.add(column)
        for column in self.required:
            if column not in columns:
                self.errors.append(InputError(1, column, "required column is missing"))
                ok = False
        return ok

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ImportRejected(self.name, sorted(self.errors, key=lambda e: e.line))
