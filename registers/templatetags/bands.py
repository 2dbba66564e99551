"""{% band_styles %}: the `.band-*` colours of registers.bands as a <style> element, so the
pages and the letters take their band colours from the one vocabulary."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from registers import bands

register = template.Library()


@register.simple_tag
def band_styles(medium: str = "page") -> SafeString:
    """medium "page" (a light tint, dark text) or "letter" (a solid colour, white text)."""
    css = bands.letter_css() if medium == "letter" else bands.page_css()
    return mark_safe(f"<style>\n{css}\n</style>")  # noqa: S308 (our own constants, no input)
