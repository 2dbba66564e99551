"""Leave of absence: recording a family's request, the headteacher's decision, and after.

The rules (SI 2024/208 reg 11, docs/domain.md §3): leave is granted only by a person the
proprietor authorises (the headteacher here), only for the kinds in LeaveRequest.Kind, and
only on application in advance. Granted leave pre-fills the future registers with its code
(registers.services.planned); a mark already recorded is never overwritten, it is reported
as a conflict for the office to settle. Leave that was refused but taken anyway is recorded as
G ("holiday not granted by the school") after the event, through an amendment that says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from registers.actors import Actor
from registers.models import LeaveRequest, Mark, Membership, Pupil, School
from registers.school_age import is_compulsory_school_age
from registers.services.calendar import open_sessions
from registers.services.marks import Entry, record_mark
from registers.services.planned import AbsenceError, Conflict, Prefill, check_span, prefill_span

Kind, Status = LeaveRequest.Kind, LeaveRequest.Status
Role = Membership.Role

# Absence during refused leave is recoded G only where the register holds no reason for
# it: N (not yet established) or O (other). An illness (I) or any other recorded reason is
# left for the office to judge, and is reported instead.
RECODED_AS_G = frozenset({"N", "O"})
REFUSED_LEAVE_CODE = "G"


class LeaveError(AbsenceError):
    """A leave request that cannot be recorded or decided."""


@transaction.atomic
def record_request(
    *,
    school: School,
    pupil: Pupil,
    kind: str,
    requested_by_name: str,
    requested_by_relationship: str,
    requested_on: dt.date,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    actor: Actor,
    start_session: str = "AM",
    end_session: str = "PM",
    sessions: str = LeaveRequest.Sessions.BOTH,
    review_date: dt.date | None = None,
) -> LeaveRequest:
    """Record a family's application for leave; the headteacher decides it later."""
    if pupil.school_id != school.pk:
        raise LeaveError("That pupil is not at this school.")
    if kind not in Kind.values:
        raise LeaveError(f"{kind!r} is not a kind of leave that can be granted.")
    leave = LeaveRequest(
        school=school,
        pupil=pupil,
        kind=Kind(kind),
        requested_by_name=requested_by_name.strip(),
        requested_by_relationship=requested_by_relationship.strip(),
        requested_on=requested_on,
        start_date=start_date,
        start_session=start_session,
        end_date=end_date,
        end_session=end_session,
        sessions=sessions,
        reason=reason.strip(),
        review_date=review_date,
        recorded_by=actor.user,
    )
    check_span(leave)
    if kind == Kind.PART_TIME:
        # A part-time timetable is temporary and reviewed, and only for a pupil of
        # compulsory school age (reg 11); it needs both an end date and a review date.
        if review_date is None:
            raise LeaveError("A part-time timetable needs a review date.")
        if not is_compulsory_school_age(date_of_birth=pupil.date_of_birth, day=start_date):
            raise LeaveError("A part-time timetable is only for a pupil of compulsory school age.")
    if review_date is not None and review_date < start_date:
        raise LeaveError("The review date must not come before the start.")
    leave.save()
    return leave


@dataclass
class Decision:
    leave: LeaveRequest
    prefill: Prefill | None = None


@transaction.atomic
def decide_request(
    *, leave: LeaveRequest, membership: Membership, grant: bool, note: str, today: dt.date
) -> Decision:
    """Grant or refuse a request (headteacher only); granting pre-fills future registers."""
    if membership.role != Role.HEAD or membership.school_id != leave.school_id:
        raise LeaveError("Only the headteacher can grant or refuse leave of absence.")
    leave = (
        LeaveRequest.objects.select_for_update().select_related("pupil__school").get(pk=leave.pk)
    )
    if leave.status != Status.REQUESTED:
        raise LeaveError(f"This request is already {leave.get_status_display().lower()}.")
    actor = Actor.for_membership(membership)
    leave.status = Status.GRANTED if grant else Status.REFUSED
    leave.decided_by = actor.user
    leave.decided_by_name = actor.name
    leave.decided_at = timezone.now()
    leave.decision_note = note.strip()
    leave.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "updated_at",
        ]
    )
    decision = Decision(leave)
    if grant:
        decision.prefill = prefill_span(
            pupil=leave.pupil,
            span=leave,
            code=leave.code,
            source=Mark.Source.LEAVE,
            comment=f"Leave of absence granted: {leave.get_kind_display()}",
            actor=actor,
            today=today,
        )
    return decision


