"""The governors' pages: aggregates only, small groups suppressed, questions beside."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers.models import Membership, School

from ..pdf import render_governors_pdf
from ..periods import period_choices, resolve_period
from ..report import Report, build_report
from ..responses import file_response, panels


def _report(request: HttpRequest, school: School) -> tuple[Report | None, list]:
    today = timezone.localdate()
    period = resolve_period(school=school, key=request.GET.get("period"), today=today)
    if period is None:
        return None, []
    report = build_report(school=school, period=period, aggregate_only=True)
    return report, period_choices(school=school, period=period, today=today)


@school_view("view_governors_summary")
def governors(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    report, choices = _report(request, school)
    if report is None:
        return render(request, "reporting/no_calendar.html", {"school": school})
    context = {
        "school": school,
        "report": report,
        "period": report.period,
        "choices": choices,
        "headline_table": report.tables[0],
        "panels": panels(report.tables[1:]),
    }
    return render(request, "reporting/governors.html", context)


@school_view("view_governors_summary")
def governors_pdf(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    report, _ = _report(request, school)
    if report is None:
        return render(request, "reporting/no_calendar.html", {"school": school})
    return file_response(render_governors_pdf(report))
