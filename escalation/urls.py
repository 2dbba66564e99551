"""Escalation URLs, under /s/<urn>/escalation/: case work (the caseload, a case page and its
actions), the officer's daily lists, and letters."""

from __future__ import annotations

from django.urls import path

from escalation.views import (
    case_actions,
    caseload,
    cases,
    letters,
    lists_calling,
    lists_concern,
    lists_fpn,
    lists_reports,
)

app_name = "escalation"

urlpatterns = [
    # Case work (escalation.views.cases, escalation.views.case_actions)
    path("cases/", caseload.caseload, name="caseload"),
    path("cases/assign/", caseload.caseload_assign, name="caseload_assign"),
    path("cases/<int:pk>/", cases.case, name="case"),
    path("cases/<int:pk>/note/", cases.case_note, name="case_note"),
    path("cases/<int:pk>/stage/", cases.case_stage, name="case_stage"),
    path("cases/<int:pk>/close/", cases.case_close, name="case_close"),
    path("cases/<int:pk>/meeting/", case_actions.case_meeting, name="case_meeting"),
    path("cases/<int:pk>/contract/", case_actions.case_contract, name="case_contract"),
    path(
        "cases/<int:pk>/contracts/<int:contract_id>/review/",
        case_actions.contract_review,
        name="contract_review",
    ),
    path(
        "cases/<int:pk>/contracts/<int:contract_id>/pdf/",
        case_actions.contract_pdf,
        name="contract_pdf",
    ),
    path("cases/<int:pk>/notice/", case_actions.case_notice, name="case_notice"),
    path(
        "cases/<int:pk>/notices/<int:notice_id>/outcome/",
        case_actions.notice_outcome,
        name="notice_outcome",
    ),
    path("cases/<int:pk>/referral/", case_actions.case_referral, name="case_referral"),
    path(
        "cases/<int:pk>/referrals/<int:referral_id>/outcome/",
        case_actions.referral_outcome,
        name="referral_outcome",
    ),
    path(
        "cases/<int:pk>/supervision-order/",
        case_actions.case_supervision,
        name="case_supervision",
    ),
    path("cases/<int:pk>/la-referral/", case_actions.case_la_referral, name="case_la_referral"),
    path("pupils/<int:pupil_id>/case/", cases.pupil_case, name="pupil_case"),
    path("pupils/<int:pupil_id>/case/open/", cases.case_open, name="case_open"),
    # The daily lists: first-day calling, students of concern, penalty notices
    path("calling/", lists_calling.calling, name="calling"),
    path("calling/<int:pk>/log/", lists_calling.log_call_view, name="calling_log"),
    path("calling/reports/<int:pk>/accept/", lists_reports.accept_report, name="report_accept"),
    path("calling/reports/<int:pk>/decline/", lists_reports.decline_report, name="report_decline"),
    path("concern/", lists_concern.concern, name="concern"),
    path("penalty-notices/", lists_fpn.fpn, name="fpn"),
    # Letters: the log, termly batches, downloads and the wording editor
    path("letters/", letters.letters, name="letters"),
    path("letters/start/", letters.start_batch, name="letters_start"),
    path("letters/queue/", letters.queue_letter, name="letters_queue"),
    path("letters/<int:pk>/pdf/", letters.letter_pdf, name="letter_pdf"),
    path("letters/batches/<int:pk>/", letters.batch, name="letter_batch"),
    path(
        "letters/batches/<int:pk>/progress/", letters.batch_progress, name="letter_batch_progress"
    ),
    path("letters/batches/<int:pk>/resume/", letters.resume_batch, name="letter_batch_resume"),
    path("letters/batches/<int:pk>/pdf/", letters.batch_pdf, name="letter_batch_pdf"),
    path("letters/wording/", letters.templates, name="letter_templates"),
    path("letters/wording/<str:kind>/", letters.template, name="letter_template"),
    path("letters/wording/<str:kind>/preview.pdf", letters.preview_pdf, name="letter_preview_pdf"),
]
