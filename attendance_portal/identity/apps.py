from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "attendance_portal.identity"
    label = "identity"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from attendance_portal.identity.policy import remember_enrolment_at_sign_in

        user_logged_in.connect(remember_enrolment_at_sign_in, dispatch_uid="identity-enrolment")
