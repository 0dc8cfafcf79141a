"""A small LA for the targeted support meetings: the monitoring tests' LA (autumn 2025 marks), with
an LA officer, an LA administrator, the school's office and a governor, and an officer of another
LA."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import LocalAuthorityFactory, SchoolFactory
from tests.integration.monitoring.conftest import MonitoringLA

YEAR = 2025
#: Pupils at 100001 over two weeks (20 sessions): two severely absent (12 and 10 sessions of
#: absence: 50% or more), one persistently absent, three present.
PATTERNS: list[dict[str, int]] = [{}, {}, {}, {"O": 3}, {"O": 12}, {"I": 4, "G": 6}]


class TsmLA(MonitoringLA):
    def __init__(self, directory: Any) -> None:
        super().__init__(directory)
        self.upns = self.pupils("100001", PATTERNS)
        self.a = self.school("100001")
        self.b = self.school("100002")
        self.la = self.a.local_authority
        self.officer = self.member("la_officer", local_authority=self.la)
        self.officer.first_name, self.officer.last_name = "Rachel", "Green"
        self.officer.save()
        self.admin = self.member("la_admin", local_authority=self.la)
        self.office = self.member("office", school=self.a)
        self.senior = self.member("senior", school=self.a)
        self.governor = self.member("governor", school=self.a)
        other_la = LocalAuthorityFactory(code="888")
        self.elsewhere_school = SchoolFactory(local_authority=other_la, urn="200001")
        self.officer_elsewhere = self.member("la_officer", local_authority=other_la)

    @property
    def severe_upns(self) -> list[str]:
        return self.upns[4:6]


@pytest.fixture
def tsm(tmp_path) -> TsmLA:
    return TsmLA(tmp_path)
