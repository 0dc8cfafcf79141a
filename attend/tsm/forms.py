"""The shapes of the TSM forms: dates, texts and the rows of actions. The rules are in domain.py
and the services; the services' problems come back onto these forms (views.py)."""

from __future__ import annotations

from typing import Any

from django import forms

DATE_ERRORS = {"invalid": "Enter a date in the form YYYY-MM-DD"}


def _date(label: str, *, required: bool = False) -> forms.DateField:
    messages = {**DATE_ERRORS, "required": f"Enter {label}"}
    return forms.DateField(required=required, input_formats=["%Y-%m-%d"], error_messages=messages)


class PlanForm(forms.Form):
    planned_on = _date("the planned date", required=True)


class RecordForm(forms.Form):
    held_on = _date("the date the meeting was held")
    la_officer = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "Nobody")]
    )
    attendees = forms.CharField(required=False, max_length=5000)
    discussion = forms.CharField(required=False, max_length=20000)
    successes = forms.CharField(required=False, max_length=10000)
    improvements = forms.CharField(required=False, max_length=10000)

    def __init__(self, *args: Any, officers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["la_officer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Nobody"), *((str(pk), name) for pk, name in officers)]


class ActionForm(forms.Form):
    """One agreed action: a blank new row is left out."""

    action_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, max_length=2000)
    owner = forms.CharField(required=False, max_length=200)
    due_on = _date("the date it is due by")
    done_on = _date("the date it was done")
    notes = forms.CharField(required=False, max_length=2000)

    @property
    def blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("action_id") and not any(
            data.get(name) for name in ("description", "owner", "due_on", "done_on", "notes")
        )


class CarriedForm(forms.Form):
    """An open action of an earlier meeting: done on, and notes."""

    action_id = forms.IntegerField(widget=forms.HiddenInput)
    done_on = _date("the date it was done")
    notes = forms.CharField(required=False, max_length=2000)


ActionFormSet = forms.formset_factory(ActionForm, extra=0)
CarriedFormSet = forms.formset_factory(CarriedForm, extra=0)

#: How many blank action rows the record form offers.
NEW_ACTION_ROWS = 3


class ListFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    term = forms.ChoiceField(
        required=False, choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")]
    )
    mine = forms.BooleanField(required=False)
