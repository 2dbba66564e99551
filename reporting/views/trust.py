"""The trust view: the schools of the trust side by side, for its trust leads only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers.models import Membership, School

from ..responses import export_tables, panels
from ..trust import SORTS, trust_rows, trust_table


@school_view("view_trust")
def trust(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """/s/<urn>/reporting/trust/: the urn is any school of the trust the user leads."""
    if school.trust_id is None or membership.trust_id != school.trust_id:
        raise PermissionDenied("Only the trust's own leads see the trust view.")
    sort = request.GET.get("sort", "name")
    rows = trust_rows(school.trust, today=timezone.localdate(), sort=sort)
    table = trust_table(rows)
    fmt = request.GET.get("format")
    if fmt:
        return export_tables([table], fmt=fmt, name="trust", stem=[school.trust.name])
    headers = sort_headers(sort)
    context = {
        "school": school,
        "trust": school.trust,
        "rows": rows,
        "table": table,
        "headers": headers,
        "sort": sort,
        "panels": panels([table]),
    }
    return render(request, "reporting/trust.html", context)


def sort_headers(sort: str) -> list[dict]:
    """The schools' table's column headings, each a link that sorts by it (again: down)."""
    current = sort.lstrip("-")
    return [
        {
            "key": key,
            "title": title,
            "sort": f"-{key}" if sort == key else key,
            "active": key == current,
            "descending": sort.startswith("-") and key == current,
        }
        for key, (title, _) in SORTS.items()
    ]
