"""`{{ contact.phone|phone }}`: an E.164 number as people in the UK write it."""

from __future__ import annotations

from django import template

from registers.phones import shown

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return shown(value) if value and value.startswith("+") else value
