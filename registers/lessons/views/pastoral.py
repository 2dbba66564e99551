"""The office names the pastoral leads who see internal-truancy alerts (docs/domain.md §11)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from attendance_portal.permissions import school_view
from registers.actors import Actor
from registers.lessons.forms import PastoralLeadForm
from registers.lessons.models import PastoralLead, PastoralLeadEvent
from registers.lessons.services.pastoral import (
    PastoralError,
    name_pastoral_lead,
    remove_pastoral_lead,
)
from registers.models import Membership, School


@school_view("name_pastoral_leads")
@require_http_methods(["GET", "POST"])
def leads(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    form = PastoralLeadForm(request.POST if request.method == "POST" else None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            lead = name_pastoral_lead(
                school=school,
                membership=form.cleaned_data["teacher"],
                year_group=form.cleaned_data["year_group"],
                actor=Actor.for_membership(membership),
            )
        except PastoralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{lead.membership.user.get_full_name()} is named.")
            return redirect(request.path)
    return render(
        request,
        "lessons/pastoral_leads.html",
        {
            "school": school,
            "form": form,
            "leads": PastoralLead.objects.for_school(school)
            .select_related("membership__user")
            .order_by("year_group", "membership__user__last_name"),
            "events": PastoralLeadEvent.objects.for_school(school)[:20],
        },
    )


@school_view("name_pastoral_leads")
@require_POST
def remove(request: HttpRequest, school: School, membership: Membership, pk: int) -> HttpResponse:
    lead = (
        PastoralLead.objects.for_school(school)
        .select_related("membership__user")
        .filter(pk=pk)
        .first()
    )
    if lead is None:
        raise Http404("No such pastoral lead")
    remove_pastoral_lead(lead=lead, actor=Actor.for_membership(membership))
    messages.success(request, f"{lead.membership.user.get_full_name()} is no longer named.")
    return redirect(reverse("lessons:pastoral_leads", args=[school.urn]))
