"""The office gives a cover teacher a form's registers for a day (issue 17)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attendance_portal.dates import DateField
from attendance_portal.permissions import OFFICE, school_view
from registers.models import CoverGrant, Form, Membership, School
from registers.services.cover import CoverError, grant_cover, revoke_cover


class CoverForm(forms.Form):
    teacher = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Teacher")
    form = forms.ModelChoiceField(queryset=Form.objects.none(), label="Form")
    date = DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, school: School, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = (
            Membership.objects.filter(school=school, role=Membership.Role.TEACHER)
            .select_related("user")
            .order_by("user__last_name", "user__username")
        )
        self.fields["teacher"].label_from_instance = lambda m: (
            m.user.get_full_name() or m.user.username
        )
        self.fields["form"].queryset = Form.objects.for_school(school).order_by("name")
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if field is not self.fields["date"] else "form-control"
            )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("Cover is given for today or a day to come.")
        return day


@school_view(OFFICE)
@require_http_methods(["GET", "POST"])
def cover(request: HttpRequest, school: School, membership: Membership) -> HttpResponse:
    today = timezone.localdate()
    form = CoverForm(initial={"date": today}, school=school)
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                grant_id = int(request.POST["revoke"])
            except ValueError:
                grant_id = 0
            if revoke_cover(school=school, grant_id=grant_id):
                messages.success(request, "Cover removed.")
            return redirect(request.path)
        form = CoverForm(request.POST, school=school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant = grant_cover(
                    school=school,
                    teacher=data["teacher"],
                    form=data["form"],
                    day=data["date"],
                    granted_by=request.user,
                )
            except CoverError as exc:
                form.add_error(None, str(exc))
            else:
                teacher = grant.membership.user
                messages.success(
                    request,
                    f"{teacher.get_full_name() or teacher.username} takes {grant.form.name}'s "
                    f"registers on {grant.date:%A %-d %B}.",
                )
                return redirect(request.path)
    grants = (
        CoverGrant.objects.for_school(school)
        .filter(date__gte=today)
        .select_related("membership__user", "form")
    )
    return render(
        request,
        "registers/cover.html",
        {"school": school, "form": form, "grants": grants},
        status=200 if not form.errors else 400,
    )
