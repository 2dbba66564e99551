"""The pages that check a password: the sign-in page, /admin/login/ and the password change.

Password guessing is throttled in the authentication backend (signin.backends), so every one
of them is covered alike; these views only tell a refused user why, with a 429. The password
change checks the old password through the same backend: otherwise anyone at a signed-in
office computer could test guesses there, around the sign-in throttle.
"""

from __future__ import annotations

import math

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. Wait {minutes} and try again, or ask your school's "
    "attendance officer or head to unlock your sign-in."
)


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class RefusedWhenLocked:
    """For a form view whose password went through the throttled backend: a locked attempt
    is answered 429 with how long to wait, not "wrong password" (it was not checked)."""

    def form_invalid(self, form):
        refused = getattr(self.request, "signin_refused", None)
        if refused is None:
            return super().form_invalid(form)
        wait = (refused.locked_until - timezone.now()).total_seconds()
        for field in (None, "old_password"):
            form.errors.pop(field or "__all__", None)
        form.add_error(None, LOCKED_MESSAGE.format(minutes=_minutes(wait)))
        return self.render_to_response(self.get_context_data(form=form), status=429)


@method_decorator(login_not_required, name="dispatch")
class ThrottledLoginView(RefusedWhenLocked, auth_views.LoginView):
    pass


@method_decorator(login_not_required, name="dispatch")
class AdminLoginView(RefusedWhenLocked, auth_views.LoginView):
    """/admin/login/ as Django's admin draws it, with the same answer to a locked attempt."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title="Log in",
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
        )
        if REDIRECT_FIELD_NAME not in self.request.GET | self.request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index")
        return context

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked by authenticate(), so wrong guesses count against the
    same (username, address) throttle as the sign-in page."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old


class ThrottledPasswordChangeView(RefusedWhenLocked, auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