@transaction.atomic
def withdraw_request(*, leave: LeaveRequest) -> LeaveRequest:
    """The family withdrew a request that was not decided yet."""
    updated = LeaveRequest.objects.filter(pk=leave.pk, status=Status.REQUESTED).update(
        status=Status.WITHDRAWN, updated_at=timezone.now()
    )
    if not updated:
        raise LeaveError("Only a request that is not decided yet can be withdrawn.")
    leave.refresh_from_db()
    return leave


@transaction.atomic
def record_c2_review(
    *, leave: LeaveRequest, reviewed_on: dt.date, next_review_date: dt.date, note: str
) -> LeaveRequest:
    """A part-time timetable was reviewed: set the next review date."""
    if leave.kind != Kind.PART_TIME or leave.status != Status.GRANTED:
        raise LeaveError("Only a granted part-time timetable is reviewed.")
    if next_review_date <= reviewed_on:
        raise LeaveError("The next review must come after this one.")
    leave.last_reviewed_on = reviewed_on
    leave.review_date = next_review_date
    if note.strip():
        leave.decision_note = (
            f"{leave.decision_note}\nReview {reviewed_on:%-d %b %Y}: {note.strip()}"
        )
    leave.save(update_fields=["last_reviewed_on", "review_date", "decision_note", "updated_at"])
    return leave


@dataclass
class RefusedTaken:
    recoded: int = 0
    left: list[Conflict] = field(default_factory=list)  # absences with another reason
    unmarked: int = 0


def refused_leave_reason(leave: LeaveRequest) -> str:
    decided = timezone.localtime(leave.decided_at).date()
    return (
        f"Leave refused on {decided:%-d %B %Y} by {leave.decided_by_name}; "
        "absence during refused leave coded G"
    )


@transaction.atomic
def apply_refused_leave_taken(*, leave: LeaveRequest, actor: Actor, today: dt.date) -> RefusedTaken:
    """After the event: absences without a reason during refused leave become G.

    Since 2024 a term-time holiday cannot be authorised; leave taken after a refusal is
    unauthorised and is coded G, which counts towards the penalty-notice threshold. Each
    change is an amendment naming the refusal, so the register shows why.
    """
    if leave.status != Status.REFUSED:
        raise LeaveError("Only refused leave can be recorded as taken anyway.")
    pupil = leave.pupil
    sessions = [
        (day, session)
        for day, session in open_sessions(
            school=leave.school, start=leave.start_date, end=min(leave.end_date, today)
        )
        if leave.covers(day, session) and pupil.on_roll(day)
    ]
    if not sessions:
        raise LeaveError("The refused leave has not happened yet.")
    marks = {
        (m.date, m.session): m
        for m in Mark.objects.filter(pupil=pupil, date__gte=sessions[0][0], date__lte=today)
    }
    result = RefusedTaken()
    reason = refused_leave_reason(leave)
    for day, session in sessions:
        mark = marks.get((day, session))
        if mark is None:
            result.unmarked += 1
        elif mark.code_id in RECODED_AS_G:
            entry = Entry(pupil.pk, REFUSED_LEAVE_CODE, None, mark.comment)
            record_mark(
                pupil=pupil,
                day=day,
                session=session,
                entry=entry,
                actor=actor,
                source=Mark.Source.OFFICE,
                reason=reason,
            )
            result.recoded += 1
        elif mark.code_id != REFUSED_LEAVE_CODE:
            result.left.append(Conflict(day, session, mark.code_id))
    return result
