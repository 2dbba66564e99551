"""The admin: a school's pastoral leads are named here (who sees internal-truancy alerts
beside the office) and the timetable's cycle (week A's Monday) corrected if need be."""

from django.contrib import admin

from registers.lessons.models import PastoralLead, Timetable


@admin.register(PastoralLead)
class PastoralLeadAdmin(admin.ModelAdmin):
    list_display = ("membership", "school", "year_group")
    list_filter = ("school",)


@admin.register(Timetable)
class TimetableAdmin(admin.ModelAdmin):
    list_display = ("school", "weeks", "week_a_monday")
