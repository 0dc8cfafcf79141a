from django.contrib import admin

from attend.absence.models import FollowUpSettings


@admin.register(FollowUpSettings)
class FollowUpSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "school",
        "first_day_channel",
        "office_phone",
        "emergency_contacts_day",
        "home_visit_day",
        "la_referral_day",
    ]
