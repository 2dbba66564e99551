"""Cover for a day: the office gives a teacher one form's registers for one date."""

from __future__ import annotations

import datetime as dt

from registers.models import CoverGrant, Form, Membership, School


class CoverError(ValueError):
    pass


def grant_cover(
    *, school: School, teacher: Membership, form: Form, day: dt.date, granted_by
) -> CoverGrant:
    """Idempotent: granting the same cover twice keeps the first grant."""
    if teacher.school_id != school.pk or teacher.role != Membership.Role.TEACHER:
        raise CoverError("Cover is given to a teacher of this school.")
    if form.school_id != school.pk:
        raise CoverError("That form is not at this school.")
    grant, _ = CoverGrant.objects.get_or_create(
        school=school,
        membership=teacher,
        form=form,
        date=day,
        defaults={"granted_by": granted_by},
    )
    return grant


def revoke_cover(*, school: School, grant_id: int) -> bool:
    deleted, _ = CoverGrant.objects.for_school(school).filter(pk=grant_id).delete()
    return bool(deleted)
