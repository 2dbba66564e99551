from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from attendance_portal import broker, permissions

Role = permissions.Role


LANDING = {
    Role.TEACHER: "registers:day",
    Role.OFFICER: "registers:day",
    Role.HEAD: "reporting:dashboard",
    Role.GOVERNOR: "reporting:governors",
    Role.LA: "reporting:local_authority",
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
    areas = {m.la_number for m in permissions.memberships(request.user) if m.role == Role.LA}
    if len(areas) == 1 and schools and all(s.la_number in areas for s in schools):
        # A local authority's team starts with its schools side by side, likewise.
        return redirect(reverse("reporting:local_authority", args=[schools[0].urn]))
    if len(schools) == 1:
        membership = permissions.membership_for(request.user, schools[0])
        return redirect(landing_url(membership, schools[0].urn))
    return render(request, "home.html", {"schools": schools})


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process serves requests and the database answers. Nothing else, so
    a broker or cache outage never has a healthy web process restarted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _check(probe) -> str:
    try:
        return probe() or "ok"
    except Exception as exc:  # a readiness probe reports every failure, never raises
        return f"{type(exc).__name__}: {exc}"[:300]


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return ""


def _cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return "" if found == "1" else "the cache did not keep a value"


@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness (docker-compose's healthcheck): the database, the cache and the broker
    each answer. 503 with the failing check named when one does not."""
    from attendance_portal.celery import app

    checks = {
        "database": _check(_database),
        "cache": _check(_cache),
        "broker": _check(lambda: broker.check(app)),
    }
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
