"""{{ field|styled }}: a form field's widget with Bootstrap's class for its kind, for the
one form partial (templates/_form_fields.html). The partial lays out the label, the help
text and the errors; Django (5.2) ties the last two to the input with aria-describedby
(ids <auto_id>_helptext and <auto_id>_error) and marks it aria-invalid."""

from __future__ import annotations

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def styled(field: BoundField) -> SafeString:
    """The widget, with its Bootstrap class unless the form gave it one, and is-invalid
    when the field has errors (Bootstrap's red border)."""
    classes = field.field.widget.attrs.get("class", "") or widget_class(field.field.widget)
    if field.errors:
        classes += " is-invalid"
    return field.as_widget(attrs={"class": classes})
