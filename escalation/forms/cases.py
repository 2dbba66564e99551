"""Forms of the case pages. They catch what a user can fix on the page (a missing note, a
date in the future, a review before the agreement); the services in escalation.services
repeat and enforce every rule that matters."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from attendance_portal.dates import DateField
from escalation import rules
from escalation.models import (
    AttendanceContract,
    Case,
    NoticeToImprove,
    PenaltyNoticeReferral,
    PupilFigure,
)
from escalation.services.interventions import ContractTerms
from registers.models.pupils import YEAR_GROUPS

TEXT = {"rows": 3, "class": "form-control"}


def _date(label: str, *, required: bool = True, initial_today: bool = False) -> DateField:
    return DateField(
        label=label,
        required=required,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )


def _text(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs=TEXT)
    )


def _line(label: str, *, required: bool = True, datalist: str = "") -> forms.CharField:
    attrs = {"class": "form-control", **({"list": datalist} if datalist else {})}
    return forms.CharField(
        label=label, required=required, max_length=200, widget=forms.TextInput(attrs=attrs)
    )


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class CaseForm(forms.Form):
    """Dates of things that happened cannot be in the future."""

    past_dates: tuple[str, ...] = ()
    future_dates: tuple[str, ...] = ("next_review",)

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        for name in self.past_dates:
            if data.get(name) and data[name] > today:
                self.add_error(name, "This cannot be in the future.")
        for name in self.future_dates:
            if data.get(name) and data[name] < today:
                self.add_error(name, "Choose today or a later date.")
        return data


class OpenCaseForm(CaseForm):
    summary = _text("Why open a case", help_text="What worries you, and what you know so far.")
    next_review = _date("Review by", required=False)


class NoteForm(CaseForm):
    summary = _text("Note", help_text="A call, a conversation, a professional's view, evidence.")
    on = _date("Date", initial_today=True)
    next_review = _date("Next review", required=False)
    past_dates = ("on",)


class StageForm(CaseForm):
    stage = _choice("Move to stage", Case.Stage.choices)
    summary = _text("Why")
    on = _date("Decided on", initial_today=True)
    past_dates = ("on",)


class MeetingForm(CaseForm):
    held_on = _date("Held on", initial_today=True)
    attendees = _line("Who attended")
    discussed = _text("What was discussed", help_text="Barriers, the family's view, support.")
    agreed = _text("What was agreed", help_text="Actions for the family and for the school.")
    next_review = _date("Next review", required=False)
    past_dates = ("held_on",)


class ContractForm(CaseForm):
    agreed_on = _date("Agreed on", initial_today=True)
    barriers = _text("Barriers to attendance found")
    school_support = _text("Support the school will give")
    family_commitments = _text("What the family agrees to do")
    target_pct = forms.DecimalField(
        label="Target attendance (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1"}),
    )
    target_by = _date("Target to be reached by", required=False)
    other_targets = _text("Other targets", required=False)
    parent_name = _line("Parent or carer")
    parent_signed_on = _date("Parent signed on", required=False)
    school_signatory = _line("Signed for the school by")
    school_signed_on = _date("School signed on", required=False)
    review_on = _date("Review on", required=False)
    past_dates = ("agreed_on", "parent_signed_on", "school_signed_on")
    future_dates = ()

    def clean(self) -> dict:
        data = super().clean()
        agreed = data.get("agreed_on")
        if agreed:
            for name in ("review_on", "target_by"):
                if data.get(name) and data[name] <= agreed:
                    self.add_error(name, "Choose a date after the contract was agreed.")
            for name in ("parent_signed_on", "school_signed_on"):
                if data.get(name) and data[name] < agreed:
                    self.add_error(name, "A signature cannot come before the agreement.")
        return data

    @staticmethod
    def terms_from(data: dict) -> ContractTerms:
        return ContractTerms(**{k: v for k, v in data.items() if v is not None})


class ContractReviewForm(CaseForm):
    outcome = _choice(
        "Outcome",
        [
            c
            for c in AttendanceContract.Outcome.choices
            if c[0] != AttendanceContract.Outcome.PENDING
        ],
    )
    notes = _text("Review notes", help_text="Attendance since the contract, what has changed.")
    on = _date("Reviewed on", initial_today=True)
    past_dates = ("on",)


class NoticeForm(CaseForm):
    issued_on = _date("Issued on", initial_today=True)
    period_school_days = forms.IntegerField(
        label="Improvement period (school days)",
        help_text="3 to 6 weeks: 15 to 30 school days (the national framework).",
        initial=rules.NOTICE_TO_IMPROVE_SCHOOL_DAYS,
        min_value=rules.NOTICE_TO_IMPROVE_MIN_SCHOOL_DAYS,
        max_value=rules.NOTICE_TO_IMPROVE_MAX_SCHOOL_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    summary = _text(
        "Support given so far", help_text="Printed in the notice: what has been offered and tried."
    )
    further_support = forms.CharField(
        label="Further support on offer",
        initial=rules.DEFAULT_FURTHER_SUPPORT,
        widget=forms.Textarea(attrs=TEXT),
    )
    sufficient_improvement = forms.CharField(
        label="What sufficient improvement looks like",
        initial=rules.DEFAULT_SUFFICIENT_IMPROVEMENT,
        widget=forms.Textarea(attrs=TEXT),
    )
    past_dates = ("issued_on",)

    def __init__(self, *args, **kwargs) -> None:
        # Forms posted before these fields existed keep working: the defaults fill in.
        super().__init__(*args, **kwargs)
        self.fields["further_support"].required = False
        self.fields["sufficient_improvement"].required = False


class NoticeOutcomeForm(CaseForm):
    outcome = _choice(
        "Outcome",
        [c for c in NoticeToImprove.Outcome.choices if c[0] != NoticeToImprove.Outcome.PENDING],
    )
    note = _text("Notes")
    on = _date("Date", initial_today=True)
    past_dates = ("on",)


class ReferralForm(CaseForm):
    parent_name = _line("Parent the notice is for", datalist="parent-names")
    referred_on = _date("Referred on", initial_today=True)
    evidence = _text(
        "Evidence", help_text="Sessions missed, support offered and refused, earlier steps."
    )
    past_dates = ("referred_on",)


class ReferralOutcomeForm(CaseForm):
    status = _choice(
        "Status",
        [
            c
            for c in PenaltyNoticeReferral.Status.choices
            if c[0] != PenaltyNoticeReferral.Status.REFERRED
        ],
    )
    note = _text("Notes", required=False)
    on = _date("Date", initial_today=True)
    past_dates = ("on",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].help_text = (
            "For “Issued”: the day the local authority issued the notice. The three years "
            "before another first notice run from the first notice's issue date."
        )


class SupervisionOrderForm(CaseForm):
    requested_on = _date("Requested on", initial_today=True)
    summary = _text(
        "Why formal support now",
        help_text="The support tried so far and what the order should secure for the child.",
    )
    past_dates = ("requested_on",)


class LaReferralForm(CaseForm):
    route = _choice("Route", [(r.value, label) for r, label in rules.LA_ROUTE_LABELS.items()])
    referred_on = _date("Referred on", initial_today=True)
    summary = _text("Summary for the local authority")
    past_dates = ("referred_on",)


class CloseForm(CaseForm):
    summary = _text("Why close the case", help_text="What improved, or where the pupil went.")
    on = _date("Closed on", initial_today=True)
    past_dates = ("on",)


class CaseloadFilter(forms.Form):
    band = forms.ChoiceField(
        required=False, choices=[("", "Any band"), *(c for c in PupilFigure.Band.choices if c[0])]
    )
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Case.Stage.choices])
    year = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "Any year")] + [(y, y) for y in YEAR_GROUPS],
    )
    pp = forms.BooleanField(label="Pupil premium", required=False)
    send = forms.BooleanField(label="SEND", required=False)
    cin = forms.BooleanField(label="Social worker", required=False)
    due = forms.BooleanField(label="Reviews due", required=False)
    mine = forms.BooleanField(label="My cases", required=False)
    unassigned = forms.BooleanField(label="Unassigned", required=False)
    closed = forms.BooleanField(label="Closed cases", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-select"
            field.widget.attrs["class"] = css
