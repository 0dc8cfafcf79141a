from django.contrib import admin

from attend.pupils.models import Flag


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "local_authority", "created_at")
    list_filter = ("local_authority",)
    search_fields = ("name",)
