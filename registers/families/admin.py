"""The admin: each school's messaging policy; messages and reports to read, never to edit
(they are written by the services, which keep them once-only and audited)."""

from __future__ import annotations

from django.contrib import admin

from registers.families.models import AbsenceReport, FamilyPolicy, Message


@admin.register(FamilyPolicy)
class FamilyPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "school",
        "channels",
        "first_day_minutes",
        "quiet_from",
        "quiet_until",
        "daily_cap",
    ]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ["created_at", "school", "pupil", "to_name", "kind", "channel", "status"]
    list_filter = ["kind", "channel", "status"]


@admin.register(AbsenceReport)
class AbsenceReportAdmin(ReadOnly):
    list_display = ["reported_at", "school", "pupil", "reason", "start_date", "end_date", "status"]
    list_filter = ["reason", "status"]
