"""Build a small local authority through the real CSV imports, and run the real commands."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command

from tests.factories import make_upn

HEADERS = {
    "schools": "urn,name,la_code,la_name,phase",
    "calendar": "urn,kind,start_date,end_date,session",
    "pupils": "upn,urn,surname,forename,date_of_birth,start_date,leaving_date,registration_group",
    "marks": "upn,urn,date,session,code,minutes_late",
}


class Scenario:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def load(self, kind: str, rows: list[str]) -> str:
        self.count += 1
        path = self.directory / f"{kind}-{self.count}.csv"
        path.write_text("\n".join([HEADERS[kind], *rows]) + "\n", encoding="utf-8")
        out = io.StringIO()
        call_command("import", kind, str(path), stdout=out)
        return out.getvalue()

    def schools(self, *urns: str) -> None:
        self.load("schools", [f"{u},School {u},938,Demoshire,primary" for u in urns])

    def term(self, urn: str, start: str, end: str) -> None:
        self.load("calendar", [f"{urn},term,{start},{end},"])

    def pupil(self, n: int, urn: str, start: str = "2024-09-01", leaving: str = "") -> str:
        upn = make_upn(n)
        self.load("pupils", [f"{upn},{urn},Pupil,P{n},2015-01-01,{start},{leaving},1A"])
        return upn

    def marks(self, upn: str, urn: str, codes: dict[tuple[dt.date, str], str]) -> None:
        self.load(
            "marks",
            [f"{upn},{urn},{day.isoformat()},{s},{code}," for (day, s), code in codes.items()],
        )


def school_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def sessions(days: list[dt.date]) -> list[tuple[dt.date, str]]:
    return [(d, s) for d in days for s in ("AM", "PM")]


def report(*args: str) -> Any:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return json.loads(out.getvalue())
