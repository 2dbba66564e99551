from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "attendance_portal.identity"
    label = "identity"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django_otp import models as otp_models

        # django-otp doubles a device's wait after each wrong code (factor·2^(n-1) s) up to
        # its module constant MAX_THROTTLE_DELAY_SECONDS: a hundred years, so whoever has a
        # colleague's password could lock their second step for good with a few dozen
        # wrong codes. It has no setting for the cap and reads the constant on every
        # check, so it is set here; tests/identity/test_mfa.py would notice a
        # django-otp that stopped reading it.
        otp_models.MAX_THROTTLE_DELAY_SECONDS = settings.OTP_THROTTLE_MAX_SECONDS

        from attendance_portal.identity.policy import remember_enrolment_at_sign_in

        user_logged_in.connect(remember_enrolment_at_sign_in, dispatch_uid="identity-enrolment")
