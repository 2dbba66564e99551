"""The sign-in page.

Password guessing is throttled in the authentication backend (signin.backends), so this page
and /admin/login/ are covered alike; this view only tells a refused user why, with a 429.
"""

from __future__ import annotations

import math

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from django.utils.decorators import method_decorator

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. Wait {minutes} and try again, or ask your school's "
    "attendance officer or head to unlock your sign-in."
)


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@method_decorator(login_not_required, name="dispatch")
class ThrottledLoginView(auth_views.LoginView):
    def form_invalid(self, form):
        refused = getattr(self.request, "signin_refused", None)
        if refused is None:
            return super().form_invalid(form)
        wait = (refused.locked_until - timezone.now()).total_seconds()
        # Replace "enter a correct username and password": it was not checked.
        form.errors.pop("__all__", None)
        form.add_error(None, LOCKED_MESSAGE.format(minutes=_minutes(wait)))
        return self.render_to_response(self.get_context_data(form=form), status=429)
