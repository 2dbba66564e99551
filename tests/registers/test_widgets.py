"""The register's one-pass widgets give the markup Django's own widgets give, for every
state a register line can be in (blank, chosen, an invalid post, with errors, disabled,
a recorded mark offered without "No mark"). Timings live in benchmarks/register_page.py."""

from __future__ import annotations

import re

import pytest
from django import forms

from registers.forms import AmendMarkForm, MarkLineForm, code_choices
from registers.selectors import RegisterRow
from registers.widgets import CodeField, CodeSelect, PlainNumberInput, PlainTextInput
from tests.registers.factories import PupilFactory

DJANGO_WIDGET = {
    CodeSelect: lambda w: forms.Select(attrs=w.attrs, choices=w.choices),
    PlainNumberInput: lambda w: forms.NumberInput(attrs=w.attrs),
    PlainTextInput: lambda w: forms.TextInput(attrs=w.attrs),
}


def same_markup(bound) -> tuple[str, str]:
    """(ours, Django's) for one bound field, whitespace between tags aside."""
    field = bound.field
    ours = str(bound)
    widget = field.widget
    field.widget = DJANGO_WIDGET[type(widget)](widget)
    try:
        theirs = str(bound.form[bound.name])
    finally:
        field.widget = widget

    def norm(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    return norm(ours), norm(theirs)


POSTS = [
    None,
    {"code": "\\", "minutes_late": "", "comment": "", "reason": ""},
    {"code": "L", "minutes_late": "12", "comment": 'bus "late" <b>&', "reason": "x"},
    {"code": "H", "minutes_late": "-3", "comment": "y" * 600, "reason": ""},  # all invalid
]


@pytest.mark.parametrize("post", POSTS, ids=["unbound", "chosen", "late", "invalid"])
@pytest.mark.parametrize("name", ["code", "minutes_late", "comment"])
def test_the_amend_form_renders_as_djangos_widgets_would(post, name):
    form = AmendMarkForm(post)
    if post is not None:
        form.is_valid()
    ours, theirs = same_markup(form[name])
    assert ours == theirs


@pytest.mark.parametrize("recorded", [None, "N"])
@pytest.mark.parametrize("locked", [False, True])
def test_a_register_line_renders_as_djangos_widgets_would(db, pupil, recorded, locked):
    from registers.models import Mark

    mark = (
        Mark(pupil=pupil, school=pupil.school, code_id=recorded, source=Mark.Source.PLANNED)
        if recorded
        else None
    )
    line = MarkLineForm(None, row=RegisterRow(pupil, mark), locked=locked)
    for name in ("code", "minutes_late", "comment"):
        ours, theirs = same_markup(line[name])
        assert ours == theirs
    select = str(line["code"])
    assert ("No mark" in select) is (recorded is None)
    assert ("disabled" in select) is (locked and recorded is not None)
    assert f'id="id_p{pupil.pk}-code"' in select


def test_the_code_field_still_validates_against_its_choices():
    field = CodeField(required=False)
    field.offer(code_choices(blank_label="No mark"))
    assert field.clean("I") == "I"
    assert field.clean("") == ""
    with pytest.raises(forms.ValidationError):
        field.clean("H")  # withdrawn in 2024


def test_the_shared_choice_lists_are_built_once(db):
    first = code_choices(blank_label="No mark")
    assert code_choices(blank_label="No mark") is first
    pupils = [PupilFactory() for _ in range(2)]
    lines = [MarkLineForm(None, row=RegisterRow(p, None)) for p in pupils]
    assert all(line.fields["code"].choices is first for line in lines)
