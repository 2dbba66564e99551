"""The parent portal's pages: sign-in by code, the children, each child's attendance."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.parents import selectors
from attendance_portal.parents.access import (
    CHALLENGE_COOKIE,
    SESSION_COOKIE,
    forget_cookie,
    parent_key,
    parent_view,
    set_cookie,
)
from attendance_portal.parents.forms import CodeForm, ContactForm
from attendance_portal.parents.services import sessions, signin
from attendance_portal.signin.addresses import client_address, throttle_key
from registers import rates

LOCKED = "Too many attempts. Wait {wait} and try again."


def _wait(until) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _address(request: HttpRequest) -> str:
    return throttle_key(client_address(request))


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Step one: the email or mobile number the school holds. The answer is the same
    whether or not the school holds it."""
    if request.method == "GET" and parent_key(request) is not None:
        return redirect("parents:home")
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            started = signin.request_code(
                key=form.cleaned_data["contact"], address=_address(request)
            )
            if started.token:
                response = redirect("parents:code")
                max_age = int(signin.code_lifetime().total_seconds())
                set_cookie(response, CHALLENGE_COOKIE, started.token, max_age=max_age)
                return response
            form.add_error(None, LOCKED.format(wait=_wait(started.locked_until)))
            status = 429
        else:
            status = 400
    return render(request, "parents/start.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Step two: the code. Five tries, ten minutes."""
    token = request.COOKIES.get(CHALLENGE_COOKIE, "")
    if not token:
        return redirect("parents:start")
    form = CodeForm(request.POST or None)
    status = 200
    expired = False
    if request.method == "POST" and form.is_valid():
        checked = signin.check_code(
            challenge_token=token, code=form.cleaned_data["code"], address=_address(request)
        )
        outcome = checked.outcome
        if outcome == signin.Outcome.SIGNED_IN:
            # A new session token every sign-in: nothing from before it is trusted.
            response = redirect("parents:home")
            set_cookie(response, SESSION_COOKIE, checked.session_token, max_age=None)
            forget_cookie(response, CHALLENGE_COOKIE)
            return response
        if outcome == signin.Outcome.WRONG:
            left = checked.tries_left
            form.add_error(
                "code", f"That code is not right. {left} tr{'y' if left == 1 else 'ies'} left."
            )
            status = 400
        elif outcome == signin.Outcome.LOCKED:
            form.add_error(None, LOCKED.format(wait=_wait(checked.locked_until)))
            status = 429
        else:
            expired = True
            status = 400
    elif request.method == "POST":
        status = 400
    context = {"form": form, "expired": expired}
    response = render(request, "parents/code.html", context, status=status)
    if expired:
        forget_cookie(response, CHALLENGE_COOKIE)
    return response


@login_not_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    sessions.end_session(token=request.COOKIES.get(SESSION_COOKIE, ""))
    response = redirect("parents:start")
    forget_cookie(response, SESSION_COOKIE)
    messages.info(request, "You have signed out.")
    return response


@require_GET
@parent_view
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = selectors.children(request.parent, today=today)  # type: ignore[attr-defined]
    rows = []
    for pupil in found:
        counts = selectors.year_counts(pupil=pupil, today=today)
        rows.append((pupil, rates.shown_pct_for(counts, pupil.school)))
    return render(request, "parents/home.html", {"children": rows})


@require_GET
@parent_view
def child(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    pupil = selectors.child(request.parent, pk=pk, today=today)  # type: ignore[attr-defined]
    context = {
        "pupil": pupil,
        "school": pupil.school,
        "today": today,
        "info": selectors.overview(pupil=pupil, today=today),
    }
    return render(request, "parents/child.html", context)
