"""The password step of every sign-in (the portal's page and /admin/login/), throttled.

Django's ModelBackend does the checking; this counts the attempt first (signin.services) and
refuses a locked (username, address) without looking at the password, so a locked-out
guesser learns nothing even when the guess is right.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from attendance_portal.signin import services
from attendance_portal.signin.addresses import client_address, throttle_key


class SignInLocked(PermissionDenied):
    """Raised to stop authenticate() trying further backends; the sign-in page shows
    `attempt.locked_until` from request.signin_refused."""


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None  # not a password sign-in (e.g. single sign-on): not ours to count
        # The sign-in form already applies NFKC (Django's UsernameField); direct callers
        # may not, and "ｈｅａｄ" must reach the same account and the same count as "head".
        username = unicodedata.normalize("NFKC", str(username))
        attempt = services.begin_attempt(
            username=username, address=throttle_key(client_address(request))
        )
        if not attempt.allowed:
            if request is not None:
                request.signin_refused = attempt
            raise SignInLocked("Too many failed sign-in attempts")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            services.attempt_succeeded(attempt)
        return user
