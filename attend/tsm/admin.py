from django.contrib import admin

from attend.tsm.models import AgreedAction, TargetedSupportMeeting


class AgreedActionInline(admin.TabularInline):
    model = AgreedAction
    extra = 0


@admin.register(TargetedSupportMeeting)
class TargetedSupportMeetingAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "term", "planned_on", "held_on", "la_officer"]
    list_filter = ["year", "term"]
    list_select_related = ["school", "la_officer"]
    search_fields = ["school__name", "school__urn"]
    raw_id_fields = ["la_officer"]
    readonly_fields = ["created_at", "created_by_name", "updated_at", "updated_by_name"]
    inlines = [AgreedActionInline]
