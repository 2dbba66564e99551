from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from attendance_portal import permissions

Role = permissions.Role


LANDING = {
    Role.TEACHER: "registers:day",
    Role.OFFICER: "registers:day",
    Role.HEAD: "reporting:dashboard",
    Role.GOVERNOR: "reporting:governors",
}


def landing_url(membership, urn: str) -> str:
    """Where each role starts its day (the README's table of demo logins says the same)."""
    return reverse(LANDING.get(membership.role, "registers:school_home"), args=[urn])


def home(request: HttpRequest) -> HttpResponse:
    schools = permissions.schools_for(request.user)
    led = {m.trust_id for m in permissions.memberships(request.user) if m.role == Role.TRUST}
    trust_schools = [s for s in schools if s.trust_id in led]
    if len(led) == 1 and len(trust_schools) == len(schools) and schools:
        # A trust lead starts with the trust's schools side by side (any school's URN
        # opens the trust view).
        return redirect(reverse("reporting:trust", args=[schools[0].urn]))
    if len(schools) == 1:
        membership = permissions.membership_for(request.user, schools[0])
        return redirect(landing_url(membership, schools[0].urn))
    return render(request, "home.html", {"schools": schools})


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
