"""What a service that imports a file reports back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ImportResult:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.file_name}: {self.rows} rows; {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
