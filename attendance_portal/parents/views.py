"""The parent portal's pages: sign-in by code, the children, each child's attendance."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal import broker
from attendance_portal.errors import DomainError
from attendance_portal.parents import selectors, tasks
from attendance_portal.parents.access import (
    CHALLENGE_COOKIE,
    SESSION_COOKIE,
    forget_cookie,
    parent_key,
    parent_view,
    set_cookie,
)
from attendance_portal.parents.forms import AbsenceForm, CodeForm, ContactForm, LeaveForm
from attendance_portal.parents.services import sessions, signin
from attendance_portal.signin.addresses import client_address, throttle_key
from registers import rates
from registers.families.services import absence
from registers.families.services.optout import set_opt_out

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
                # The code is looked up and sent by the task, never on this response.
                broker.send_on_commit(tasks.send_sign_in_code_task, started.challenge_id)
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
            # A new session token every sign-in: nothing from before it is trusted, and a
            # session this browser had before ends here.
            sessions.end_session(token=request.COOKIES.get(SESSION_COOKIE, ""))
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
        "family": selectors.family_record(request.parent, pupil=pupil),  # type: ignore[attr-defined]
    }
    return render(request, "parents/child.html", context)


def _form_page(request: HttpRequest, pk: int, form_class, template: str, submit) -> HttpResponse:
    """A parent's form about one of their children: on a valid POST, `submit(form, contact,
    pupil, today)` makes the one service call and returns the thank-you message; a refusal
    shows the form again with the reason and what was typed."""
    today = timezone.localdate()
    key = request.parent  # type: ignore[attr-defined]
    pupil = selectors.child(key, pk=pk, today=today)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial={"start_date": today})
    if request.method == "POST" and form.is_valid():
        try:
            done = submit(form.cleaned_data, selectors.contact_for(key, pupil=pupil), pupil, today)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("parents:child", pupil.pk)
    status = 400 if form.is_bound else 200
    return render(request, template, {"form": form, "pupil": pupil}, status=status)


@require_http_methods(["GET", "POST"])
@parent_view
def report_absence(request: HttpRequest, pk: int) -> HttpResponse:
    """Tell the school about an absence today or ahead (families.report_absence)."""

    def submit(data, contact, pupil, today) -> str:
        absence.report_absence(
            contact=contact,
            pupil=pupil,
            start_date=data["start_date"],
            end_date=data["end_date"],
            start_session=data["start_session"],
            end_session=data["end_session"],
            reason=data["reason"],
            details=data["details"],
            today=today,
        )
        return (
            f"Thank you. The school has your report of {pupil.forename}'s absence; "
            "the attendance office will record it."
        )

    return _form_page(request, pk, AbsenceForm, "parents/report_absence.html", submit)


@require_http_methods(["GET", "POST"])
@parent_view
def request_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for leave of absence (families.request_leave): the headteacher decides, and the
    decision comes back as a message."""

    def submit(data, contact, pupil, today) -> str:
        absence.request_leave(
            contact=contact,
            pupil=pupil,
            kind=data["kind"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
            today=today,
        )
        return (
            f"Thank you. Your request for leave for {pupil.forename} has gone to the "
            "headteacher; the school will send you the decision."
        )

    return _form_page(request, pk, LeaveForm, "parents/request_leave.html", submit)


@require_POST
@parent_view
def message_choice(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent opts out of messages about this child, or back in: their own contact
    rows only, never another contact's (families.set_opt_out, audited as the parent)."""
    pupil = selectors.child(request.parent, pk=pk, today=timezone.localdate())  # type: ignore[attr-defined]
    choice = request.POST.get("opted_out", "")
    if choice not in ("0", "1"):
        messages.error(request, "Choose whether the school may send you messages.")
        return redirect("parents:child", pupil.pk)
    for contact in selectors.own_contacts(request.parent, pupil=pupil):  # type: ignore[attr-defined]
        set_opt_out(contact=contact, opted_out=choice == "1", actor=None)
    if choice == "1":
        done = f"The school will not send you messages about {pupil.forename}."
    else:
        done = f"The school will send you messages about {pupil.forename} again."
    messages.success(request, done)
    return redirect("parents:child", pupil.pk)
