from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attendance_portal.navigation import nav_items
from attendance_portal.permissions import has_capability, school_view


@school_view("open_school")
def school_home(request: HttpRequest, school, membership) -> HttpResponse:
    """A school's front page: the sections this role can open."""
    items = nav_items(membership, school.urn, "")
    context = {
        "school": school,
        "items": items,
        "can_unlock": has_capability(membership, "unlock_sign_in"),
    }
    return render(request, "registers/school_home.html", context)
