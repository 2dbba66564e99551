"""Parents' absence reports on the calling list: one click accepts (the code goes on the
register through registers/families/services/absence.py, audited with the officer's name
and the parent's reason), or the officer declines with a note for the family."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from attendance_portal.errors import DomainError
from attendance_portal.permissions import get_pupil_for_user, school_view
from registers.actors import Actor
from registers.families.models import AbsenceReport
from registers.families.services.absence import accept_absence_report, decline_absence_report
from registers.models import Membership, School


def _report(membership: Membership, school: School, pk: int) -> AbsenceReport:
    report = AbsenceReport.objects.for_school(school).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    get_pupil_for_user(membership, school, report.pupil_id)  # 404/403 as for the pupil
    return report


def _back(request: HttpRequest, school: School, report: AbsenceReport) -> HttpResponse:
    url = reverse("escalation:calling", args=[school.urn])
    day = request.POST.get("date", "")
    query = f"?date={day}" if len(day) == 10 else ""
    return redirect(f"{url}{query}#call-row-{report.pupil_id}")


@school_view("manage_cases")
@require_POST
def accept_report(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    report = _report(membership, school, pk)
    try:
        accepted = accept_absence_report(
            report=report,
            actor=Actor.for_membership(membership),
            today=timezone.localdate(),
            code=request.POST.get("code", "").strip(),
        )
    except DomainError as exc:
        messages.error(request, f"{report.pupil.name}: nothing was recorded. {exc}")
    else:
        messages.success(request, f"{report.pupil.name}: report accepted; {accepted.summary()}")
    return _back(request, school, report)


@school_view("manage_cases")
@require_POST
def decline_report(
    request: HttpRequest, school: School, membership: Membership, pk: int
) -> HttpResponse:
    report = _report(membership, school, pk)
    try:
        decline_absence_report(
            report=report,
            actor=Actor.for_membership(membership),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, f"{report.pupil.name}: {exc}")
    else:
        messages.success(request, f"{report.pupil.name}: report declined.")
    return _back(request, school, report)
