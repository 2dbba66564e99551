from __future__ import annotations

from django.http import HttpRequest

from attendance_portal import permissions
from attendance_portal.navigation import nav_items


def portal(request: HttpRequest) -> dict:
    """The signed-in user's schools and, inside a school, the sections of their role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict = {"nav_schools": permissions.schools_for(user)}
    school = getattr(request, "school", None)
    membership = getattr(request, "membership", None)
    if school is not None and membership is not None:
        context.update(
            nav_school=school,
            nav_membership=membership,
            nav_items=nav_items(membership, school.urn, request.path),
            # The pupil search in the navigation bar: staff who may see named pupils.
            nav_pupil_search=membership.role in permissions.PUPIL_LEVEL,
        )
    return context
