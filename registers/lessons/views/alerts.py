"""Internal-truancy alerts for the attendance office and pastoral leads: the day's list,
one alert with the pupil's timetable and its outcome, and the statutory corrections that
lessons suggest (made by the office through the audited amendment)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.permissions import can_amend_marks, has_capability, school_view
from registers.actors import Actor
from registers.lessons.access import pastoral_years
from registers.lessons.forms import OutcomeForm
from registers.lessons.models import LessonMark, TruancyAlert
from registers.lessons.selectors.alerts import alerts_of_day, pupil_day, suggested_corrections
from registers.lessons.services.alerts import (
    AlertError,
    correct_statutory_mark,
    correction_for,
    record_outcome,
)
from registers.lessons.views.registers import _chosen_day
from registers.models import Membership, School
from registers.services.marks import MarkError


@school_view("view_truancy_alerts")
@require_GET
def alerts(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    years = pastoral_years(membership, school)
    day, bad_date = _chosen_day(request)
    corrections = [
        (mark, code, correction_for(mark, code))
        for mark, code in suggested_corrections(school=school, day=day, years=years)
    ]
    return render(
        request,
        "lessons/alerts.html",
        {
            "school": school,
            "day": day,
            "bad_date": bad_date,
            "alerts": alerts_of_day(school=school, day=day, years=years),
            "corrections": corrections,
            "can_correct": can_amend_marks(membership),
            "can_name_leads": has_capability(membership, "name_pastoral_leads"),
        },
    )


@school_view("view_truancy_alerts")
@require_http_methods(["GET", "POST"])
def alert(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    years = pastoral_years(membership, school)
    alert = (
        TruancyAlert.objects.for_school(school)
        .select_related(
            "pupil__form", "register__lesson__period", "register__lesson__teaching_class"
        )
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    if years is not None and alert.pupil.year_group not in years:
        raise PermissionDenied("This pupil is not in your year groups.")
    form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_outcome(
                alert=alert,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                actor=Actor.for_membership(membership),
            )
        except AlertError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Outcome recorded for {alert.pupil.name}.")
            return redirect(request.path)
    return render(
        request,
        "lessons/alert.html",
        {
            "school": school,
            "alert": alert,
            "form": form,
            "day": pupil_day(school=school, pupil=alert.pupil, day=alert.date),
            "events": alert.events.all(),
        },
    )


@school_view("amend_marks")
@require_POST
def correct(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    """Amend the statutory mark to the L or U a lesson suggests: an audited amendment."""
    mark = (
        LessonMark.objects.for_school(school)
        .select_related(
            "register__school",
            "register__lesson__period",
            "register__lesson__teaching_class",
            "pupil",
        )
        .filter(pk=pk)
        .first()
    )
    if mark is None:
        raise Http404("No such lesson mark")
    try:
        amended = correct_statutory_mark(mark=mark, actor=Actor.for_membership(membership))
    except (AlertError, MarkError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{mark.pupil.name}'s {mark.session} mark is now {amended.code_id}"
            f"{f' ({amended.minutes_late} min)' if amended.minutes_late is not None else ''}; "
            "the amendment is in their history.",
        )
    return redirect(f"{reverse('lessons:alerts', args=[school.urn])}?date={mark.date:%Y-%m-%d}")
