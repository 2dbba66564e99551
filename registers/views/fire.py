"""The fire / evacuation list (office): printable, one page per form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from attendance_portal.permissions import school_view
from registers.models import Membership, School
from registers.selectors.fire import fire_list
from registers.services.latebook import session_start


@school_view("view_on_site")
@require_GET
def fire(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    now = timezone.localtime()
    session = "PM" if now.time() >= session_start(school, "PM") else "AM"
    context = {
        "school": school,
        "now": now,
        "fire": fire_list(school=school, day=now.date(), session=session),
    }
    return render(request, "registers/fire_list.html", context)
