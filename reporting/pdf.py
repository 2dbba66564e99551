"""PDF renderers (WeasyPrint): the governors' report and the dashboard.

Side-effect free: render a print template to HTML, then to bytes (attendance_portal.pdf), and return
(filename, content_type, bytes) like the other renderers. Charts are drawn as CSS bars
in the print template, because WeasyPrint runs no JavaScript.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from attendance_portal.pdf import PDF_TYPE, render_pdf

from .exports import filename
from .report import Report


def _render(template: str, context: dict) -> bytes:
    return render_pdf(render_to_string(template, context))


def _context(report: Report, title: str) -> dict:
    return {
        "report": report,
        "school": report.school,
        "period": report.period,
        "title": title,
        "generated": timezone.localtime(),
    }


def render_governors_pdf(report: Report) -> tuple[str, str, bytes]:
    context = _context(report, "Attendance report for governors")
    data = _render("reporting/pdf/governors.html", context)
    stem = [report.school.urn, "governors", report.period.label]
    return filename(*stem, ext="pdf"), PDF_TYPE, data


def render_dashboard_pdf(report: Report) -> tuple[str, str, bytes]:
    context = _context(report, "Attendance dashboard")
    data = _render("reporting/pdf/dashboard.html", context)
    stem = [report.school.urn, "dashboard", report.period.label]
    return filename(*stem, ext="pdf"), PDF_TYPE, data
