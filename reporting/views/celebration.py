"""The weekly celebration: the form league for assembly (any member of staff), and for the
office, positive messages to families in bulk (registers/families)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from attendance_portal.permissions import has_capability, school_view
from registers.families.services.notices import queue_positive_messages
from registers.models import Membership, School

from .. import positive
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
    if has_capability(membership, "manage_cases"):
        context["good_news"] = positive.groups(school=school, monday=league.monday, today=today)
    return render(request, "reporting/celebration.html", context)


@school_view("manage_cases")
@require_POST
def celebration_messages(
    request: HttpRequest, school: School, membership: Membership
) -> HttpResponse:
    """Send one group's positive messages: each pupil's first contact, once per period."""
    today = timezone.localdate()
    monday, _ = read_week(request.POST.get("week"), today)
    chosen = next(
        (
            g
            for g in positive.groups(school=school, monday=monday, today=today)
            if g.key == request.POST.get("group")
        ),
        None,
    )
    if chosen is None:
        return HttpResponseBadRequest("Choose a group of pupils from the page.")
    queued = queue_positive_messages(
        school=school,
        pupils=chosen.pupils,
        achievement=chosen.achievement,
        period=chosen.period,
        sent_by=membership.user,
    )
    messages.success(
        request,
        f"{len(queued.created)} positive message(s) on their way ({chosen.label}); families "
        "already told this time were not messaged again.",
    )
    return redirect(
        reverse("reporting:celebration", args=[school.urn]) + f"?week={monday:%Y-%m-%d}"
    )
