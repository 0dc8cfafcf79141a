from django.contrib import admin
from django.http import HttpRequest

from attend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: events are written only by the services, in the transaction of their change."""

    list_display = ["at", "action", "actor_name", "object_type", "object_id", "school", "summary"]
    list_filter = ["action", "school", "at"]
    list_select_related = ["school"]
    search_fields = ["actor_name", "=object_id", "=pupil_upn", "summary"]
    search_help_text = "Actor name or summary (contains), object id or pupil UPN (exact)."
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
