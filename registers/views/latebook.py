"""The late book (office): find the pupil, confirm, and L or U is recorded from the clock."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attendance_portal.permissions import get_pupil_for_user, school_view, visible_pupils
from registers import selectors
from registers.actors import Actor
from registers.models import Mark, Membership, School
from registers.services.latebook import late_arrival, record_late_arrival
from registers.services.marks import MarkError


class LateForm(forms.Form):
    pupil = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=200,
        help_text='For example "dentist, letter seen" or "bus late".',
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


@school_view("amend_marks")
def late_book(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Step 1: search (GET ?q=); step 2: confirm (GET ?pupil=); POST records the mark."""
    arrival = late_arrival(school=school)
    query = request.GET.get("q", "")[:100].strip()
    form = LateForm(request.POST or None, initial={"pupil": request.GET.get("pupil")})
    chosen = None
    raw_pupil = request.POST.get("pupil") or request.GET.get("pupil")
    if raw_pupil:
        if not str(raw_pupil).isdigit():
            return render_book(request, school, query, arrival, None, form, status=400)
        chosen = get_pupil_for_user(membership, school, int(raw_pupil))
    if request.method == "POST":
        if chosen is None or not form.is_valid():
            return render_book(request, school, query, arrival, chosen, form, status=400)
        try:
            mark, arrival = record_late_arrival(
                pupil=chosen,
                actor=Actor.for_membership(membership),
                comment=form.cleaned_data["comment"],
            )
        except MarkError as error:
            form.add_error(None, str(error))
            return render_book(request, school, query, arrival, chosen, form, status=422)
        messages.success(
            request,
            f"{chosen.name}: {mark.code_id} ({arrival.meaning}), {arrival.minutes_late} minutes "
            f"late, arrived {arrival.arrived:%H:%M}.",
        )
        return redirect(reverse("registers:late_book", args=[school.urn]))
    return render_book(request, school, query, arrival, chosen, form)


def render_book(request, school, query, arrival, chosen, form, *, status=200) -> HttpResponse:
    found = []
    if len(query) >= 2 and chosen is None:
        found = list(
            selectors.pupil_list(
                pupils=visible_pupils(request.membership, school),
                today=timezone.localdate(),
                search=query,
            )[:20]
        )
    today_late = (
        Mark.objects.for_school(school)
        .filter(date=arrival.day, code_id__in=("L", "U"))
        .select_related("pupil", "pupil__form")
        .order_by("session", "pupil__surname", "pupil__forename")
    )
    context = {
        "school": school,
        "query": query,
        "arrival": arrival,
        "chosen": chosen,
        "found": found,
        "form": form,
        "today_late": list(today_late),
    }
    return render(request, "registers/late_book.html", context, status=status)
