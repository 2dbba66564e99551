"""The weekly celebration: the form league for assembly (any member of staff)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers.models import Membership, School

from ..celebration import build_league, read_week


@school_view("view_celebration")
def celebration(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    chosen = request.GET.get("week")
    monday, bad_week = read_week(chosen, today)
    league = build_league(school=school, monday=monday, today=today)
    if not chosen and not league.rows and league.previous:
        # Monday before registration (or a holiday week): show the last week with figures.
        league = build_league(school=school, monday=league.previous, today=today)
    context = {"school": school, "league": league, "bad_week": bad_week}
    return render(request, "reporting/celebration.html", context)
