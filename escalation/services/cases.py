"""Case work: each function changes the case and writes its timeline event together, so
the timeline always tells the whole story (who, when, what was agreed, the evidence)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from attendance_portal.errors import DomainError
from escalation import rules
from escalation.models import Case, EscalationEvent
from registers.actors import Actor
from registers.models import HalfTerm, Membership, Pupil, School
from registers.services.privacy import PurgeRefused

Action = EscalationEvent.Action
SWEEP = Actor(None, "Nightly sweep", "System")


class CaseError(DomainError, ValueError):
    """A case action that cannot be done, with a message a user can act on."""


def build_event(
    *,
    case: Case,
    action: str,
    actor: Actor,
    summary: str,
    occurred_on: dt.date,
    data: dict[str, Any] | None = None,
    key: str = "",
) -> EscalationEvent:
    """One unsaved timeline row (the sweep builds many and bulk-inserts them)."""
    return EscalationEvent(
        school_id=case.school_id,
        case_id=case.pk,
        pupil_id=case.pupil_id,
        action=action,
        occurred_on=occurred_on,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.position,
        summary=summary,
        data=data or {},
        key=key,
    )


def record_event(**fields: Any) -> EscalationEvent:
    """Write one timeline row: build_event's keyword arguments."""
    event = build_event(**fields)
    event.save()
    return event


