"""A parent's session on a request: its own cookies, never the staff session.

The parent's cookie is scoped to /parents/ (a staff page never receives it), has no expiry
(it ends when the browser closes) and names a row that ends after PARENT_SESSION_IDLE_SECONDS
without a page. Parent pages are outside the staff sign-in (login_not_required, so neither
LoginRequiredMiddleware nor the second step of identity.middleware applies); `parent_view`
is their sign-in check instead.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from attendance_portal.parents.rules import Channel, ContactKey
from attendance_portal.parents.services import sessions

SESSION_COOKIE = "ap_parent"
CHALLENGE_COOKIE = "ap_parent_code"
COOKIE_PATH = "/parents/"


def set_cookie(response: HttpResponse, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,  # None: a browser-session cookie
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_cookie(response: HttpResponse, name: str) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, samesite="Lax")


def parent_key(request: HttpRequest) -> ContactKey | None:
    """The signed-in parent's contact key, or None."""
    found = sessions.current_session(token=request.COOKIES.get(SESSION_COOKIE, ""))
    if found is None:
        return None
    return ContactKey(Channel(found.channel), found.contact)


def parent_view(view):
    """A page for a signed-in parent: `request.parent` is their contact key; anyone else
    goes to the parents' sign-in page."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = parent_key(request)
        if key is None:
            response = redirect("parents:start")
            if SESSION_COOKIE in request.COOKIES:
                forget_cookie(response, SESSION_COOKIE)
            return response
        request.parent = key  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
