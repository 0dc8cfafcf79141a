from django.contrib import admin
from django.http import HttpRequest

from attend.registers.models import Amendment, Mark


class AmendmentInline(admin.TabularInline):
    model = Amendment
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Mark)
class MarkAdmin(admin.ModelAdmin):
    """Read-only: marks change only through the register's amendment service."""

    list_display = ["enrolment", "date", "session", "code", "recorded_by_name", "source"]
    list_select_related = ["enrolment__pupil", "enrolment__school"]
    date_hierarchy = "date"
    inlines = [AmendmentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
