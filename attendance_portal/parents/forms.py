"""The parents' forms: the contact, the code, an absence, a leave request."""

from __future__ import annotations

from django import forms

from attendance_portal.parents import rules


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
