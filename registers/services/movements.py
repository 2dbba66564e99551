"""Early leavers: the office records a pupil leaving the site during the day, and their
return (issue 17). Each is an append-only row naming who recorded it (SiteMovement); the fire
list leaves an early leaver off "on site now" until they are back.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.models import Pupil, SiteMovement
from registers.selectors.fire import off_site

Kind = SiteMovement.Kind
REASON_MAX = 200


class MovementError(DomainError, ValueError):
    """An early leaving or return the office cannot record as given."""


@transaction.atomic
def record_movement(
    *, pupil: Pupil, kind: str, day: dt.date, at: dt.time, now: dt.time, reason: str, actor: Actor
) -> SiteMovement:
    """Record that `pupil` left the site (kind LEFT) or came back (RETURNED) at `at` today.

    Refused: a time still to come, a pupil off roll, leaving twice or returning without
    having left. The pupil's row is locked first, so two people at two desks cannot both
    record the same leaving.
    """
    reason = reason.strip()
    if kind not in Kind.values:
        raise MovementError(f"{kind!r} is not a movement.")
    if not reason:
        raise MovementError("Give the reason (who collected them, where they went).")
    if len(reason) > REASON_MAX:
        raise MovementError(f"The reason is longer than {REASON_MAX} characters.")
    if at > now:
        raise MovementError(f"{at:%H:%M} is still to come: record it when it happens.")
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if not pupil.on_roll(day):
        raise MovementError(f"{pupil.name} is not on roll today.")
    away = off_site(school=pupil.school, day=day, pupils=[pupil]).get(pupil.pk)
    if kind == Kind.LEFT and away is not None:
        raise MovementError(f"{pupil.name} is already recorded as leaving at {away.at:%H:%M}.")
    if kind == Kind.RETURNED:
        if away is None:
            raise MovementError(f"{pupil.name} is not recorded as having left today.")
        if at < away.at:
            raise MovementError(f"{pupil.name} left at {away.at:%H:%M}: they came back after that.")
    return SiteMovement.objects.create(
        school_id=pupil.school_id,
        pupil=pupil,
        date=day,
        at=at,
        kind=kind,
        reason=reason,
        recorded_by=actor.user,
        recorded_by_name=actor.name,
        recorded_by_role=actor.position,
    )
