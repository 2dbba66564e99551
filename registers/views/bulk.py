"""Bulk marking (office): choose pupils, days and the activity code; preview; confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attendance_portal.permissions import school_view
from registers import codes
from registers.actors import Actor
from registers.models import Form, Membership, Pupil, School
from registers.services.bulk import BULK_CODES, apply_bulk_marks, plan_bulk_marks
from registers.services.marks import MarkError

SESSIONS = {"both": ("AM", "PM"), "AM": ("AM",), "PM": ("PM",)}


def _date(label: str) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    return forms.DateField(label=label, widget=widget)


class BulkMarkForm(forms.Form):
    pupils = forms.ModelMultipleChoiceField(
        queryset=Pupil.objects.none(), widget=forms.CheckboxSelectMultiple, label="Pupils"
    )
    start = _date("First day")
    end = _date("Last day")
    sessions = forms.ChoiceField(
        label="Sessions",
        choices=[("both", "Morning and afternoon"), ("AM", "Mornings"), ("PM", "Afternoons")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    code = forms.ChoiceField(
        label="Code",
        choices=[(c, f"{c} – {codes.BY_CODE[c].meaning}") for c in BULK_CODES],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label="Trip or activity",
        max_length=200,
        help_text="Shown in each mark's history, e.g. “Year 6 residential, Kingswood”.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = pupils


@school_view("amend_marks")
def bulk_marks(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    forms_here = list(Form.objects.for_school(school).order_by("name"))
    form_id = request.GET.get("form", "")
    on_roll = Pupil.objects.for_school(school).on_roll(today).select_related("form")
    shown = on_roll.filter(form_id=form_id) if form_id.isdigit() else on_roll
    shown = shown.order_by("form__name", "surname", "forename")
    form = BulkMarkForm(
        request.POST or None,
        pupils=on_roll if request.method == "POST" else shown,
        initial={"start": today, "end": today},
    )
    planned, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                planned = plan_bulk_marks(
                    school=school,
                    pupils=list(data["pupils"]),
                    start=data["start"],
                    end=data["end"],
                    sessions=SESSIONS[data["sessions"]],
                    code=data["code"],
                    today=today,
                )
                if request.POST.get("action") == "confirm":
                    written = apply_bulk_marks(
                        planned=planned,
                        code=data["code"],
                        actor=Actor.for_membership(membership),
                        reason=data["reason"],
                    )
                    messages.success(
                        request, f"Recorded {data['code']} for {len(written)} sessions."
                    )
                    return redirect(reverse("registers:bulk_marks", args=[school.urn]))
            except MarkError as error:
                form.add_error(None, str(error))
                planned, status = None, 422
        else:
            status = 400
    context = {
        "school": school,
        "form": form,
        "forms_here": forms_here,
        "form_id": form_id,
        "planned": planned,
        "to_write": sum(1 for p in planned or [] if p.action != "skip"),
    }
    return render(request, "registers/bulk_marks.html", context, status=status)
