from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from attend.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    filter_horizontal = ["groups"]


@admin.register(User)
class AttendUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Attend", {"fields": ["position"]}))
