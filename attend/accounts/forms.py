"""Forms of the accounts app: shape only (the device decides whether a code is right)."""

from __future__ import annotations

import re

from django import forms

CODE = re.compile(r"\d{6}")


class TwoFactorCodeForm(forms.Form):
    """The 6-digit code from an authenticator app; spaces and dashes people type are ignored."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not CODE.fullmatch(code):
            raise forms.ValidationError("The code must be 6 digits, like 123456")
        return code
