"""Forms of the leave-of-absence and planned-absence pages.

They catch what a user can fix on the page; registers.services.leave repeats and enforces
every rule (and the database's named constraints back both).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet

from attendance_portal.dates import DateField
from registers.models import LeaveRequest, PlannedAbsence, Pupil
from registers.models.base import Session


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            else:
                widget.attrs.setdefault("class", "form-control")


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Pupil) -> str:
        form = f", {obj.form.name}" if obj.form else ""
        return f"{obj.surname}, {obj.forename}{form} ({obj.upn})"


def _date(label: str, *, required: bool = True) -> DateField:
    # An <input type="date"> reads and shows ISO dates only: the en-GB default 20/10/2025
    # left "Request received on" blank although it had a default.
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return DateField(label=label, required=required, widget=widget)


class _Span(_Styled):
    """A pupil and a span from a date and session to a date and session."""

    pupil = PupilChoiceField(queryset=Pupil.objects.none(), label="Pupil")
    start_date = _date("From")
    start_session = forms.ChoiceField(label="From session", choices=Session.choices)
    end_date = _date("To")
    end_session = forms.ChoiceField(label="To session", choices=Session.choices, initial=Session.PM)

    def __init__(self, *args, pupils: QuerySet[Pupil], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils.select_related("form").order_by(
            "surname", "forename"
        )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if (
            start
            and end
            and (
                end < start
                or (
                    end == start
                    and (data.get("start_session"), data.get("end_session")) == ("PM", "AM")
                )
            )
        ):
            self.add_error("end_date", "The end must not come before the start.")
        return data


class LeaveRequestForm(_Span):
    kind = forms.ChoiceField(label="Leave requested", choices=LeaveRequest.Kind.choices)
    sessions = forms.ChoiceField(
        label="Sessions each day",
        choices=LeaveRequest.Sessions.choices,
        initial=LeaveRequest.Sessions.BOTH,
        help_text="A part-time timetable usually covers only mornings or afternoons.",
    )
    requested_by_name = forms.CharField(label="Requested by", max_length=200)
    requested_by_relationship = forms.CharField(
        label="Relationship to the pupil", max_length=60, help_text="e.g. mother, carer"
    )
    requested_on = _date("Request received on")
    reason = forms.CharField(
        label="Reason given", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    review_date = _date("Review date", required=False)

    field_order = [
        "pupil",
        "kind",
        "requested_by_name",
        "requested_by_relationship",
        "requested_on",
        "start_date",
        "start_session",
        "end_date",
        "end_session",
        "sessions",
        "review_date",
        "reason",
    ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == LeaveRequest.Kind.PART_TIME and not data.get("review_date"):
            self.add_error("review_date", "A part-time timetable needs a review date.")
        return data


class LeaveFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All"), *LeaveRequest.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class DecisionForm(_Styled):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("grant", "Grant"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Comments for the letter",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def grant(self) -> bool:
        return self.cleaned_data["decision"] == "grant"


class ReviewForm(_Styled):
    reviewed_on = _date("Reviewed on")
    next_review_date = _date("Next review")
    note = forms.CharField(label="Outcome", required=False, max_length=1000)

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, initial={"reviewed_on": today}, **kwargs)


class PlannedAbsenceForm(_Span):
    code = forms.ChoiceField(label="Code", choices=PlannedAbsence.Code.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=200,
        help_text="Shown on the register, e.g. dentist",
    )
