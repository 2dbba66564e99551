"""Naming the pastoral leads who see internal-truancy alerts beside the office (docs/domain.md
§11): a teacher of the school, for one year group or (blank) every year; each naming and
removal is recorded with who and when (PastoralLeadEvent)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.lessons.models import PastoralLead, PastoralLeadEvent
from registers.models import Membership, School


class PastoralError(DomainError, ValueError):
    """A naming that cannot be made; the message says why."""


def _name_of(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.username


def _event(lead: PastoralLead, action: str, actor: Actor) -> None:
    PastoralLeadEvent.objects.create(
        school_id=lead.school_id,
        action=action,
        lead=lead.membership,
        lead_name=_name_of(lead.membership),
        year_group=lead.year_group,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.position,
    )


@transaction.atomic
def name_pastoral_lead(
    *, school: School, membership: Membership, year_group: str, actor: Actor
) -> PastoralLead:
    """Name a teacher of `school` pastoral lead of `year_group` ("" for every year)."""
    if membership.school_id != school.pk or membership.role != Membership.Role.TEACHER:
        raise PastoralError("Only a teacher of this school can be named a pastoral lead.")
    try:
        with transaction.atomic():
            lead = PastoralLead.objects.create(
                school=school, membership=membership, year_group=year_group
            )
    except IntegrityError:
        raise PastoralError(
            f"{_name_of(membership)} is already the pastoral lead of "
            f"{f'year {year_group}' if year_group else 'every year'}."
        ) from None
    _event(lead, "named", actor)
    return lead


@transaction.atomic
def remove_pastoral_lead(*, lead: PastoralLead, actor: Actor) -> None:
    """No longer a pastoral lead (of this year): they stop seeing its alerts at once."""
    _event(lead, "removed", actor)
    lead.delete()
