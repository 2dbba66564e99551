"""The officer's daily lists: first-day calling, students of concern, penalty notices."""

from __future__ import annotations

from django.urls import path

from escalation.views import lists_calling, lists_concern, lists_fpn

urlpatterns = [
    path("calling/", lists_calling.calling, name="calling"),
    path("calling/<int:pk>/log/", lists_calling.log_call_view, name="calling_log"),
    path("concern/", lists_concern.concern, name="concern"),
    path("penalty-notices/", lists_fpn.fpn, name="fpn"),
]