def next_monitoring_point(*, school: School, after: dt.date) -> dt.date:
    """The end of the half-term after `after`: when the school next reviews its figures."""
    end = (
        HalfTerm.objects.for_school(school)
        .filter(end_date__gt=after)
        .order_by("end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    return end or after + rules.CONTRACT_REVIEW_FALLBACK


def lock_open(case: Case) -> Case:
    """The case row, locked for this transaction; refused once closed."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not locked.is_open:
        raise CaseError("This case has been closed. Open a new case to record more work.")
    return locked


def move_forward(case: Case, stage: str, *, actor: Actor, on: dt.date, why: str) -> bool:
    """Bring the case to `stage` if it is not there or beyond yet (never backwards)."""
    if case.stage_rank >= rules.stage_rank(stage):
        return False
    label = Case.Stage(stage).label
    _set_stage(case, stage, actor=actor, on=on, summary=f"Stage moved to {label}: {why}")
    return True


def _set_stage(case: Case, stage: str, *, actor: Actor, on: dt.date, summary: str) -> None:
    """Save the new stage and the STAGE_CHANGED event on the case's timeline."""
    previous = case.stage
    case.stage = stage
    case.save(update_fields=["stage", "updated_at"])
    record_event(
        case=case,
        action=Action.STAGE_CHANGED,
        actor=actor,
        occurred_on=on,
        summary=summary,
        data={"from": previous, "to": stage},
    )


def set_review(case: Case, next_review: dt.date | None) -> None:
    if next_review is not None and next_review != case.next_review:
        case.next_review = next_review
        case.save(update_fields=["next_review", "updated_at"])


@transaction.atomic
def open_case(
    *,
    pupil: Pupil,
    actor: Actor,
    summary: str,
    on: dt.date,
    reason: str = Case.Reason.MANUAL,
    next_review: dt.date | None = None,
) -> Case:
    """Open a case for a pupil who has none open (the database backs "one open case")."""
    if Case.objects.open().filter(pupil=pupil).exists():
        raise CaseError(f"{pupil.name} already has an open case.")
    try:
        with transaction.atomic():
            case = Case.objects.create(
                school_id=pupil.school_id,
                pupil=pupil,
                reason=reason,
                opened_on=on,
                opened_by=actor.user,
                owner=actor.user,
                next_review=next_review or next_monitoring_point(school=pupil.school, after=on),
            )
    except IntegrityError as exc:
        raise CaseError(f"{pupil.name} already has an open case.") from exc
    record_event(
        case=case,
        action=Action.OPENED,
        actor=actor,
        occurred_on=on,
        summary=summary,
        data={"reason": reason},
        key="opened",
    )
    return case


@transaction.atomic
def change_stage(*, case: Case, stage: str, actor: Actor, summary: str, on: dt.date) -> Case:
    """A person's decision to move the case to another stage, either way, with reasons."""
    case = lock_open(case)
    if stage == case.stage:
        raise CaseError(f"The case is already at the {case.get_stage_display()} stage.")
    _set_stage(case, stage, actor=actor, on=on, summary=summary)
    return case


@transaction.atomic
def add_note(
    *,
    case: Case,
    actor: Actor,
    summary: str,
    on: dt.date,
    next_review: dt.date | None = None,
) -> EscalationEvent:
    """A discussion, a call, a professional's view: anything the file should keep."""
    case = lock_open(case)
    set_review(case, next_review)
    return record_event(case=case, action=Action.NOTE, actor=actor, occurred_on=on, summary=summary)


@transaction.atomic
def record_meeting(
    *,
    case: Case,
    actor: Actor,
    held_on: dt.date,
    attendees: str,
    discussed: str,
    agreed: str,
    next_review: dt.date | None = None,
) -> EscalationEvent:
    """A formal attendance meeting with the family: who came, what was said and agreed."""
    case = lock_open(case)
    event = record_event(
        case=case,
        action=Action.MEETING_HELD,
        actor=actor,
        occurred_on=held_on,
        summary=f"Attendance meeting with {attendees}.",
        data={"attendees": attendees, "discussed": discussed, "agreed": agreed},
    )
    move_forward(case, Case.Stage.MEETING, actor=actor, on=held_on, why="meeting held")
    set_review(case, next_review)
    return event


@transaction.atomic
def close_case(*, case: Case, actor: Actor, summary: str, on: dt.date) -> Case:
    case = lock_open(case)
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.next_review = None
    case.save(update_fields=["status", "closed_at", "next_review", "updated_at"])
    record_event(case=case, action=Action.CLOSED, actor=actor, occurred_on=on, summary=summary)
    return case


def refuse_purge_of_open_cases(pupils: QuerySet[Pupil]) -> None:
    """The retention purge's guard (registered in escalation/apps.py): a case still open is
    work in progress, not an expired record, so someone must close it (and so decide the
    local authority no longer needs it) before its pupil can go."""
    open_cases = list(
        Case.objects.open().filter(pupil__in=pupils).values_list("pupil__upn", flat=True)
    )
    if open_cases:
        raise PurgeRefused(
            f"{len(open_cases)} pupil(s) due for removal still have an open case "
            f"(UPN {', '.join(sorted(open_cases))}). Close the case(s), then run the purge "
            "again; nothing was removed."
        )


def case_owners(school: School) -> list:
    """Who may own a case: the school's officers and heads."""
    return list(
        get_user_model()
        .objects.filter(
            memberships__school=school,
            memberships__role__in=[Membership.Role.OFFICER, Membership.Role.HEAD],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def assign_cases(*, school: School, case_ids: list[int], owner, actor: Actor, on: dt.date) -> int:
    """Give open cases of this school to an owner (None: unassigned); a timeline note each."""
    if owner is not None and owner not in case_owners(school):
        raise CaseError("Cases can be given only to the school's officers and heads.")
    cases = list(
        Case.objects.for_school(school)
        .select_for_update(of=("self",))
        .filter(pk__in=case_ids, status=Case.Status.OPEN)
        .select_related("owner")
    )
    if not cases:
        raise CaseError("Choose at least one open case.")
    name = (owner.get_full_name() or owner.username) if owner else "nobody (unassigned)"
    changed = 0
    for case in cases:
        if case.owner_id == (owner.pk if owner else None):
            continue
        case.owner = owner
        case.save(update_fields=["owner", "updated_at"])
        record_event(
            case=case,
            action=Action.NOTE,
            actor=actor,
            occurred_on=on,
            summary=f"Case assigned to {name}.",
        )
        changed += 1
    return changed
