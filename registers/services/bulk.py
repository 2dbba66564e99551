"""Bulk marking: a trip or activity code for chosen pupils over a range of days (issue 17).

plan_bulk_marks is the preview (nothing written); apply_bulk_marks writes each mark through
record_mark, so every mark it writes, new or changed, has its own history row naming who
and why, and every register touched advances its version. All or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from registers import codes
from registers.actors import Actor
from registers.models import Mark, Pupil, School, SchoolDay
from registers.services.marks import Entry, MarkError, check_entry, record_mark

# Approved educational activities (V visit, P sport, B off-site education, W work
# experience, K arranged by the local authority): the codes a group is marked with.
BULK_CODES = tuple(sorted(codes.AEA_CODES))
MAX_MARKS = 2000


@dataclass(frozen=True)
class PlannedMark:
    pupil: Pupil
    day: dt.date
    session: str
    current: str | None  # the code there now
    problem: str = ""

    @property
    def action(self) -> str:
        if self.problem:
            return "skip"
        return "new" if self.current is None else "change"


def plan_bulk_marks(
    *,
    school: School,
    pupils: list[Pupil],
    start: dt.date,
    end: dt.date,
    sessions: tuple[str, ...],
    code: str,
    today: dt.date,
) -> list[PlannedMark]:
    if code not in BULK_CODES:
        raise MarkError(f"{code!r} is not a code for a trip or activity.")
    if end < start:
        raise MarkError("The last day is before the first.")
    if end > today:
        raise MarkError("Marks cannot be recorded in advance: record a planned absence instead.")
    days = list(SchoolDay.objects.for_school(school).between(start, end).order_by("date"))
    if len(days) * len(sessions) * len(pupils) > MAX_MARKS:
        raise MarkError(f"That is more than {MAX_MARKS} marks: choose fewer pupils or days.")
    current = {
        (m.pupil_id, m.date, m.session): m.code_id
        for m in Mark.objects.for_school(school).filter(
            pupil__in=pupils, date__gte=start, date__lte=end
        )
    }
    planned = []
    for pupil in pupils:
        for day in days:
            for session in sessions:
                if not day.is_open(session):
                    continue
                now = current.get((pupil.pk, day.date, session))
                problem = ""
                if now == code:
                    problem = "already marked"
                else:
                    try:
                        check_entry(pupil=pupil, day=day.date, code=code, minutes_late=None)
                    except MarkError as error:
                        problem = str(error)
                planned.append(PlannedMark(pupil, day.date, session, now, problem))
    return planned


@transaction.atomic
def apply_bulk_marks(
    *, planned: list[PlannedMark], code: str, actor: Actor, reason: str
) -> list[Mark]:
    if not reason.strip():
        raise MarkError("Give the reason (the trip or activity) for the history.")
    written = []
    for item in planned:
        if item.action == "skip":
            continue
        written.append(
            record_mark(
                pupil=item.pupil,
                day=item.day,
                session=item.session,
                entry=Entry(item.pupil.pk, code, comment=reason.strip()[:500]),
                actor=actor,
                source=Mark.Source.OFFICE,
                reason=f"Bulk marking: {reason.strip()}"[:500],
                audit_new=True,
            )
        )
    return written
