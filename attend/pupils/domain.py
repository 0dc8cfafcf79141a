"""Pupil rules as plain Python (no Django): the Unique Pupil Number (UPN).

A UPN has 13 characters: a check letter, a 3-digit local-authority number, a 4-digit
establishment number, a 2-digit year and a 3-character serial (a temporary UPN ends in a letter).
The check letter and the format come from python-stdnum's ``stdnum.gb.upn``; this module maps its
exceptions to :class:`InvalidUPN` with a message a person can act on.
"""

from __future__ import annotations

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.gb import upn
from stdnum.gb.upn import validate

UPN_LENGTH = 13

# Letters and digits a UPN may contain (never I, O or S, which look like 1, 0 and 5).
_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
_CHECK_LETTERS = _ALPHABET[:23]


class InvalidUPN(ValueError):
    """A UPN that is badly formed or whose check letter does not match."""


def upn_validate(raw: str) -> str:
    """The normalised UPN (spaces removed, upper case), or :class:`InvalidUPN` saying why not."""
    number = upn.compact(raw)
    try:
        return validate(number)
    except InvalidLength:
        raise InvalidUPN(
            f"A UPN has {UPN_LENGTH} characters; {raw.strip()!r} has {len(number)}."
        ) from None
    except InvalidFormat:
        raise InvalidUPN(
            f"{number!r} has bad characters: characters 2 to 12 of a UPN must be digits and "
            "the last a digit or a capital letter other than I, O or S."
        ) from None
    except InvalidComponent:
        raise InvalidUPN(
            f"{number!r} is not a valid UPN: {number[1:4]!r} is not a known local authority number."
        ) from None
    except InvalidChecksum:
        if number[0] not in _CHECK_LETTERS:
            raise InvalidUPN(
                f"{number!r} has bad characters: a UPN starts with a check letter "
                "(a capital letter other than I, O or S)."
            ) from None
        raise InvalidUPN(
            f"{number!r} has a bad check letter: it does not match the rest of the number. "
            "Check for a mistyped character."
        ) from None
    except ValidationError as exc:  # any other stdnum refusal
        raise InvalidUPN(f"{number!r} is not a valid UPN: {exc}") from None


def upn_check_letter(first12: str) -> str:
    """The check letter for the last 12 characters of a UPN (e.g. to build demo data).

    Checks the shape only (11 digits then a digit or letter), not the local authority number.
    """
    body = upn.compact(first12)
    if len(body) != UPN_LENGTH - 1:
        raise InvalidUPN(f"Expected the 12 characters after the check letter; got {len(body)}.")
    if not (body[:-1].isascii() and body[:-1].isdigit()) or body[-1] not in _ALPHABET:
        raise InvalidUPN(
            f"{body!r} has bad characters: 11 digits then a digit or a capital letter other than "
            "I, O or S are expected."
        )
    letter: str = upn.calc_check_digit(body)
    return letter
