from __future__ import annotations

from django import forms
from django.conf import settings

from .models import ApiToken

SCHOOL, TRUST = "school", "trust"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Which tool uses it, e.g. “Power BI attendance”."
    )
    scope = forms.ChoiceField(
        choices=[(SCHOOL, "This school"), (TRUST, "Every school of the trust")],
        initial=SCHOOL,
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(
        choices=ApiToken.Level.choices, initial=ApiToken.Level.AGGREGATE, widget=forms.RadioSelect
    )
    access = forms.ChoiceField(
        choices=ApiToken.Access.choices, initial=ApiToken.Access.READ, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )

    def __init__(self, *args, trust_lead: bool, has_trust: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if trust_lead:
            # Trust leads see aggregates only in the portal: their tokens cannot see more.
            self.fields["level"].choices = [ApiToken.Level.choices[0]]
            self.fields["access"].choices = [ApiToken.Access.choices[0]]
        else:
            # A head's token covers their school; the trust's tokens are the trust lead's.
            self.fields["scope"].choices = [(SCHOOL, "This school")]
        if not has_trust:
            self.fields["scope"].choices = [(SCHOOL, "This school")]
