"""The period of the monitoring pages: from and to dates, by default the academic year to date.
The form checks the shape only; the period itself is registers.reports.Period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from attend.registers.reports import Period

DATE_ERRORS = {"invalid": "Enter a date in the form YYYY-MM-DD"}


class PeriodForm(forms.Form):
    """``from`` and ``to`` (GET parameters); either may be left out."""

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["from"] = forms.DateField(
            required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS
        )
        self.fields["to"] = forms.DateField(
            required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("from", "The start date must be on or before the end date")
        elif start and not end and start > self.today:
            self.add_error("from", "The start date must be today or in the past")
        return cleaned

    def period(self) -> Period:
        """The chosen period; the academic year to date when the form is empty or invalid."""
        if not self.is_bound or not self.is_valid():
            return Period.of(self.today)
        end = self.cleaned_data.get("to") or self.today
        return Period.of(end, self.cleaned_data.get("from"))


class AsOfForm(forms.Form):
    """``as_of``: the day the pupil page and "who needs attention" are read on (default today)."""

    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_as_of(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("as_of")
        if value and value > self.today:
            raise forms.ValidationError("The date must be today or in the past")
        return value

    def day(self) -> dt.date:
        if not self.is_bound or not self.is_valid():
            return self.today
        return self.cleaned_data.get("as_of") or self.today


class RecognitionForm(forms.Form):
    """The half term (by its first day) and the threshold of excellent attendance (a whole
    percentage from 50 to 100; default 100)."""

    half_term = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS
    )
    threshold = forms.IntegerField(
        required=False,
        min_value=50,
        max_value=100,
        error_messages={
            "invalid": "Enter a whole number from 50 to 100",
            "min_value": "Enter a whole number from 50 to 100",
            "max_value": "Enter a whole number from 50 to 100",
        },
    )
