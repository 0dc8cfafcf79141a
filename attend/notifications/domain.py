"""Rules of messages, as plain Python: the channels and the ((placeholder)) templates.

Templates use GOV.UK Notify's placeholder syntax, ``((name))``, so that a school's template reads
the same in Attend and in Notify. Rendering refuses a template whose placeholders are not all
given: a letter that says "Dear ((parent))" is never sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

PLACEHOLDER = re.compile(r"\(\(\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*\)\)")


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class MissingPlaceholder(ValueError):
    """Values were not given for some placeholders of a template."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__("No value for " + ", ".join(f"(({n}))" for n in names))


def placeholders(template: str) -> list[str]:
    """The placeholder names of a template, in order of first use, each once."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(template):
        seen.setdefault(match.group(1), None)
    return list(seen)


def render(template: str, values: Mapping[str, object]) -> str:
    """The template with every ((name)) replaced by ``values[name]``; a value is inserted as text
    and never read as a placeholder itself. Missing values raise :class:`MissingPlaceholder`."""
    missing = [name for name in placeholders(template) if name not in values]
    if missing:
        raise MissingPlaceholder(missing)
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


#: An SMS longer than this is sent as several messages (GOV.UK Notify counts 160 characters, then
#: 153 per part, up to 918 characters).
SMS_MAX_LENGTH = 918


def sms_parts(text: str) -> int:
    """How many text messages ``text`` takes (GSM characters assumed)."""
    if len(text) <= 160:
        return 1
    return -(-len(text) // 153)
