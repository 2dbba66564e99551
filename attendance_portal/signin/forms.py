from __future__ import annotations

from django import forms

from attendance_portal.signin.rules import normalise_username


class UnlockForm(forms.Form):
    """A username to unlock; `staff` (throttle key → membership) is whom this school may."""

    username = forms.CharField(max_length=150)

    def __init__(self, *args, staff: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if normalise_username(username) not in self.staff:
            raise forms.ValidationError("That login has no role at this school.")
        return username
