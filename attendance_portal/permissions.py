"""Who may do what: the capability table, plain functions, and the one decorator every school
page uses.

CAPABILITIES is the portal's one permission vocabulary: each capability ("take_register",
"view_governors_summary", ...) names the roles that have it. The page decorator
(`school_view("manage_cases")`) and the navigation bar (attendance_portal/navigation.py) both
read it, so a section is offered to exactly the roles whose request for it is let through.

The order of the answers (healthchecks): a wrong HTTP method is 405 first, to anyone signed
in, before anything is looked up; an outsider gets 404, so they learn nothing about another
school; an insider whose role does not allow the action gets 403.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from registers.models import CoverGrant, Form, Membership, Pupil, School

Role = Membership.Role

STAFF = frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER})
OFFICE = frozenset({Role.OFFICER, Role.HEAD})
PUPIL_LEVEL = STAFF  # roles that may see named pupils at all (never governors or trust leads)
# Roles that see a school's figures only, never a pupil: governors, trust leads and the
# local authority (its attendance team follows every school with its LA number).
SCHOOL_AGGREGATES = frozenset({Role.OFFICER, Role.HEAD, Role.GOVERNOR, Role.TRUST, Role.LA})
EVERYONE = frozenset(Role)

# capability → the roles that have it. Object-level rules (which forms a teacher takes,
# which pupils they see) are the can_* functions below, on top of these.
CAPABILITIES: dict[str, frozenset[str]] = {
    "open_school": EVERYONE,  # the school's front page
    "take_register": STAFF,  # the day's registers; a teacher only their forms'
    "view_pupils": PUPIL_LEVEL,  # pupil pages; a teacher only their forms' pupils
    "view_pupil_photo": PUPIL_LEVEL,  # a pupil's photo; a teacher also their cover forms'
    "view_celebration": STAFF,  # the weekly class league
    "amend_marks": OFFICE,  # amend past marks, chase missing ones, the late book, bulk marks
    "view_on_site": OFFICE,  # the fire list: who is on site now
    "manage_absence": OFFICE,  # leave requests and planned absences
    "decide_leave": frozenset({Role.HEAD}),  # grant or refuse leave (reg 11)
    "export_pupil_data": OFFICE,  # subject access exports
    "manage_cases": OFFICE,  # calling lists, students of concern, caseload, cases
    "send_letters": OFFICE,  # letters, batches and their wording
    "view_dashboard": OFFICE | {Role.TRUST},  # the school's figures
    "view_group_pupils": OFFICE,  # the dashboard's drill-down to named pupils
    "view_governors_summary": SCHOOL_AGGREGATES,  # aggregates only, never a pupil
    "view_trust": frozenset({Role.TRUST}),  # the trust's schools side by side
    "view_local_authority": frozenset({Role.LA}),  # the LA's schools side by side
    "unlock_sign_in": OFFICE,  # the school's locked-out staff
    "manage_staff_sign_in": frozenset({Role.HEAD}),  # reset a member of staff's authenticator
    # Lesson registers (registers.lessons): a teacher their own lessons, the office any.
    "take_lesson_register": STAFF,
    "chase_lesson_registers": OFFICE,  # missing lesson registers, by period
    # Internal-truancy alerts and patterns: the office, and teachers who are pastoral leads
    # (registers.lessons.models.PastoralLead; the views check it).
    "view_truancy_alerts": STAFF,
    "name_pastoral_leads": OFFICE,  # who sees the alerts beside the office (audited)
    "view_lesson_reports": OFFICE,  # lesson attendance by subject, teacher, period, day
    # API tokens: a head for the school (any level), a trust lead aggregate-only ones
    "manage_api_tokens": frozenset({Role.HEAD, Role.TRUST}),
    "view_api_log": frozenset({Role.HEAD}),  # who read this school's pupil-level data
}


def roles_for(capability: str) -> frozenset[str]:
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown capability {capability!r}") from None


def has_capability(membership: Membership, capability: str) -> bool:
    return membership.role in roles_for(capability)


def memberships(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("school", "trust")
            .order_by("role", "school__name")
        )
        user._portal_memberships = cached
    return cached


def membership_for(user, school: School) -> Membership | None:
    """The user's membership at this school; a trust lead's trust membership counts, and
    then a local authority's membership for a school with its LA number."""
    trust_membership = la_membership = None
    for m in memberships(user):
        if m.school_id == school.pk:
            return m
        if m.trust_id is not None and m.trust_id == school.trust_id:
            trust_membership = m
        if m.role == Role.LA and m.la_number and m.la_number == school.la_number:
            la_membership = m
    return trust_membership or la_membership


def schools_for(user) -> list[School]:
    """Every school the user can open, trust leads' whole trusts included."""
    found: dict[int, School] = {}
    for m in memberships(user):
        if m.school is not None:
            found[m.school.pk] = m.school
        elif m.trust_id is not None:
            for s in School.objects.filter(trust_id=m.trust_id):
                found[s.pk] = s
        elif m.role == Role.LA and m.la_number:
            for s in School.objects.filter(la_number=m.la_number):
                found[s.pk] = s
    return sorted(found.values(), key=lambda s: s.name)


