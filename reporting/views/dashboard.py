"""The headteacher's dashboard and its staff drill-down."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import has_capability, school_view
from registers.models import Membership, School
from registers.selectors.missing import unmarked_total

from ..drilldown import pupils_in_group
from ..pdf import render_dashboard_pdf
from ..periods import period_choices, resolve_period
from ..report import build_report, earlier_headline, group_title
from ..responses import drill_links, export_tables, file_response, panels
from ..summary import build_summary


def _period(request: HttpRequest, school: School):
    today = timezone.localdate()
    period = resolve_period(school=school, key=request.GET.get("period"), today=today)
    return period, today


@school_view("view_dashboard")
def dashboard(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    period, today = _period(request, school)
    if period is None:
        return render(request, "reporting/no_calendar.html", {"school": school})
    # Trust leads see their schools' dashboards as aggregates (no drill-down to pupils).
    pupil_level = has_capability(membership, "view_group_pupils")
    report = build_report(
        school=school,
        period=period,
        pupil_level=pupil_level,
        drill=drill_links(school, period) if pupil_level else None,
    )
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return file_response(render_dashboard_pdf(report))
    if fmt:
        stem = [school.urn, period.label]
        return export_tables(report.tables, fmt=fmt, name=request.GET.get("table"), stem=stem)
    context = {
        "school": school,
        "report": report,
        "period": period,
        "choices": period_choices(school=school, period=period, today=today),
        "panels": panels(report.tables[1:]),
        "headline_table": report.tables[0],
        "summary": build_summary(
            report,
            earlier_headline(school=school, period=period, withhold=not pupil_level),
        ),
        "pupil_level": pupil_level,
        # Data quality: sessions with no mark this year (figures are incomplete until filled).
        "unmarked": unmarked_total(school=school, today=today),
    }
    return render(request, "reporting/dashboard.html", context)


@school_view("view_group_pupils")
def group(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """The pupils behind one figure of the dashboard (officers and the head only)."""
    period, _ = _period(request, school)
    if period is None:
        raise Http404("No calendar")
    dimension, key = request.GET.get("dimension", "school"), request.GET.get("group", "all")
    rows = pupils_in_group(school=school, period=period, dimension=dimension, key=key)
    context = {
        "school": school,
        "period": period,
        "title": group_title(dimension, key, period),
        "rows": rows,
    }
    return render(request, "reporting/group.html", context)
