from __future__ import annotations

import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from attendance_portal.permissions import school_view
from attendance_portal.signin import selectors, services
from attendance_portal.signin.addresses import client_address, throttle_key
from attendance_portal.signin.forms import UnlockForm

log = logging.getLogger(__name__)


@school_view("unlock_sign_in")
def locks(request: HttpRequest, school, membership) -> HttpResponse:
    """The school's staff whose sign-in is locked or has failed lately; the office unlocks."""
    staff = selectors.school_staff_usernames(school)
    form = UnlockForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        services.unlock_username(username=username)
        log.warning("sign-in of %s unlocked by %s at %s", username, request.user, school.urn)
        messages.success(request, f"{username} can sign in again.")
        return redirect("signin:locks", school.urn)
    context = {
        "school": school,
        "locks": selectors.locks_for_school(school),
        "form": form,
        "max_failures": settings.LOGIN_MAX_FAILURES,
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "signin/locks.html", context, status=400 if form.errors else 200)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, and a new password also lifts the sign-in locks of its login: whoever
    holds the mailbox is the user."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.unlock_username(username=form.user.get_username())
        return response


# The throttle's key of a reset request: the email address typed, under a prefix no username
# can collide with (usernames hold no spaces).
RESET_KEY = "password reset: "
RESET_REFUSED = (
    "Too many password reset requests. Wait {minutes} and try again, or ask your school's "
    "attendance officer or head to help."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with every request counted by the sign-in throttle (signin.services) under
    (the email address typed, the client address) and the client address: otherwise the
    form sends unlimited mail to a colleague's inbox and answers as fast as anyone can ask.
    A request is never given back (unlike a right password), so the limits are the sign-in
    page's: LOGIN_MAX_FAILURES to one email from one address, then a lock that doubles."""

    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        attempt = services.begin_attempt(
            username=RESET_KEY + form.cleaned_data["email"],
            address=throttle_key(client_address(self.request)),
        )
        if attempt.allowed:
            return super().form_valid(form)
        now = timezone.now()
        wait = ((attempt.locked_until or now) - now).total_seconds()
        minutes = max(1, math.ceil(wait / 60))
        form.add_error(
            None, RESET_REFUSED.format(minutes="1 minute" if minutes == 1 else f"{minutes} minutes")
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)
