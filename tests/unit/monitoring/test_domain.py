from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from attend.monitoring.domain import withheld_parts


def test_small_parts_are_withheld_and_a_lone_one_takes_the_next_smallest_with_it() -> None:
    assert withheld_parts([41, 12, 7, 6, 0]) == {4, 3}
    assert withheld_parts([41, 12, 7, 3, 0]) == {3, 4}
    assert withheld_parts([41, 12, 7, 6, 5]) == set()
    assert withheld_parts([3]) == {0}


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=6))
def test_a_withheld_part_can_never_be_worked_out_from_the_total(parts: list[int]) -> None:
    withheld = withheld_parts(parts)
    assert {i for i, n in enumerate(parts) if n < 5} <= withheld
    assert len(withheld) != 1
