"""The governors' pages: aggregates only, small numbers withheld (reporting.disclosure),
questions beside; the page's tables download as CSV and XLSX like the dashboard's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers.models import Membership, School

from ..pdf import render_governors_pdf
from ..periods import period_choices, resolve_period
from ..report import Report, build_report
from ..responses import export_tables, file_response, panels


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
    fmt = request.GET.get("format")
    if fmt:
        stem = [school.urn, "governors", report.period.label]
        return export_tables(report.tables, fmt=fmt, name=request.GET.get("table"), stem=stem)
    context = {
        "school": school,
        "report": report,
        "period": report.period,
        "choices": choices,
        "headline_table": report.tables[0],
        "panels": panels(report.tables[1:]),
        "export_query": f"period={report.period.key}",
    }
    return render(request, "reporting/governors.html", context)


@school_view("view_governors_summary")
def governors_pdf(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    report, _ = _report(request, school)
    if report is None:
        return render(request, "reporting/no_calendar.html", {"school": school})
    return file_response(render_governors_pdf(report))
