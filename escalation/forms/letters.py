"""Forms of the letters pages: start a termly batch, queue one letter, filter the log,
edit a kind's wording, choose a pupil for the preview."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from escalation.letters import KIND_PLACEHOLDERS, validate_wording
from escalation.models import Letter
from registers.models import HalfTerm, Pupil, School

Kind = Letter.Kind
# Letters for one pupil's case; termly letters go to the whole school through a batch.
SINGLE_KINDS = [(k.value, k.label) for k in Kind if k not in (Kind.TERMLY, Kind.TERMLY_ADAPTED)]


SELECT = {"class": "form-select"}


class HalfTermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: HalfTerm) -> str:
        return (
            f"{obj.academic_year} {obj.name} ({obj.start_date:%-d %b} – {obj.end_date:%-d %b %Y})"
        )


class PupilChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Pupil) -> str:
        form = f", {obj.form.name}" if obj.form else ""
        return f"{obj.surname}, {obj.forename}{form}"


def on_roll_pupils(school: School):
    return (
        Pupil.objects.for_school(school)
        .on_roll(timezone.localdate())
        .select_related("form")
        .order_by("surname", "forename", "pk")
    )


class StartBatchForm(forms.Form):
    half_term = HalfTermChoice(
        queryset=HalfTerm.objects.none(), empty_label=None, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        terms = (
            HalfTerm.objects.for_school(school)
            .select_related("academic_year")
            .order_by("-start_date")
        )
        self.fields["half_term"].queryset = terms
        # The half-term in progress, or the last one before today.
        current = terms.filter(start_date__lte=timezone.localdate()).first()
        if current is not None:
            self.fields["half_term"].initial = current.pk


class SingleLetterForm(forms.Form):
    pupil = PupilChoice(
        queryset=Pupil.objects.none(),
        empty_label="Choose a pupil",
        widget=forms.Select(attrs=SELECT),
    )
    kind = forms.ChoiceField(
        label="Letter", choices=SINGLE_KINDS, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = on_roll_pupils(school)


class LetterFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Kind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Letter.Status.choices], required=False)
    pupil = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LetterTemplateForm(forms.Form):
    heading = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _checked(self, name: str) -> str:
        value = self.cleaned_data[name]
        errors = validate_wording(value, kind=self.kind)
        if errors:
            raise forms.ValidationError(errors)
        return value

    def clean_heading(self) -> str:
        return self._checked("heading")

    def clean_body(self) -> str:
        return self._checked("body")

    @property
    def placeholders(self) -> dict[str, str]:
        return KIND_PLACEHOLDERS[self.kind]


class PreviewForm(forms.Form):
    pupil = PupilChoice(
        queryset=Pupil.objects.none(),
        empty_label="Choose a pupil",
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = on_roll_pupils(school)
