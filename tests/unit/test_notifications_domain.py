"""Message templates: ((placeholders)) and text message length."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.notifications.domain import MissingPlaceholder, placeholders, render, sms_parts


def test_placeholders_are_found_once_in_order():
    assert placeholders("((a)) and (( b )) then ((a)) ((c d))") == ["a", "b", "c d"]
    assert placeholders("no placeholders (here)") == []


def test_render_replaces_and_refuses_missing_values():
    assert render("Dear ((name)), ((name))!", {"name": "Ann"}) == "Dear Ann, Ann!"
    with pytest.raises(MissingPlaceholder, match=r"No value for \(\(a\)\), \(\(b\)\)"):
        render("((a)) ((b))", {})


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_a_value_is_inserted_as_text_and_never_read_as_a_placeholder(value):
    assert render("[((x))]", {"x": value}) == f"[{value}]"


def test_sms_parts():
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert sms_parts("a" * 306) == 2 and sms_parts("a" * 307) == 3
