"""Exceptions shared by every app. Services raise them; views and commands map them in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


class AttendError(Exception):
    """Base of every error a service raises on purpose."""


class NotFoundOrForbidden(AttendError):
    """The object does not exist or is outside the actor's scope (always shown as a 404)."""


@dataclass(frozen=True)
class InputError:
    """One problem with one field of one line of an input file."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.field}: {self.message}"


@dataclass
class ImportRejected(AttendError):
    """An import refused whole: nothing was written."""

    file_name: str
    errors: list[InputError] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.file_name}: {len(self.errors)} error(s); nothing was imported"
        return "\n".join([head, *(f"{self.file_name}: {e}" for e in self.errors)])
