"""Planned absences, and pre-filling registers from them and from granted leave.

Absences the school knows about in advance (a medical appointment, a trip, work experience,
local-authority provision) are recorded once and pre-filled in every future register they
cover, with source PLANNED (granted leave uses the same machinery with source LEAVE). A
mark already recorded is never overwritten: it is reported as a conflict for the office.
Closed sessions and days without school are skipped: they are nobody's possible session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from registers.actors import Actor
from registers.models import LeaveRequest, Mark, PlannedAbsence, Pupil, School
from registers.services.calendar import open_sessions
from registers.services.marks import MarkError
from registers.services.stored_figures import refresh_sessions
from registers.services.versions import (
    advance_registers,
    lock_registers,
    marks_written,
    register_key,
)


class AbsenceError(MarkError):
    """A leave request or planned absence that cannot be recorded, with a message a user
    can act on."""


@dataclass(frozen=True)
class Conflict:
    day: dt.date
    session: str
    code: str  # the mark already recorded


@dataclass
class Prefill:
    """What pre-filling did: sessions filled, already right, or holding another mark."""

    code: str
    filled: int = 0
    unchanged: int = 0
    past: int = 0  # sessions of the span before today: never pre-filled
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.filled} future session{'s' if self.filled != 1 else ''} pre-filled {self.code}"
        )
        if self.unchanged:
            text += f", {self.unchanged} already {self.code}"
        if self.past:
            text += f"; {self.past} past session{'s' if self.past != 1 else ''} left as recorded"
        return text + "."

    def conflict_summary(self) -> str:
        if not self.conflicts:
            return ""
        listed = ", ".join(f"{c.day:%a %-d %b} {c.session} ({c.code})" for c in self.conflicts)
        return f"Not overwritten, already recorded: {listed}. Change them on the pupil page."


def check_span(span: LeaveRequest | PlannedAbsence) -> None:
    if span.end_date < span.start_date or (
        span.end_date == span.start_date and (span.start_session, span.end_session) == ("PM", "AM")
    ):
        raise AbsenceError("The end must not come before the start.")


class Span(Protocol):
    """What prefill_span needs of a span: its dates and which sessions it covers (granted
    leave, a planned absence, a parent's accepted report in registers/families)."""

    start_date: dt.date
    end_date: dt.date

    def covers(self, day: dt.date, session: str) -> bool: ...


def prefill_span(
    *,
    pupil: Pupil,
    span: Span,
    code: str,
    source: str,
    comment: str,
    actor: Actor,
    today: dt.date,
) -> Prefill:
    """Put `code` on every open session the span covers from today on, in one INSERT."""
    result = Prefill(code=code)
    sessions = [
        (day, session)
        for day, session in open_sessions(
            school=pupil.school, start=span.start_date, end=span.end_date
        )
        if span.covers(day, session) and pupil.on_roll(day)
    ]
    future = [(day, session) for day, session in sessions if day >= today]
    result.past = len(sessions) - len(future)
    if not future:
        return result
    # Registers before marks, as every writer of marks does; the ones given a mark here
    # advance their version, so a register opened earlier cannot be saved over it.
    registers = lock_registers(
        school_id=pupil.school_id, keys=[register_key(pupil, d, s) for d, s in future]
    )
    existing = {
        (m.date, m.session): m
        for m in Mark.objects.select_for_update().filter(
            pupil=pupil, date__gte=future[0][0], date__lte=future[-1][0]
        )
    }
    new = []
    for day, session in future:
        mark = existing.get((day, session))
        if mark is None:
            new.append(
                Mark(
                    school_id=pupil.school_id,
                    pupil=pupil,
                    date=day,
                    session=session,
                    code_id=code,
                    comment=comment[:500],
                    source=source,
                    recorded_by=actor.user,
                )
            )
        elif mark.code_id == code:
            result.unchanged += 1
        else:
            result.conflicts.append(Conflict(day, session, mark.code_id))
    Mark.objects.bulk_create(new)
    advance_registers(
        registers[key] for m in new if (key := register_key(pupil, m.date, m.session)) in registers
    )
    refresh_sessions(school=pupil.school_id, keys=[(pupil.pk, m.date) for m in new])
    marks_written(
        school_id=pupil.school_id, keys=[(pupil.pk, m.date, m.session) for m in new], actor=actor
    )
    result.filled = len(new)
    return result


@transaction.atomic
def record_planned_absence(
    *,
    school: School,
    pupil: Pupil,
    code: str,
    start_date: dt.date,
    end_date: dt.date,
    note: str,
    actor: Actor,
    today: dt.date,
    start_session: str = "AM",
    end_session: str = "PM",
) -> tuple[PlannedAbsence, Prefill]:
    """Record an absence known in advance and pre-fill its future sessions."""
    if pupil.school_id != school.pk:
        raise AbsenceError("That pupil is not at this school.")
    if code not in PlannedAbsence.Code.values:
        raise AbsenceError(f"{code!r} is not a code for a planned absence.")
    planned = PlannedAbsence(
        school=school,
        pupil=pupil,
        code=PlannedAbsence.Code(code),
        start_date=start_date,
        start_session=start_session,
        end_date=end_date,
        end_session=end_session,
        note=note.strip(),
        created_by=actor.user,
    )
    check_span(planned)
    planned.save()
    prefill = prefill_span(
        pupil=pupil,
        span=planned,
        code=planned.code,
        source=Mark.Source.PLANNED,
        comment=planned.note or planned.get_code_display(),
        actor=actor,
        today=today,
    )
    return planned, prefill
