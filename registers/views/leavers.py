"""Early leavers (office): a pupil leaving the site during the day, and back again. Each is
recorded with who, when and why; the fire list leaves them off "on site now"."""

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
from registers.models import Membership, School, SiteMovement
from registers.selectors.fire import off_site
from registers.services.movements import REASON_MAX, MovementError, record_movement


class MovementForm(forms.Form):
    pupil = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=SiteMovement.Kind.choices, widget=forms.HiddenInput)
    at = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        help_text='For example "dentist, collected by mum" or "unwell, sent home".',
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


@school_view("view_on_site")
def early_leavers(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    """Step 1: search (GET ?q=); step 2: the time and reason (GET ?pupil=); POST records a
    leaving, or a return (kind=returned, from today's list)."""
    now = timezone.localtime()
    query = request.GET.get("q", "")[:100].strip()
    form = MovementForm(
        request.POST or None,
        initial={"pupil": request.GET.get("pupil"), "kind": SiteMovement.Kind.LEFT, "at": now},
    )
    raw_pupil = request.POST.get("pupil") or request.GET.get("pupil")
    chosen = None
    if raw_pupil:
        if not str(raw_pupil).isdigit():
            return _render(request, school, query, None, form, status=400)
        chosen = get_pupil_for_user(membership, school, int(raw_pupil))
    if request.method == "POST":
        if chosen is None or not form.is_valid():
            return _render(request, school, query, chosen, form, status=400)
        data = form.cleaned_data
        try:
            movement = record_movement(
                pupil=chosen,
                kind=data["kind"],
                day=now.date(),
                at=data["at"],
                now=now.time(),
                reason=data["reason"],
                actor=Actor.for_membership(membership),
            )
        except MovementError as error:
            form.add_error(None, str(error))
            # A refused return is shown above today's list, not as a leaving form.
            shown = chosen if data["kind"] == SiteMovement.Kind.LEFT else None
            return _render(request, school, query, shown, form, status=422)
        messages.success(
            request,
            f"{chosen.name}: {movement.get_kind_display().lower()} at {movement.at:%H:%M}.",
        )
        return redirect(reverse("registers:early_leavers", args=[school.urn]))
    return _render(request, school, query, chosen, form)


def _render(request, school, query, chosen, form, *, status=200) -> HttpResponse:
    today = timezone.localdate()
    found = []
    if len(query) >= 2 and chosen is None:
        found = list(
            selectors.pupil_list(
                pupils=visible_pupils(request.membership, school), today=today, search=query
            )[:20]
        )
    movements = list(
        SiteMovement.objects.for_school(school)
        .filter(date=today)
        .select_related("pupil", "pupil__form")
        .order_by("-at", "-created_at", "-id")
    )
    context = {
        "school": school,
        "query": query,
        "chosen": chosen,
        "found": found,
        "form": form,
        "movements": movements,
        "away": {m.pk for m in off_site(school=school, day=today).values()},
        "now": timezone.localtime().strftime("%H:%M"),
    }
    return render(request, "registers/early_leavers.html", context, status=status)
