"""Forms of the flags pages: they check the shape only (flags.py decides the rest)."""

from __future__ import annotations

from django import forms

DATE_ERRORS = {"invalid": "Enter a date in the form YYYY-MM-DD", "required": "Enter a date"}


class FlagCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the flag’s name"}, label="Name"
    )
    description = forms.CharField(max_length=300, required=False, label="Description (optional)")


class PupilFlagsAddForm(forms.Form):
    upns = forms.CharField(
        widget=forms.Textarea,
        error_messages={"required": "Enter the UPNs of the pupils to flag, one a line"},
        label="UPNs",
    )
    start = forms.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS, label="From")

    def upn_list(self) -> list[str]:
        text: str = self.cleaned_data["upns"]
        return [part for part in text.replace(",", "\n").split() if part.strip()]


class PupilFlagEndForm(forms.Form):
    end = forms.DateField(
        input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS, label="Last day of the flag"
    )
