from django.contrib import admin

from attend.notifications.models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "channel", "school", "subject", "updated_at"]
    list_filter = ["channel", "key"]
    search_fields = ["key", "subject", "body"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The log of messages: read-only (a message sent cannot be unsent)."""

    list_display = ["created_at", "channel", "school", "template_key", "status", "backend"]
    list_filter = ["channel", "status", "backend"]
    exclude = ["pdf"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
