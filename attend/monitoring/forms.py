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
