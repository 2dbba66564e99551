from __future__ import annotations

from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "attendance_portal.signin"
    label = "signin"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from attendance_portal.signin import checks  # noqa: F401  (registers the system check)
