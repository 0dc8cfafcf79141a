"""Forms of the follow-up pages: they check the shape of what was posted; the rules (which codes
a reason may give, when an N is overdue, the order of the escalation days) live in the domain."""

from __future__ import annotations

from typing import Any

from django import forms

from attend.absence.domain import REASON_CODES
from attend.absence.models import Method, Outcome
from attend.core.views import ErrorItem
from attend.notifications.domain import Channel
from attend.pupils.models import Contact
from attend.registers.domain import CODES

OTHER = "other"


def _contact_choices(contacts: list[Contact]) -> list[tuple[str, str]]:
    return [
        *(
            (
                str(c.pk),
                f"{c.forename} {c.surname} ({c.relationship}"
                + (", parental responsibility" if c.parental_responsibility else "")
                + ")",
            )
            for c in contacts
        ),
        (OTHER, "Someone else"),
    ]


class _ContactForm(forms.Form):
    contact = forms.ChoiceField(
        error_messages={"required": "Choose who was contacted", "invalid_choice": "Choose who"}
    )
    contact_name = forms.CharField(required=False, max_length=200)
    method = forms.ChoiceField(
        choices=Method.choices,
        error_messages={"required": "Choose how", "invalid_choice": "Choose how"},
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, contacts: list[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _contact_choices(contacts)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") == OTHER and not (data.get("contact_name") or "").strip():
            self.add_error("contact_name", "Enter the name of the person contacted")
        return data

    @property
    def contact_id(self) -> int | None:
        value = self.cleaned_data["contact"]
        return None if value == OTHER else int(value)

    def error_items(self) -> list[ErrorItem]:
        return [
            ErrorItem(f"#id_{self.prefix}-{name}", str(message))
            for name, messages in self.errors.items()
            for message in messages
        ]


class AttemptForm(_ContactForm):
    outcome = forms.ChoiceField(
        choices=[c for c in Outcome.choices if c[0] != Outcome.NOT_DELIVERED],
        error_messages={"required": "Choose the outcome", "invalid_choice": "Choose the outcome"},
    )


class ReasonForm(_ContactForm):
    code = forms.ChoiceField(
        choices=[("", "Choose a code"), *((c, f"{c} – {CODES[c].meaning}") for c in REASON_CODES)],
        error_messages={
            "required": "Choose the code for the reason given",
            "invalid_choice": "Choose an absence code from the list",
        },
    )


class SettingsForm(forms.Form):
    first_day_channel = forms.ChoiceField(
        choices=[(Channel.SMS.value, "Text message"), (Channel.EMAIL.value, "Email")]
    )
    office_phone = forms.RegexField(
        regex=r"^\+?[0-9 ()-]{10,20}$",
        max_length=30,
        error_messages={
            "required": "Enter the office phone number",
            "invalid": "Enter a phone number, like 01632 960 001",
        },
    )
    emergency_contacts_day = forms.IntegerField(min_value=2, max_value=60)
    home_visit_day = forms.IntegerField(min_value=2, max_value=60)
    la_referral_day = forms.IntegerField(min_value=2, max_value=60)
    illness_spells = forms.IntegerField(min_value=2, max_value=50)

    def error_items(self) -> list[ErrorItem]:
        return [
            ErrorItem(f"#id_{name}" if name != "__all__" else "#id_emergency_contacts_day", str(m))
            for name, messages in self.errors.items()
            for m in messages
        ]