def teacher_form_ids(membership: Membership) -> set[int]:
    cached = getattr(membership, "_form_ids", None)
    if cached is None:
        cached = set(membership.forms.values_list("pk", flat=True))
        membership._form_ids = cached
    return cached


def cover_form_ids(membership: Membership, day) -> set[int]:
    """Forms whose registers the office gave this teacher for `day` only (cover)."""
    if day is None or membership.role != Role.TEACHER:
        return set()
    return set(
        CoverGrant.objects.filter(membership=membership, date=day).values_list("form_id", flat=True)
    )


def can_take_register(membership: Membership, form: Form, day=None) -> bool:
    """Officers and heads any form; a teacher their own forms, and on `day` a form they
    cover that day."""
    if form.school_id != membership.school_id:
        return False
    if membership.role in OFFICE:
        return True
    return membership.role == Role.TEACHER and (
        form.pk in teacher_form_ids(membership) or form.pk in cover_form_ids(membership, day)
    )


def can_view_pupil(membership: Membership, pupil: Pupil) -> bool:
    if pupil.school_id != membership.school_id or membership.role not in PUPIL_LEVEL:
        return False
    if membership.role in OFFICE:
        return True
    return pupil.form_id in teacher_form_ids(membership)


def can_see_photo(membership: Membership, pupil: Pupil, day) -> bool:
    """A pupil's photo: whoever may see the pupil, and a teacher covering their form on
    `day` (the cover teacher is who needs it most)."""
    if can_view_pupil(membership, pupil):
        return True
    return pupil.school_id == membership.school_id and pupil.form_id in cover_form_ids(
        membership, day
    )


def can_amend_marks(membership: Membership) -> bool:
    return has_capability(membership, "amend_marks")


def visible_forms(membership: Membership, school: School, day=None):
    """The forms whose registers this member works with (on `day`: with those covered)."""
    forms = Form.objects.for_school(school)
    if membership.role == Role.TEACHER:
        return forms.filter(pk__in=teacher_form_ids(membership) | cover_form_ids(membership, day))
    return forms


def visible_pupils(membership: Membership, school: School):
    pupils = Pupil.objects.for_school(school)
    if membership.role == Role.TEACHER:
        return pupils.filter(form_id__in=teacher_form_ids(membership))
    if membership.role not in PUPIL_LEVEL:
        return pupils.none()
    return pupils


def get_school_for_user(
    request: HttpRequest, urn: str, roles: Iterable[str]
) -> tuple[School, Membership]:
    """The school by URN if the user belongs to it (else 404) in one of `roles` (else 403)."""
    school = School.objects.select_related("trust").filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    membership = membership_for(request.user, school)
    if membership is None:
        raise Http404("No such school")
    if membership.role not in roles:
        raise PermissionDenied("Your role does not allow this page.")
    return school, membership


def get_pupil_for_user(membership: Membership, school: School, pk: int) -> Pupil:
    """A pupil of this school (else 404) whom this member may see (else 403)."""
    pupil = Pupil.objects.for_school(school).select_related("form").filter(pk=pk).first()
    if pupil is None:
        raise Http404("No such pupil")
    if not can_view_pupil(membership, pupil):
        raise PermissionDenied("You cannot see this pupil.")
    return pupil


def _declared_methods(view: Callable) -> list[str] | None:
    """The methods an inner @require_GET / @require_POST / @require_http_methods allows.

    Views written `@school_view(...)` above `@require_GET` keep working: the decorator
    lifts the method check out so that it still comes first. (Django keeps the list in
    the closure of its wrapper; tests/portal/test_permissions.py pins this.)"""
    while view is not None:
        if getattr(view, "__closure__", None):
            found = inspect.getclosurevars(view).nonlocals.get("request_method_list")
            if found is not None:
                return list(found)
        view = getattr(view, "__wrapped__", None)
    return None


def school_view(
    capability: str | Iterable[str], *, methods: Iterable[str] | None = None
) -> Callable:
    """Resolve the `urn` URL argument into (school, membership), for the members with
    `capability` (a name in CAPABILITIES; a set of roles is still accepted).

    Answers in this order: a method not in `methods` (or not allowed by an inner
    @require_GET/@require_POST) 405; no such school or not a member 404; a role without
    the capability 403. The wrapped view is called as view(request, school, membership,
    **rest).
    """
    if isinstance(capability, str):
        allowed, name = roles_for(capability), capability
    else:
        allowed, name = frozenset(capability), None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        allowed_methods = list(methods) if methods is not None else _declared_methods(view)

        @wraps(view)
        def wrapper(request: HttpRequest, urn: str, *args, **kwargs) -> HttpResponse:
            if allowed_methods is not None and request.method not in allowed_methods:
                return HttpResponseNotAllowed(allowed_methods)
            school, membership = get_school_for_user(request, urn, allowed)
            # The navigation bar reads these through the context processor.
            request.school, request.membership = school, membership
            return view(request, school, membership, *args, **kwargs)

        wrapper.capability = name  # type: ignore[attr-defined]
        wrapper.roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator
