"""Tests for attend.pupils.domain: Unique Pupil Number validation (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attend.pupils.domain import InvalidUPN, upn_check_letter, upn_validate

VALID = "B801200005001"  # python-stdnum's documented example
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # check letters: no I, O or S


@pytest.mark.parametrize("raw", [VALID, " b801200005001 ", "b801200005001\n", "B8012 0000 5001"])
def test_valid_upn_is_normalised(raw: str) -> None:
    assert upn_validate(raw) == VALID


@pytest.mark.parametrize("raw", ["", "B80120000500", "B8012000050011", "B"])
def test_wrong_length(raw: str) -> None:
    with pytest.raises(InvalidUPN, match="13 characters"):
        upn_validate(raw)


@pytest.mark.parametrize("raw", ["A801200005001", "C801200005001", "B801200005002"])
def test_bad_check_letter(raw: str) -> None:
    with pytest.raises(InvalidUPN, match="check letter"):
        upn_validate(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "X80120000A001",  # letter in the middle
        "B8012000050-1",
        "B80120000500I",  # I is never used
        "180120000500A",  # starts with a digit
        "!801200005001",
        "I801200005001",
    ],
)
def test_bad_characters(raw: str) -> None:
    with pytest.raises(InvalidUPN, match="bad characters"):
        upn_validate(raw)


def test_unknown_local_authority() -> None:
    with pytest.raises(InvalidUPN, match="local authority"):
        upn_validate("E000200005001")


def test_invalid_upn_is_a_value_error() -> None:
    assert issubclass(InvalidUPN, ValueError)


def test_check_letter() -> None:
    assert upn_check_letter("801200005001") == "B"
    temporary = "80120000500A"
    assert upn_validate(upn_check_letter(temporary) + temporary) == (
        upn_check_letter(temporary) + temporary
    )


@pytest.mark.parametrize(
    "bad", ["", "80120000500", "8012000050011", "8012000A5001", "80120000500I"]
)
def test_check_letter_refuses_bad_input(bad: str) -> None:
    with pytest.raises(InvalidUPN):
        upn_check_letter(bad)


bodies = st.tuples(
    st.sampled_from(["201", "801", "938", "330"]),
    st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from("ABCDEFGHJKLMNPQRTUVWXYZ0123456789"),
).map("".join)


@given(bodies)
def test_generated_upns_validate(body: str) -> None:
    letter = upn_check_letter(body)
    assert letter in LETTERS
    assert upn_validate((letter + body).lower()) == letter + body


@given(bodies, st.sampled_from(LETTERS))
def test_any_other_letter_is_refused(body: str, letter: str) -> None:
    if letter == upn_check_letter(body):
        return
    with pytest.raises(InvalidUPN, match="check letter"):
        upn_validate(letter + body)


def test_any_other_stdnum_refusal_becomes_invalid_upn(monkeypatch: pytest.MonkeyPatch) -> None:
    from stdnum.exceptions import ValidationError

    from attend.pupils import domain

    def refuse(number: str) -> str:
        raise ValidationError()

    monkeypatch.setattr(domain, "validate", refuse)
    with pytest.raises(InvalidUPN, match="not a valid UPN"):
        upn_validate(VALID)
