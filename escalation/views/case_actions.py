"""The formal steps on a case page: meeting, contract (and its review and PDF), notice to
improve (and its outcome), penalty-notice referral (and its outcome), local-authority
referral. Each is a thin POST view around one service (escalation.views.cases.act)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from attendance_portal.downloads import file_response
from attendance_portal.permissions import school_view
from escalation import forms
from escalation.models import AttendanceContract, NoticeToImprove, PenaltyNoticeReferral
from escalation.pdf import contract_pdf as render_contract_file
from escalation.services import interventions as steps
from escalation.services.cases import record_meeting
from escalation.views.cases import act, case_action, find_case
from registers.models import Membership, School


@require_POST
@school_view("manage_cases")
def case_contract(request: HttpRequest, school: School, membership: Membership, pk: int):
    found = find_case(school, pk)
    return act(
        request,
        school,
        membership,
        found,
        form_class=forms.ContractForm,
        prefix="contract",
        perform=lambda d, actor: steps.record_contract(
            case=found, actor=actor, terms=forms.ContractForm.terms_from(d)
        ),
        done="Attendance contract recorded. Download it to print and sign.",
    )


@require_POST
@school_view("manage_cases")
def contract_review(
    request: HttpRequest, school: School, membership: Membership, pk: int, contract_id: int
):
    found = find_case(school, pk)
    contract = get_object_or_404(AttendanceContract, pk=contract_id, case=found)
    return act(
        request,
        school,
        membership,
        found,
        form_class=forms.ContractReviewForm,
        prefix=f"review-{contract.pk}",
        perform=lambda d, actor: steps.review_contract(contract=contract, actor=actor, **d),
        done="Contract review recorded.",
    )


@require_GET
@school_view("manage_cases")
def contract_pdf(
    request: HttpRequest, school: School, membership: Membership, pk: int, contract_id: int
) -> HttpResponse:
    found = find_case(school, pk)
    contract = get_object_or_404(
        AttendanceContract.objects.select_related("case__pupil", "case__school"),
        pk=contract_id,
        case=found,
    )
    return file_response(render_contract_file(contract))


@require_POST
@school_view("manage_cases")
def notice_outcome(
    request: HttpRequest, school: School, membership: Membership, pk: int, notice_id: int
):
    found = find_case(school, pk)
    notice = get_object_or_404(NoticeToImprove, pk=notice_id, case=found)
    return act(
        request,
        school,
        membership,
        found,
        form_class=forms.NoticeOutcomeForm,
        prefix=f"outcome-{notice.pk}",
        perform=lambda d, actor: steps.record_notice_outcome(notice=notice, actor=actor, **d),
        done="Outcome of the notice to improve recorded.",
    )


@require_POST
@school_view("manage_cases")
def referral_outcome(
    request: HttpRequest, school: School, membership: Membership, pk: int, referral_id: int
):
    found = find_case(school, pk)
    referral = get_object_or_404(PenaltyNoticeReferral, pk=referral_id, case=found)
    return act(
        request,
        school,
        membership,
        found,
        form_class=forms.ReferralOutcomeForm,
        prefix=f"referral-{referral.pk}",
        perform=lambda d, actor: steps.record_referral_outcome(referral=referral, actor=actor, **d),
        done="Referral status recorded.",
    )


case_meeting = case_action(
    forms.MeetingForm, "meeting", record_meeting, "Attendance meeting recorded."
)
case_notice = case_action(
    forms.NoticeForm, "notice", steps.issue_notice_to_improve, "Notice to improve recorded."
)
case_referral = case_action(
    forms.ReferralForm,
    "referral",
    steps.refer_for_penalty_notice,
    "Penalty-notice referral recorded.",
)
case_supervision = case_action(
    forms.SupervisionOrderForm,
    "supervision",
    steps.request_supervision_order,
    "Education supervision order request recorded.",
)
case_la_referral = case_action(
    forms.LaReferralForm, "la", steps.refer_to_la, "Referral to the local authority recorded."
)
