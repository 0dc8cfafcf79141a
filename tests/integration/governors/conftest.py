"""A local authority with four primary schools and one secondary, built through the imports."""

from __future__ import annotations

import pytest

from tests.integration.monitoring.conftest import MonitoringLA

#: 12 pupils at 100001 (as in the monitoring tests): 5 in persistent absence, 1 severe.
PATTERNS: list[dict[str, int]] = [
    {},
    {},
    {},
    {},
    {"I": 1},
    {"I": 1},
    {"V": 2, "#": 2},
    {"I": 2},
    {"O": 4},
    {"U": 1, "I": 1},
    {"N": 9},
    {"G": 10},
]


class GovernorsLA(MonitoringLA):
    """100001, 100002, 100004 and 100005 (primary) and 100003 (secondary) in LA 938; 999001
    (primary) in another LA."""

    def __init__(self, directory) -> None:
        super().__init__(directory)
        self.load(
            "schools",
            [
                "100004,School 100004,938,Demoshire,primary",
                "100005,School 100005,938,Demoshire,primary",
                "999001,School 999001,888,Otherby,primary",
            ],
        )
        for urn in ("100004", "100005", "999001"):
            self.term(urn, "2025-09-01", "2025-12-19")

    def fill(self) -> None:
        self.pupils("100001", PATTERNS)
        self.pupils("100002", [{}, {"I": 4}, {"O": 2}, {"G": 10}, {}, {}])
        self.pupils("100004", [{"I": 2}, {}, {}, {"N": 3, "U": 1}, {"M": 1}, {}, {}])
        self.pupils("100005", [{}, {"O": 8}, {"I": 1}, {}, {}])
        self.pupils("100003", [{}, {"I": 6}, {}, {}, {}])
        self.pupils("999001", [{"G": 20}, {}, {}, {}, {}, {}])


@pytest.fixture
def gla(tmp_path) -> GovernorsLA:
    la = GovernorsLA(tmp_path)
    la.fill()
    return la
