"""A small local authority for the monitoring pages, built through the real imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attend.accounts.models import Membership
from attend.organisations.models import School
from tests.factories import UserFactory, make_upn
from tests.integration.scenario import Scenario, school_days, sessions

#: Two school weeks: 20 possible sessions per pupil.
FIRST, LAST = dt.date(2025, 9, 1), dt.date(2025, 9, 12)
PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


class MonitoringLA(Scenario):
    """Schools 100001 and 100002 (primary) and 100003 (secondary) in LA 938."""

    def __init__(self, directory: Any) -> None:
        super().__init__(directory)
        self.serial = 0
        self.load(
            "schools",
            [
                "100001,School 100001,938,Demoshire,primary",
                "100002,School 100002,938,Demoshire,primary",
                "100003,School 100003,938,Demoshire,secondary",
            ],
        )
        for urn in ("100001", "100002", "100003"):
            self.term(urn, "2025-09-01", "2025-12-19")

    def school(self, urn: str) -> School:
        return School.objects.get(urn=urn)

    def pupils(self, urn: str, patterns: list[dict[str, int]]) -> list[str]:
        """One pupil per pattern (absence code -> sessions; the rest present) over two weeks,
        imported in one pupils file and one marks file."""
        upns, pupil_rows, mark_rows = [], [], []
        for absences in patterns:
            self.serial += 1
            n = self.serial
            upn = make_upn(n)
            upns.append(upn)
            pupil_rows.append(
                f"{upn},{urn},Surname{n:03d},Forename{n:03d},2015-01-01,2024-09-01,,1A"
            )
            pending = [code for code, count in absences.items() for _ in range(count)]
            for day, s in sessions(school_days(FIRST, LAST)):
                code = pending.pop() if pending else ("/" if s == "AM" else "\\")
                mark_rows.append(f"{upn},{urn},{day.isoformat()},{s},{code},")
        self.load("pupils", pupil_rows)
        self.load("marks", mark_rows)
        return upns

    def member(self, role: str, **where: Any) -> Any:
        user = UserFactory()
        Membership.objects.create(user=user, role=role, **where)
        return user


@pytest.fixture
def la(tmp_path) -> MonitoringLA:
    return MonitoringLA(tmp_path)
