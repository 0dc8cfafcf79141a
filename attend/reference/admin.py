from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from attend.audit.services import audit_record
from attend.reference.models import NationalFigure

FIELDS = ("academic_year", "period", "period_label", "phase", "measure", "value", "source")


def _values(figure: NationalFigure) -> dict[str, str]:
    values = {name: str(getattr(figure, name)) for name in FIELDS}
    values["published"] = figure.published.isoformat() if figure.published else ""
    return values


@admin.register(NationalFigure)
class NationalFigureAdmin(admin.ModelAdmin):
    """Staff with the model's permissions (or superusers) keep the national figures up to date;
    each change is recorded in the audit log with the figure before and after."""

    list_display = ["academic_year", "period_label", "phase", "measure", "value", "published"]
    list_filter = ["academic_year", "period", "phase", "measure"]
    search_fields = ["period_label", "source"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change:
                old = NationalFigure.objects.filter(pk=obj.pk).first()
                before = _values(old) if old is not None else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="national_figure.change" if change else "national_figure.add",
                obj_type="national_figure",
                obj_id=obj.pk,
                before=before,
                after=_values(obj),
                summary=str(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action="national_figure.delete",
                obj_type="national_figure",
                obj_id=obj.pk,
                before=_values(obj),
                summary=str(obj),
            )
            super().delete_model(request, obj)
