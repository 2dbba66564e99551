"""Forms of the officer's daily lists: the day/week pickers and the call outcome."""

from __future__ import annotations

from django import forms

from attendance_portal.dates import DateField
from registers import codes
from registers.models import CallAttempt, Contact, Pupil
from registers.services.calls import COMMON_REASON_CODES, REASON_CODES

Outcome = CallAttempt.Outcome


def _code_choice(code: str) -> tuple[str, str]:
    return code, f"{code} – {codes.BY_CODE[code].meaning}"


COMMON_CODE_CHOICES = [_code_choice(c) for c in COMMON_REASON_CODES]
# Every other code a family's reason can map to, in register order.
OTHER_CODE_CHOICES = [
    _code_choice(c.code)
    for c in codes.CODES
    if c.code in REASON_CODES and c.code not in COMMON_REASON_CODES
]


def reason_code_choices() -> list:
    """The common reasons first, then the other codes."""
    return [
        ("", "Choose the reason…"),
        ("Common reasons", COMMON_CODE_CHOICES),
        ("Other codes", OTHER_CODE_CHOICES),
    ]


class DayForm(forms.Form):
    date = DateField(required=False)


class ConcernFilterForm(forms.Form):
    week = DateField(required=False)
    year_group = forms.CharField(required=False, max_length=2)


class CallOutcomeForm(forms.Form):
    """One call about one pupil's absence on one day.

    Rendered by hand in templates/escalation/_list_calling_row.html from the row's
    prefetched contacts (a ModelChoiceField per row would cost a query per pupil); this
    class only validates what comes back.
    """

    date = DateField()
    outcome = forms.ChoiceField(choices=Outcome.choices)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    code = forms.ChoiceField(choices=reason_code_choices, required=False)
    minutes_late = forms.IntegerField(min_value=0, max_value=600, required=False)
    session = forms.ChoiceField(
        choices=[("", "First unexplained"), ("AM", "Morning"), ("PM", "Afternoon")],
        required=False,
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, pupil: Pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.for_school(pupil.school_id).filter(
            pupil=pupil
        )

    def clean(self) -> dict:
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Outcome.REASON and not data.get("code"):
            self.add_error("code", "Choose the code for the reason the family gave.")
        if outcome == Outcome.ARRIVED_LATE and data.get("minutes_late") is None:
            self.add_error(
                "minutes_late", "Give how many minutes after the register began they arrived."
            )
        return data
