"""The wording editor's form: subject and text, checked against the kind's placeholders."""

from __future__ import annotations

from django import forms

from registers.families import wording


class WordingForm(forms.Form):
    subject = forms.CharField(label="Email subject", max_length=200)
    body = forms.CharField(
        label="Message",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A text message of up to 160 characters is sent as one; longer ones cost more.",
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean() or {}
        for name in ("subject", "body"):
            for problem in wording.validate_wording(data.get(name, ""), kind=self.kind):
                self.add_error(name, problem)
        return data
