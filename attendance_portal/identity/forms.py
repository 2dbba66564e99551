from __future__ import annotations

import re

from django import forms


def normalise_code(value: str) -> str:
    """Codes are typed with spaces or dashes now and then; recovery codes in any case."""
    return re.sub(r"[\s-]", "", value or "").lower()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9a-z]{6,16}", code):
            raise forms.ValidationError(
                "Enter the 6-digit code from your authenticator app, or a recovery code."
            )
        return code


class EnrolForm(CodeForm):
    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the 6-digit code your authenticator app shows.")
        return code
