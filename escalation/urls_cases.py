"""Case work: the caseload, a case page and its actions (escalation.views.cases and
escalation.views.case_actions). Included by escalation/urls.py under /s/<urn>/escalation/."""

from __future__ import annotations

from django.urls import path

from escalation.views import case_actions, caseload, cases

urlpatterns = [
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
]
