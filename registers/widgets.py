"""The register's widgets, rendered in one pass.

Django's Select renders every <option> through its own template: a class register of 30
pupils, each offered every code, spent 200-270 ms of its 08:45 page in ~1,000 option
templates (issue 22). The code table is fixed, so its options are escaped once per
process and the select is joined from them, marking the chosen one. The output is the
markup Django's Select gives (the same attributes in the same order, the same options and
groups, `selected` on the chosen option), and the form field's choices, validation,
labels and the attributes BoundField adds (id, disabled, aria-invalid …) are untouched.
The register's number and text inputs (minutes late, comment) are joined the same way
instead of going through django/forms/widgets/input.html, 60 times a page.
"""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


# One entry per choice list: the register offers a few per session and role (forms.code_choices).
@lru_cache(maxsize=32)
def _options(choices: tuple) -> tuple[tuple[str, str, str, str], ...]:
    """Each option as (value, markup before ` selected`, markup after, group markup).

    Parts are plain strings, escaped here once: (value, '<option value="x"',
    '>label</option>', the <optgroup> opening or closing before it, if any)."""
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            items = list(label)
            for n, (item_value, item_label) in enumerate(items):
                opening = f'<optgroup label="{escape(value)}">' if n == 0 else ""
                parts.append(_option(item_value, item_label, opening))
            parts.append(("\0close", "", "", "</optgroup>"))
        else:
            parts.append(_option(value, label, ""))
    return tuple(parts)


def _option(value, label, before: str) -> tuple[str, str, str, str]:
    text = "" if value is None else str(value)
    return (text, f'<option value="{escape(text)}"', f">{escape(label)}</option>", before)


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: in order, True as a bare name, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _frozen(choices) -> tuple:
    return tuple(
        (value, tuple(label) if isinstance(label, (list, tuple)) else label)
        for value, label in choices
    )


class CodeSelect(forms.Select):
    """forms.Select for a fixed choice list, rendered without per-option templates."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        html = [f'<select name="{escape(name)}"{_attributes(final)}>']
        found = False
        for option_value, start, end, before in _options(_frozen(self.choices)):
            if option_value == "\0close":
                html.append(before)
                continue
            # As Django's Select: only the first matching option is selected.
            selected = not found and option_value in chosen
            found = found or selected
            html.append(f"{before}{start}{' selected' if selected else ''}{end}")
        html.append("</select>")
        return mark_safe("\n".join(html))  # noqa: S308 (every part escaped above)


class _OnePassInput:
    """As django/forms/widgets/input.html, without the template."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        html = f'<input type="{escape(widget["type"])}" name="{escape(name)}"'
        if shown is not None:
            html += f' value="{escape(shown)}"'
        return mark_safe(html + _attributes(widget["attrs"]) + ">")  # noqa: S308 (escaped)


class PlainNumberInput(_OnePassInput, forms.NumberInput):
    pass


class PlainTextInput(_OnePassInput, forms.TextInput):
    pass


class CodeField(forms.ChoiceField):
    """A ChoiceField of attendance codes whose choice lists are built once per process.

    `offer` takes a list already in Django's normalised form (registers.forms.code_choices
    caches them) and shares it instead of normalising it again for the field and again
    for its widget, three walks of ~35 choices for each of 30 pupils a page."""

    widget = CodeSelect

    def offer(self, choices: list) -> None:
        self._choices = choices
        self.widget._choices = choices
