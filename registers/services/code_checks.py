"""The facts registers.code_rules needs for one mark, read from the database."""

from __future__ import annotations

import datetime as dt

from registers import code_rules
from registers.models import LeaveRequest, Pupil

# The codes whose rule needs a fact from the database; every other code passes untouched.
CHECKED_CODES = frozenset({"X", "Z", "L", "C2"})


def code_problem(*, pupil: Pupil, day: dt.date, code: str, minutes_late: int | None) -> str | None:
    """Why `code` cannot be entered for the pupil on `day` (code_rules.problem), or None."""
    if code not in CHECKED_CODES:
        return None
    # Imported here: registers.services.leave records marks through registers.services.marks,
    # which calls this module.
    from registers.services.leave import is_compulsory_school_age

    part_time = (
        code == "C2"
        and LeaveRequest.objects.for_school(pupil.school_id)
        .granted()
        .covering(day)
        .filter(pupil=pupil, kind=LeaveRequest.Kind.PART_TIME)
        .exists()
    )
    facts = code_rules.MarkFacts(
        code=code,
        day=day,
        who=pupil.name,
        minutes_late=minutes_late,
        compulsory_school_age=code == "X"
        and is_compulsory_school_age(date_of_birth=pupil.date_of_birth, day=day),
        on_roll=pupil.on_roll(day),
        # Read only for L: the school is a query for a pupil loaded without it.
        register_open_minutes=pupil.school.register_open_minutes if code == "L" else 0,
        part_time_timetable=part_time,
    )
    return code_rules.problem(facts)
