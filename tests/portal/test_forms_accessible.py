"""Forms without crispy-forms (docs/style.md rule 15): one partial lays out a stacked form,
and every field in it is labelled, its help and errors tied to it for screen readers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]


class Sample(forms.Form):
    name = forms.CharField(help_text="As on the register.")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")])
    agreed = forms.BooleanField(required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def _html(form: forms.Form) -> str:
    return render_to_string("_form_fields.html", {"form": form})


def test_every_field_is_labelled_and_styled():
    html = _html(Sample())
    for name in ("name", "colour", "agreed"):
        assert '<label class="form' in html and f'for="id_{name}"' in html
    assert re.search(r'<input type="text" name="name" class="form-control"', html)
    assert 'class="form-select"' in html
    assert re.search(r'<input type="checkbox" name="agreed" class="form-check-input"', html)
    assert "<fieldset" in html and "<legend" in html  # the radios' question
    assert 'type="hidden" name="token"' in html and 'for="id_token"' not in html
    # The help text is the input's description.
    assert 'id="id_name_helptext"' in html
    assert 'aria-describedby="id_name_helptext"' in html


def test_errors_are_tied_to_their_field():
    html = _html(Sample({"name": "", "kind": "z", "colour": "r"}))
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_error"' in html and "This field is required." in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_kind_error"' in html  # on the radios' fieldset
    assert 'id="id_kind_error"' in html
    assert 'role="alert"' in html and "Something about the whole form." in html


def test_no_template_uses_crispy_forms():
    found = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "crispy" in p.read_text()
    ]
    assert found == []


@pytest.mark.django_db
def test_the_sign_in_page_labels_its_fields_and_ties_its_error(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'for="id_username"' in page and 'for="id_password"' in page
    refused = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert refused.status_code == 200
    assert 'role="alert"' in refused.content.decode()
