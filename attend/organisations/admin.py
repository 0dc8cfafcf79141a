from django.contrib import admin

from attend.organisations.models import CalendarEntry, LocalAuthority, RegistrationGroup, School


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["urn", "name", "phase", "local_authority"]
    list_filter = ["phase", "local_authority"]
    search_fields = ["urn", "name"]
    inlines = [CalendarEntryInline]


@admin.register(RegistrationGroup)
class RegistrationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school"]
    list_select_related = ["school"]
