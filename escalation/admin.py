"""Read-only admin views of the escalation data: every write goes through the services
(escalation.services), which keep the case timeline complete and append-only."""

from __future__ import annotations

from django.contrib import admin

from escalation.models import (
    AttendanceContract,
    Case,
    EscalationEvent,
    NoticeToImprove,
    PenaltyNoticeReferral,
    PupilFigure,
    SweepRun,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("pupil", "school", "status", "stage", "reason", "opened_on", "next_review")
    list_filter = ("status", "stage", "reason", "focus", "school")
    search_fields = ("pupil__upn", "pupil__surname")
    list_select_related = ("pupil", "school")


@admin.register(EscalationEvent)
class EscalationEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "case", "action", "actor_name", "summary")
    list_filter = ("action", "school")
    search_fields = ("pupil__upn", "summary")
    list_select_related = ("case",)


@admin.register(PupilFigure)
class PupilFigureAdmin(ReadOnlyAdmin):
    list_display = ("pupil", "as_of", "possible", "attendance", "band")
    list_filter = ("band", "school", "as_of")
    search_fields = ("pupil__upn",)
    list_select_related = ("pupil",)


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ("school", "as_of", "status", "attempts", "started_at", "finished_at")
    list_filter = ("status", "school")


@admin.register(AttendanceContract, NoticeToImprove, PenaltyNoticeReferral)
class InterventionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case", "created_at")
