"""Which attendance code may be entered for a pupil, session and lateness: pure rules, no ORM.

Every write path asks `problem()` once per mark (the register and the office through
registers.services.marks.check_entry, import_marks row by row); the facts are gathered by
the caller (registers.services.code_checks for one mark, the import for a file). The codes
are checked against the 2024 regulations and guidance (docs/domain.md §1, §3):

- X is for a pupil of non-compulsory school age not required to attend: never for a pupil
  of compulsory school age that day;
- Z is for a prospective pupil not yet on the admission register: never for a pupil on roll
  that day (a mark for a pupil off roll is refused anyway, so Z is never entered here);
- L is a late arrival *before* the register closed: minutes late after it closed is U; and
  L with 0 minutes late is no late arrival at all (the pupil was on time: / or \\);
- C2 (leave for a compulsory school age pupil on a part-time timetable) comes only from the
  leave workflow, which checks the pupil's age, the end and review dates and the
  headteacher's grant: by hand it is accepted only on a day a granted part-time timetable
  covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class MarkFacts:
    code: str
    day: dt.date
    who: str  # the pupil's name, or UPN in a file, for the message
    minutes_late: int | None
    compulsory_school_age: bool
    on_roll: bool
    register_open_minutes: int
    part_time_timetable: bool  # a granted part-time timetable covers the day


def problem(facts: MarkFacts) -> str | None:
    """Why this code cannot be entered, in words a user can act on; None if it can."""
    code, on = facts.code, f"{facts.day:%-d %B %Y}"
    if code == "X" and facts.compulsory_school_age:
        return (
            f"X (not of compulsory school age, not required in school) cannot be used for "
            f"{facts.who}: they are of compulsory school age on {on}. Record where they were, "
            "or an absence code."
        )
    if code == "Z" and facts.on_roll:
        return (
            f"Z (prospective pupil, not on the admission register) cannot be used for "
            f"{facts.who}: they are on roll on {on}."
        )
    if code == "L" and facts.minutes_late == 0:
        return (
            f"L with 0 minutes late is not a late arrival: give the minutes {facts.who} was "
            "late, or mark them present (/ in the morning, \\ in the afternoon) if they "
            "were on time."
        )
    if (
        code == "L"
        and facts.minutes_late is not None
        and facts.minutes_late > facts.register_open_minutes
    ):
        return (
            f"L is a late arrival before the register closed, but {facts.who} was "
            f"{facts.minutes_late} minutes late and the register closes after "
            f"{facts.register_open_minutes}: use U (arrived after registration closed)."
        )
    if code == "C2" and not facts.part_time_timetable:
        return (
            f"C2 (part-time timetable) is recorded through a granted part-time timetable "
            f"(Leave of absence), which checks the pupil's age, end and review dates; "
            f"{facts.who} has none covering {on}."
        )
    return None


def session_problem(code: str, session: str) -> str | None:
    """Why a present code belongs to the other session: / is the morning's present mark
    and \\ the afternoon's (DfE), so the morning register never takes \\ nor the
    afternoon one /."""
    if code == "\\" and session == "AM":
        return "\\ is the afternoon's present mark: the morning register uses /."
    if code == "/" and session == "PM":
        return "/ is the morning's present mark: the afternoon register uses \\."
    return None
