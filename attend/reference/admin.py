from django.contrib import admin

from attend.reference.models import NationalFigure


@admin.register(NationalFigure)
class NationalFigureAdmin(admin.ModelAdmin):
    """Staff with the model's permissions (or superusers) keep the national figures up to date."""

    list_display = ["academic_year", "period_label", "phase", "measure", "value", "published"]
    list_filter = ["academic_year", "period", "phase", "measure"]
    search_fields = ["period_label", "source"]
