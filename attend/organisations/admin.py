from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from attend.organisations.models import CalendarEntry, LocalAuthority, RegistrationGroup, School
from attend.registers import year_summaries


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and any(name.startswith("band_") for name in form.changed_data):
            # The stored year-to-date categories follow the new bands (ADR 3); the admin's
            # change view is one transaction.
            year_summaries.reclassify_local_authority(obj.pk)


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0


class SchoolAdminForm(forms.ModelForm):
    class Meta:
        model = School
        exclude: list[str] = []

    def clean(self) -> dict[str, Any]:
        from attend.tsm.services import officer_problem

        cleaned = super().clean() or {}
        officer = cleaned.get("la_attendance_officer")
        if officer is not None and cleaned.get("local_authority") is not None:
            school = School(
                local_authority=cleaned["local_authority"], name=cleaned.get("name") or ""
            )
            problem = officer_problem(school, officer)
            if problem:
                self.add_error("la_attendance_officer", problem)
        return cleaned


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolAdminForm
    list_display = ["urn", "name", "phase", "local_authority", "la_attendance_officer"]
    list_select_related = ["local_authority", "la_attendance_officer"]
    raw_id_fields = ["la_attendance_officer"]
    list_filter = ["phase", "local_authority"]
    search_fields = ["urn", "name"]
    inlines = [CalendarEntryInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "local_authority" in form.changed_data:
            year_summaries.reclassify([obj.pk])  # the categories follow the new LA's bands


@admin.register(RegistrationGroup)
class RegistrationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school"]
    list_select_related = ["school"]
