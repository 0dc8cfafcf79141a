from django.contrib import admin

from attend.monitoring.models import Priority


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("title", "local_authority", "order", "measure", "flag", "target", "active")
    list_filter = ("local_authority", "measure", "active")
    list_editable = ("order", "target", "active")
    ordering = ("local_authority", "order")
