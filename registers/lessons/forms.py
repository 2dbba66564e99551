"""The lesson register's form (one mark, minutes late and reason per asked pupil), the
alert's outcome and the pages' query strings."""

from __future__ import annotations

from django import forms

from attendance_portal.dates import DateField
from registers.lessons import rules
from registers.lessons.models import TruancyAlert
from registers.lessons.selectors.day import LessonSheet, SheetRow
from registers.lessons.selectors.spans import SPAN_CHOICES
from registers.lessons.services.registers import MAX_MINUTES_LATE, LessonEntry
from registers.models import Membership, School
from registers.models.pupils import YEAR_GROUPS

MARK_CHOICES = [("", "—")] + [
    (rules.KEYS[k], f"{rules.KEYS[k]} {label}") for k, label in rules.KIND_LABELS.items()
]


class Line:
    """One pupil's row: the sheet row and its three bound fields (None when not asked)."""

    def __init__(self, form: LessonRegisterForm, row: SheetRow):
        self.row = row
        pk = row.pupil.pk
        self.mark = form[f"mark_{pk}"] if row.asked else None
        self.late = form[f"late_{pk}"] if row.asked else None
        self.reason = form[f"reason_{pk}"] if row.asked else None
        self.changed_meanwhile = pk in form.changed_meanwhile


class LessonRegisterForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, sheet: LessonSheet, data=None):
        initial: dict[str, object] = {"version": sheet.version}
        super().__init__(data, initial=initial)
        self.sheet = sheet
        self.changed_meanwhile: set[int] = set()
        for row in sheet.rows:
            if not row.asked:
                continue
            pk, name = row.pupil.pk, row.pupil.name
            mark = row.mark
            self.fields[f"mark_{pk}"] = forms.ChoiceField(
                label=f"Mark for {name}", choices=MARK_CHOICES, required=False
            )
            self.fields[f"late_{pk}"] = forms.IntegerField(
                label=f"Minutes late for {name}",
                required=False,
                min_value=1,
                max_value=MAX_MINUTES_LATE,
            )
            self.fields[f"reason_{pk}"] = forms.CharField(
                label=f"Reason out of lesson for {name}", required=False, max_length=200
            )
            if mark is not None:
                self.initial[f"mark_{pk}"] = rules.KEYS[rules.Kind(mark.kind)]
                self.initial[f"late_{pk}"] = mark.minutes_late
                self.initial[f"reason_{pk}"] = mark.reason

    def lines(self) -> list[Line]:
        return [Line(self, row) for row in self.sheet.rows]

    @property
    def unmarked_count(self) -> int:
        return sum(1 for row in self.sheet.rows if row.asked and row.mark is None)

    def clean(self):
        data = super().clean()
        for row in self.sheet.rows:
            if not row.asked:
                continue
            pk = row.pupil.pk
            key = data.get(f"mark_{pk}")
            late = data.get(f"late_{pk}")
            if key == rules.KEYS[rules.Kind.LATE] and late is None:
                self.add_error(f"late_{pk}", "Give the minutes late.")
            if key == rules.KEYS[rules.Kind.OUT] and not (data.get(f"reason_{pk}") or "").strip():
                self.add_error(
                    f"reason_{pk}", "Say where they are (at the nurse, with the SENCo…)."
                )
        return data

    def entries(self) -> list[LessonEntry]:
        entries = []
        for row in self.sheet.rows:
            key = self.cleaned_data.get(f"mark_{row.pupil.pk}") if row.asked else ""
            if not key:
                continue
            kind = rules.BY_KEY[key]
            late = self.cleaned_data.get(f"late_{row.pupil.pk}")
            entries.append(
                LessonEntry(
                    pupil_id=row.pupil.pk,
                    kind=kind.value,
                    minutes_late=late if kind == rules.Kind.LATE else None,
                    reason=self.cleaned_data.get(f"reason_{row.pupil.pk}") or "",
                )
            )
        return entries

    def rebase_after_stale(self, sheet: LessonSheet) -> None:
        """After a stale save: the page starts from the saved register's version, with the
        user's choices kept; pupils whose saved mark differs from what the user had are
        flagged so the user checks them before saving again."""
        self.sheet = sheet
        data = self.data.copy()
        data["version"] = str(sheet.version)
        for row in sheet.rows:
            if row.asked and row.mark is not None:
                saved = rules.KEYS[rules.Kind(row.mark.kind)]
                if data.get(f"mark_{row.pupil.pk}", "") != saved:
                    self.changed_meanwhile.add(row.pupil.pk)
        self.data = data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Choose…"), *TruancyAlert._meta.get_field("outcome").choices]
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="Where they were found, who was called, what happens next.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DateQuery(forms.Form):
    date = DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RangeQuery(forms.Form):
    """?start=&end= (the last four weeks by default)."""

    start = DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start is after the end.")
        return data


class PatternQuery(RangeQuery):
    """?span= (this half-term by default, this term, the year to date); ?start=&end= for
    dates of one's own, which win over the span."""

    span = forms.ChoiceField(label="Period", required=False, choices=SPAN_CHOICES)

    field_order = ["span", "start", "end"]


class ReportQuery(RangeQuery):
    year_group = forms.ChoiceField(label="Year group", required=False)
    form = forms.TypedChoiceField(label="Form", required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(label="Pupils", required=False)

    def __init__(self, data, *, forms_of_school, years, groups):
        super().__init__(data)
        self.fields["year_group"].choices = [
            ("", "Whole school"),
            *((y, f"Year {y}") for y in years),
        ]
        self.fields["form"].choices = [
            ("", "Every form"),
            *((f.pk, f.name) for f in forms_of_school),
        ]
        self.fields["group"].choices = groups


class PastoralLeadForm(forms.Form):
    """Name a teacher of the school pastoral lead, of one year group or every year."""

    teacher = forms.ModelChoiceField(label="Teacher", queryset=Membership.objects.none())
    year_group = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "Every year"), *((y, f"Year {y}") for y in YEAR_GROUPS)],
        help_text="They see the alerts and patterns of pupils in this year only.",
    )

    def __init__(self, data=None, *, school: School):
        super().__init__(data)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Membership.objects.filter(school=school, role=Membership.Role.TEACHER)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username")
        )
        field.label_from_instance = lambda m: m.user.get_full_name() or m.user.username
