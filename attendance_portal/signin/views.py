from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from attendance_portal.permissions import school_view
from attendance_portal.signin import selectors, services
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
