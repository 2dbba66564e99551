from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

THROTTLED = "attendance_portal.signin.backends.ThrottledModelBackend"
UNTHROTTLED = "django.contrib.auth.backends.ModelBackend"


@register(Tags.security)
def password_backend_is_throttled(app_configs, **kwargs):
    """A plain ModelBackend next to (or instead of) ours would check passwords unthrottled."""
    backends = list(settings.AUTHENTICATION_BACKENDS)
    errors = []
    if UNTHROTTLED in backends:
        errors.append(
            Error(
                f"{UNTHROTTLED} checks passwords without the sign-in throttle.",
                hint=f"Use {THROTTLED} in AUTHENTICATION_BACKENDS instead.",
                id="signin.E001",
            )
        )
    if THROTTLED not in backends:
        errors.append(
            Error(
                "Password sign-in is not throttled.",
                hint=f"Add {THROTTLED} to AUTHENTICATION_BACKENDS.",
                id="signin.E002",
            )
        )
    return errors
