"""Forms for the register pages. They check the shape of what was posted; the rules (which code is
valid on which day, late after the register closes, who may amend) live in the domain and the
services, so that the page, the API and a command decide the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms

from attend.core.views import ErrorItem
from attend.organisations.models import CalendarEntry
from attend.registers.domain import CODES, Category, Code, Session
from attend.registers.selectors import RegisterRow, RegisterSheet
from attend.registers.services import MarkInput

CATEGORY_LABELS: dict[Category, str] = {
    Category.PRESENT: "Present",
    Category.AEA: "Approved educational activity",
    Category.AUTHORISED: "Authorised absence",
    Category.UNAUTHORISED: "Unauthorised absence",
    Category.NOT_POSSIBLE: "Not a possible session",
}

Option = tuple[str, str]
OptionGroup = tuple[str, list[Option]]


def _option_order(code: Code) -> tuple[bool, str]:
    # "/" and "\" first, then letters: typing a letter in the select jumps to that code.
    return code.code[0].isalnum(), code.code


def code_option_groups() -> list[OptionGroup]:
    """Every 2024 code with its meaning, grouped by statistical category (for an <optgroup>)."""
    return [
        (
            CATEGORY_LABELS[category],
            [
                (c.code, f"{c.code} – {c.meaning}")
                for c in sorted(
                    (c for c in CODES.values() if c.category == category), key=_option_order
                )
            ],
        )
        for category in Category
    ]


CODE_OPTION_GROUPS = code_option_groups()
CODE_VALUES = [value for _, options in CODE_OPTION_GROUPS for value, _ in options]


def present_code(session: Session) -> str:
    """The present mark of a session: / in the morning, \\ in the afternoon."""
    return "/" if session == Session.AM else "\\"


def _code_field(*, required: bool, name: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", "Select a mark"), *((v, v) for v in CODE_VALUES)],
        required=required,
        error_messages={
            "required": f"Select a mark for {name}",
            "invalid_choice": "Choose a mark from the list for " + name,
        },
    )


def _minutes_field(name: str) -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=600,
        error_messages={
            "invalid": f"Minutes late for {name} must be a whole number",
            "min_value": f"Minutes late for {name} must be 0 or more",
            "max_value": f"Minutes late for {name} must be 600 or fewer",
        },
    )


@dataclass(frozen=True)
class FormRow:
    """One pupil's row of a register form: the sheet's row and its fields (None: read-only)."""

    row: RegisterRow
    code: forms.BoundField | None
    minutes: forms.BoundField | None


class _RegisterForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, sheet: RegisterSheet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for row in sheet.rows:
            if self._editable(row):
                name = row.enrolment.pupil.full_name
                pk = row.enrolment.pk
                self.fields[f"code_{pk}"] = _code_field(required=self._required(row), name=name)
                self.fields[f"minutes_{pk}"] = _minutes_field(name)

    def _editable(self, row: RegisterRow) -> bool:
        """Whether the row gets a code field (every row, unless a form says otherwise)."""
        return True

    def _required(self, row: RegisterRow) -> bool:
        """Whether the row's code must be given (every row, unless a form says otherwise)."""
        return True

    def rows(self) -> Iterator[FormRow]:
        for row in self.sheet.rows:
            pk = row.enrolment.pk
            if f"code_{pk}" in self.fields:
                yield FormRow(row, self[f"code_{pk}"], self[f"minutes_{pk}"])
            else:
                yield FormRow(row, None, None)

    def error_items(self) -> list[ErrorItem]:
        """The form's errors for a GOV.UK error summary, each linking to its field."""
        items = [ErrorItem("#register-table", str(e)) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != "__all__":
                items.extend(ErrorItem(f"#id_{name}", str(e)) for e in errors)
        return items

    def posted_entries(self) -> dict[int, MarkInput]:
        """The entries as the user made them (valid rows only), to show back after a conflict."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        entries = {}
        for row in self.sheet.rows:
            code = data.get(f"code_{row.enrolment.pk}")
            if code:
                entries[row.enrolment.pk] = MarkInput(code, data.get(f"minutes_{row.enrolment.pk}"))
        return entries


class RegisterTakeForm(_RegisterForm):
    """Taking a register: a code (and minutes late) for every pupil without a mark already held."""

    def _editable(self, row: RegisterRow) -> bool:
        return row.mark is None

    def entries(self) -> dict[int, MarkInput]:
        return self.posted_entries()


def all_present_initial(data: Any, sheet: RegisterSheet) -> dict[str, Any]:
    """The posted entries with the session's present mark in every row still empty."""
    present = present_code(sheet.session)
    initial: dict[str, Any] = {"version": data.get("version", "")}
    for row in sheet.rows:
        if row.mark is None:
            pk = row.enrolment.pk
            initial[f"code_{pk}"] = data.get(f"code_{pk}") or present
            initial[f"minutes_{pk}"] = data.get(f"minutes_{pk}", "")
    return initial


class RegisterAmendForm(_RegisterForm):
    """Amending a taken register: every row's code may change; a reason is required."""

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter the reason for the amendment",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )

    def _required(self, row: RegisterRow) -> bool:
        return row.mark is not None

    def changes(self) -> dict[int, MarkInput]:
        """Only the rows whose code or minutes late differ from the mark held."""
        held = {r.enrolment.pk: r.mark for r in self.sheet.rows}
        changed = {}
        for pk, entry in self.posted_entries().items():
            mark = held[pk]
            if mark is None or (mark.code, mark.minutes_late) != (entry.code, entry.minutes_late):
                changed[pk] = entry
        return changed


def amend_initial(
    sheet: RegisterSheet, version: str, entries: dict[int, MarkInput] | None = None
) -> dict[str, Any]:
    """The amend form's starting values: the marks held, or the user's own entries if given."""
    initial: dict[str, Any] = {"version": version}
    for row in sheet.rows:
        pk = row.enrolment.pk
        entry = (entries or {}).get(pk)
        if entry is None and row.mark is not None:
            entry = MarkInput(row.mark.code, row.mark.minutes_late)
        if entry is not None:
            initial[f"code_{pk}"] = entry.code
            initial[f"minutes_{pk}"] = entry.minutes_late
    return initial


class SessionChoiceForm(forms.Form):
    """The date and session of the registers-not-taken list."""

    date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a date in the form YYYY-MM-DD"},
    )
    session = forms.ChoiceField(
        required=False,
        choices=[(Session.AM.value, "Morning (AM)"), (Session.PM.value, "Afternoon (PM)")],
        error_messages={"invalid_choice": "Select morning or afternoon"},
    )


class TermChoiceForm(forms.Form):
    """Which term of the pupil's school to show."""

    term = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args: Any, terms: list[CalendarEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms

    def clean_term(self) -> dt.date | None:
        term: dt.date | None = self.cleaned_data.get("term")
        if term is not None and term not in {t.start_date for t in self.terms}:
            raise forms.ValidationError("Select a term from the list")
        return term
