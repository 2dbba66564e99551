"""Object-level rules of the lesson pages, on top of the capabilities in
attendance_portal/permissions.py: which lessons a member may register, who sees alerts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from attendance_portal.permissions import OFFICE
from registers.lessons.models import Lesson, PastoralLead
from registers.models import Membership, School


def get_lesson_for_user(membership: Membership, school: School, pk: int) -> Lesson:
    """A lesson of this school (else 404) that this member teaches, or any for the office
    (else 403)."""
    lesson = (
        Lesson.objects.for_school(school)
        .select_related("teaching_class", "period", "teacher__user", "school")
        .filter(pk=pk)
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson")
    if membership.role not in OFFICE and lesson.teacher_id != membership.pk:
        raise PermissionDenied("You do not teach this lesson.")
    return lesson


def sees_truancy_alerts(membership: Membership) -> bool:
    """Whether the alerts page lets this member in (the office, or a pastoral lead): the
    navigation offers it by the same rule as pastoral_years."""
    if membership.role in OFFICE:
        return True
    return PastoralLead.objects.filter(
        school_id=membership.school_id, membership=membership
    ).exists()


def pastoral_years(membership: Membership, school: School) -> set[str] | None:
    """The year groups whose alerts this member sees: None for all (the office, a pastoral
    lead of every year); raises 403 for a teacher who is not a pastoral lead."""
    if membership.role in OFFICE:
        return None
    years = set(
        PastoralLead.objects.for_school(school)
        .filter(membership=membership)
        .values_list("year_group", flat=True)
    )
    if not years:
        raise PermissionDenied("Internal-truancy alerts are for the office and pastoral leads.")
    return None if "" in years else years
