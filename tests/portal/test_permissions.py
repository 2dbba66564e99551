"""school_view and the capability table, beside the permission matrix that checks every URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance_portal.navigation import SECTIONS
from attendance_portal.permissions import CAPABILITIES, Role, school_view


def _page(request, school, membership) -> HttpResponse:
    return HttpResponse(f"{school.urn} {membership.role}")


def ask(view, membership, method="get"):
    request = getattr(RequestFactory(), method)("/")
    request.user = membership.user
    return view(request, urn="123456")


def test_a_capability_names_the_roles_that_have_it():
    assert CAPABILITIES["view_governors_summary"] == {
        Role.OFFICER,
        Role.HEAD,
        Role.GOVERNOR,
        Role.TRUST,
        Role.LA,
    }
    assert all(roles <= set(Role) for roles in CAPABILITIES.values())
    # A local authority sees figures only: no capability of a pupil-level page has it.
    figures_only = {"open_school", "view_governors_summary", "view_local_authority"}
    assert {c for c, roles in CAPABILITIES.items() if Role.LA in roles} == figures_only


def test_a_view_names_a_capability_and_the_roles_without_it_get_403(officer, governor):
    view = school_view("manage_cases")(_page)
    assert ask(view, officer).content == b"123456 officer"
    with pytest.raises(PermissionDenied):
        ask(view, governor)
    assert view.capability == "manage_cases" and view.roles == CAPABILITIES["manage_cases"]


def test_a_set_of_roles_is_still_accepted(governor, officer):
    view = school_view({Role.GOVERNOR})(_page)
    assert ask(view, governor).status_code == 200
    with pytest.raises(PermissionDenied):
        ask(view, officer)


def test_an_unknown_capability_fails_when_the_view_is_defined():
    with pytest.raises(ImproperlyConfigured, match="manage_casse"):
        school_view("manage_casse")


@pytest.mark.parametrize(
    ("decorate", "allowed", "refused"),
    [
        (lambda v: school_view("manage_cases", methods=["GET"])(v), "get", "post"),
        (lambda v: school_view("manage_cases")(require_GET(v)), "get", "post"),
        (lambda v: school_view("manage_cases")(require_POST(v)), "post", "get"),
        (
            lambda v: school_view("manage_cases")(require_http_methods(["GET", "POST"])(v)),
            "post",
            "put",
        ),
    ],
    ids=["methods=", "inner require_GET", "inner require_POST", "inner require_http_methods"],
)
def test_a_wrong_method_is_405_before_the_school_or_the_role(
    decorate, allowed, refused, officer, governor, outsider
):
    view = decorate(_page)
    assert ask(view, officer, allowed).status_code == 200
    for member in (officer, governor, outsider):  # allowed, wrong role, another school
        assert ask(view, member, refused).status_code == 405
    with pytest.raises(PermissionDenied):
        ask(view, governor, allowed)
    with pytest.raises(Http404):
        ask(view, outsider, allowed)


def test_each_section_of_the_navigation_has_the_capability_of_its_page(school):
    for label, name, capability, _ in SECTIONS:
        page = resolve(reverse(name, args=[school.urn])).func
        assert page.roles == CAPABILITIES[capability], label
