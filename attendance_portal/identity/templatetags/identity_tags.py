from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("identity/_sso_button.html", takes_context=True)
def sso_button(context) -> dict:
    """The "Sign in with Microsoft 365" button on the sign-in page, when SSO is on."""
    return {
        "enabled": settings.OIDC_ENABLED,
        "provider": settings.OIDC_PROVIDER_NAME,
        "next": context.get("next", ""),
    }
