"""The second step of sign-in, enforced on every page.

A signed-in user who must pass it (identity.policy) and has not in this session reaches
only the pages marked @second_step_exempt (verify, enrol, sign-out, single sign-on) and
public pages; everything else sends them to enter a code, or to enrol when they have no
authenticator yet. Installed after LoginRequiredMiddleware, so anonymous users are sent to
the password step first.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from attendance_portal.identity import policy

# Views outside this app that must stay reachable: signing out.
EXEMPT_VIEW_NAMES = frozenset({"logout", "admin:logout"})


def second_step_exempt(view):
    view.second_step_exempt = True
    return view


class SecondStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):  # public pages
            return None
        if getattr(view_func, "second_step_exempt", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEW_NAMES:
            return None
        if not policy.second_step_needed(request):
            return None
        if policy.has_authenticator(request.user):
            name = "identity:verify"
        elif policy.required_by_policy(request.user):
            name = "identity:enrol"
        else:  # they had an authenticator, it was reset, and nothing requires one
            request.session[policy.ENROLLED_KEY] = False
            return None
        url = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the whole page into a fragment: ask it to navigate instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
