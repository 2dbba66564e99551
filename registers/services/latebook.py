"""The late book: the office records a pupil who arrives late, from the clock (issue 17).

The minutes late are counted from the start of the session now under way; the code is L
while the register is still open (`School.register_open_minutes` after it begins) and U
after it closed (reg 10 Table 1, as the calling list decides it: calls.late_code). The
mark goes through record_mark, so a replaced mark is an audited amendment and the pupil's
register version advances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from registers import codes
from registers.actors import Actor
from registers.models import Mark, Pupil, School
from registers.services.calls import late_code
from registers.services.marks import Entry, MarkError, describe, record_mark

# Marks that already say the pupil is here: a late arrival would be a mistake.
ON_SITE = frozenset({"/", "\\", "L"})


def session_start(school: School, session: str) -> dt.time:
    """When the school's session begins (its session settings: School.am_starts, pm_starts)."""
    return school.am_starts if session == "AM" else school.pm_starts


@dataclass(frozen=True)
class LateArrival:
    day: dt.date
    session: str
    arrived: dt.time
    minutes_late: int
    code: str  # L or U

    @property
    def meaning(self) -> str:
        return codes.BY_CODE[self.code].meaning


def late_arrival(*, school: School, now: dt.datetime | None = None) -> LateArrival:
    """What arriving now means: the session under way, minutes after it began, L or U."""
    local = timezone.localtime(now or timezone.now())
    session = "PM" if local.time() >= session_start(school, "PM") else "AM"
    began = dt.datetime.combine(local.date(), session_start(school, session), local.tzinfo)
    minutes = max(0, int((local - began).total_seconds() // 60))
    return LateArrival(
        day=local.date(),
        session=session,
        arrived=local.time().replace(second=0, microsecond=0),
        minutes_late=minutes,
        code=late_code(minutes_late=minutes, register_open_minutes=school.register_open_minutes),
    )


@transaction.atomic
def record_late_arrival(
    *, pupil: Pupil, actor: Actor, now: dt.datetime | None = None, comment: str = ""
) -> tuple[Mark, LateArrival]:
    """Record L or U with the minutes late for the session under way."""
    arrival = late_arrival(school=pupil.school, now=now)
    if arrival.minutes_late == 0:
        # L with 0 minutes is no late arrival (registers.code_rules): say it in the book's words.
        raise MarkError(
            f"{pupil.name} is not late: the {'morning' if arrival.session == 'AM' else 'afternoon'}"
            f" session begins at {session_start(pupil.school, arrival.session):%H:%M}. "
            "Mark them present on the register."
        )
    current = Mark.objects.filter(pupil=pupil, date=arrival.day, session=arrival.session).first()
    if current is not None and current.code_id in ON_SITE:
        raise MarkError(
            f"{pupil.name} is already marked {describe(current.code_id, current.minutes_late)} "
            f"this {'morning' if arrival.session == 'AM' else 'afternoon'}; "
            "change the mark on the pupil's page if it is wrong."
        )
    reason = f"Late book: arrived at {arrival.arrived:%H:%M}"
    if comment.strip():
        reason = f"{reason}: {comment.strip()}"
    mark = record_mark(
        pupil=pupil,
        day=arrival.day,
        session=arrival.session,
        entry=Entry(
            pupil.pk,
            arrival.code,
            minutes_late=arrival.minutes_late,
            comment=(comment.strip() or (current.comment if current else ""))[:500],
        ),
        actor=actor,
        source=Mark.Source.OFFICE,
        reason=reason[:500],
    )
    return mark, arrival
