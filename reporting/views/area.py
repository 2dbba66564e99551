"""The local authority's view: the schools of its LA number side by side, for its members
only. Figures only, never a pupil (reporting/area.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers.models import Membership, School

from ..area import area_rows, area_table, national_table
from ..responses import export_tables, panels
from .trust import sort_headers


@school_view("view_local_authority")
def local_authority(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """/s/<urn>/reporting/local-authority/: the urn is any school with the member's LA number."""
    if not school.la_number or membership.la_number != school.la_number:
        raise PermissionDenied("Only the local authority's own team sees this view.")
    sort = request.GET.get("sort", "name")
    rows = area_rows(school.la_number, today=timezone.localdate(), sort=sort)
    table = area_table(rows)
    comparison = national_table(r.school.phase for r in rows)
    fmt = request.GET.get("format")
    if fmt:
        name = request.GET.get("table") or ("schools" if fmt == "csv" else None)
        stem = [f"LA {school.la_number}"]
        return export_tables([table, comparison], fmt=fmt, name=name, stem=stem)
    context = {
        "school": school,
        "la_number": school.la_number,
        "la_name": next((r.school.la_name for r in rows if r.school.la_name), ""),
        "rows": rows,
        "table": table,
        "comparison": comparison,
        "headers": sort_headers(sort),
        "sort": sort,
        "panels": panels([table]),
    }
    return render(request, "reporting/local_authority.html", context)
