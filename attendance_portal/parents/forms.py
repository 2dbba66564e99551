"""The parents' forms: the contact, the code, an absence, a leave request."""

from __future__ import annotations

from django import forms
from django.db.models import TextChoices

from attendance_portal.dates import DateField
from attendance_portal.parents import rules
from registers.families.models import AbsenceReport
from registers.models import LeaveRequest


class ContactForm(forms.Form):
    contact = forms.CharField(
        label="Your email address or mobile number",
        help_text="The one the school has for you. We will send you a code.",
        max_length=rules.MAX_CONTACT_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )

    def clean_contact(self) -> rules.ContactKey:
        key = rules.contact_key(self.cleaned_data["contact"])
        if key is None:
            raise forms.ValidationError(
                "Enter an email address (like name@example.com) or a mobile number "
                "(like 07700 900123)."
            )
        return key


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code we sent you. It works for 10 minutes.",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


def _date(label: str, *, required: bool = True, help_text: str = "") -> DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return DateField(label=label, required=required, widget=widget, help_text=help_text)


class Part(TextChoices):
    ALL = "all", "All day"
    AM = "AM", "Morning only"
    PM = "PM", "Afternoon only"


class AbsenceForm(forms.Form):
    """An absence today or ahead; the families app's report_absence checks the rest."""

    start_date = _date("First day of absence")
    end_date = _date(
        "Last day of absence", required=False, help_text="Leave empty for one day only."
    )
    part = forms.ChoiceField(
        label="Which part of the day",
        choices=Part.choices,
        initial=Part.ALL,
        widget=forms.RadioSelect,
        help_text="For one day only; an absence of several days is whole days.",
    )
    reason = forms.ChoiceField(
        label="Reason", choices=AbsenceReport.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label="Anything the school should know",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the symptoms, or the time of the appointment. Needed for “Other”.",
    )

    def clean(self) -> dict:
        data = super().clean()
        start = data.get("start_date")
        if start is None:
            return data
        end = data.get("end_date") or start
        data["end_date"] = end
        part = data.get("part") or Part.ALL
        if part != Part.ALL and end != start:
            self.add_error("part", "Morning or afternoon only is for an absence of one day.")
        data["start_session"] = "PM" if part == Part.PM else "AM"
        data["end_session"] = "AM" if part == Part.AM else "PM"
        return data


class LeaveForm(forms.Form):
    """An application for leave of absence in term time; the headteacher decides."""

    kind = forms.ChoiceField(
        label="What the leave is for",
        choices=[
            (k, label) for k, label in LeaveRequest.Kind.choices if k != LeaveRequest.Kind.PART_TIME
        ],
        widget=forms.RadioSelect,
    )
    start_date = _date("First day")
    end_date = _date("Last day")
    reason = forms.CharField(
        label="Why you are asking",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave in term time is granted only in exceptional circumstances; the "
        "headteacher decides and the school will send you the decision.",
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must not come before the first.")
        return data
