from typing import Any

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


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["urn", "name", "phase", "local_authority"]
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
