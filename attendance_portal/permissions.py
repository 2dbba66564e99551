"""Who may do what, as plain functions, plus the one decorator every school page uses.

The rule of thumb (healthchecks): an outsider gets 404, so they learn nothing about
another school; an insider whose role does not allow the action gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from registers.models import CoverGrant, Form, Membership, Pupil, School

Role = Membership.Role

STAFF = frozenset({Role.OFFICER, Role.HEAD, Role.TEACHER})
OFFICE = frozenset({Role.OFFICER, Role.HEAD})
PUPIL_LEVEL = STAFF  # roles that may see named pupils at all (never governors or trust leads)
SCHOOL_AGGREGATES = frozenset({Role.OFFICER, Role.HEAD, Role.GOVERNOR, Role.TRUST})
EVERYONE = frozenset(Role)


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
    """The user's membership at this school; a trust lead's trust membership counts."""
    trust_membership = None
    for m in memberships(user):
        if m.school_id == school.pk:
            return m
        if m.trust_id is not None and m.trust_id == school.trust_id:
            trust_membership = m
    return trust_membership


def schools_for(user) -> list[School]:
    """Every school the user can open, trust leads' whole trusts included."""
    found: dict[int, School] = {}
    for m in memberships(user):
        if m.school is not None:
            found[m.school.pk] = m.school
        elif m.trust_id is not None:
            for s in School.objects.filter(trust_id=m.trust_id):
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


def can_amend_marks(membership: Membership) -> bool:
    return membership.role in OFFICE


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


def school_view(roles: Iterable[str]) -> Callable:
    """Resolve the `urn` URL argument into (school, membership), enforcing `roles`.

    The wrapped view is called as view(request, school, membership, **rest).
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, urn: str, *args, **kwargs) -> HttpResponse:
            school, membership = get_school_for_user(request, urn, allowed)
            # The navigation bar reads these through the context processor.
            request.school, request.membership = school, membership
            return view(request, school, membership, *args, **kwargs)

        return wrapper

    return decorator
