from typing import Any

from django import forms
from django.contrib import admin

from attend.organisations.models import CalendarEntry, LocalAuthority, RegistrationGroup, School


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


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


@admin.register(RegistrationGroup)
class RegistrationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school"]
    list_select_related = ["school"]
