"""The rules of lesson registers (docs/domain.md §11), pure: no Django, no ORM.

Lesson marks sit beside the statutory AM/PM marks and never replace them: a lesson mark says
whether a pupil was in one lesson; the statutory code of the session is what counts for
attendance (docs/domain.md §1–§3). So the rules here only compare the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from registers import codes


class Kind(StrEnum):
    """A lesson mark."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    OUT = "out"  # out of the lesson with a reason: at the nurse, with the SENCo…


KIND_LABELS = {
    Kind.PRESENT: "Present",
    Kind.LATE: "Late",
    Kind.ABSENT: "Absent",
    Kind.OUT: "Out of lesson (with reason)",
}
# The key a teacher types on the register's keyboard grid (static/js/register.js), one per
# kind; "/" is present as on the AM/PM register.
KEYS = {Kind.PRESENT: "/", Kind.LATE: "L", Kind.ABSENT: "A", Kind.OUT: "O"}
BY_KEY = {key: kind for kind, key in KEYS.items()}
SEEN = frozenset({Kind.PRESENT, Kind.LATE, Kind.OUT})  # the school knows where they were


class Outcome(StrEnum):
    """What the officer found after an internal-truancy alert."""

    FOUND = "found"
    OTHER_LESSON = "other_lesson"
    LEFT_SITE = "left_site"
    PARENT_CONTACTED = "parent_contacted"


OUTCOME_LABELS = {
    Outcome.FOUND: "Found on site and returned to lessons",
    Outcome.OTHER_LESSON: "Was in another lesson (timetable or register error)",
    Outcome.LEFT_SITE: "Left the site",
    Outcome.PARENT_CONTACTED: "Parent or carer contacted",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
WEEKS = ("A", "B")

# The statutory codes that mean "in school at registration": present, late before the
# register closed (including the office's late book) and U (arrived after it closed).
IN_SCHOOL = codes.PRESENT_CODES | frozenset({"U"})
# Codes a lesson register still asks about: no mark yet, in school, or absent without a
# known reason (N, O) where the pupil may yet turn up. Every other code (illness, medical,
# leave, an approved activity off site, not a possible session…) is shown and not asked:
# the pupil is accounted for and a lesson mark would contradict the statutory register.
ASKED = IN_SCHOOL | frozenset({"N", "O"})
LATE_CODES = frozenset({"L", "U"})
# Absent at registration, to be corrected if the pupil turns up in a lesson.
CORRECTABLE = frozenset({"N", "O"})


def is_asked(statutory_code: str | None) -> bool:
    """Whether the lesson register asks for this pupil's mark."""
    return statutory_code is None or statutory_code in ASKED


def is_internal_truancy(
    statutory_code: str | None, kind: str, *, arrived_before_lesson_ended: bool = True
) -> bool:
    """In school at registration, absent from a lesson of that session (docs/domain.md §11).
    A pupil who arrived late (L or U with minutes) only after the lesson had ended was not
    in school to miss it."""
    return statutory_code in IN_SCHOOL and kind == Kind.ABSENT and arrived_before_lesson_ended


def arrived_before(
    *, statutory_code: str, minutes_late: int | None, session_starts: dt.datetime, ends: dt.datetime
) -> bool:
    """Whether a pupil with this statutory mark was in school before `ends` (a lesson's
    end): at the session's start, or its minutes late after it for L and U."""
    late = minutes_late if statutory_code in LATE_CODES and minutes_late else 0
    return session_starts + dt.timedelta(minutes=late) < ends


@dataclass(frozen=True)
class Correction:
    """The statutory mark a lesson suggests: L or U with the minutes after the session
    started that the pupil was first seen."""

    code: str
    minutes_late: int


def suggest_correction(
    *,
    statutory_code: str | None,
    kind: str,
    session_starts: dt.datetime,
    register_closes: dt.datetime,
    seen_at: dt.datetime,
) -> Correction | None:
    """A pupil absent at registration (N or O) but present or late in a lesson: L if the
    lesson they were seen in began before the register closed, U after (docs/domain.md §3),
    with the minutes from the session's start. None when there is nothing to correct."""
    if statutory_code not in CORRECTABLE or kind not in (Kind.PRESENT, Kind.LATE):
        return None
    minutes = max(0, int((seen_at - session_starts).total_seconds() // 60))
    return Correction("L" if seen_at <= register_closes else "U", min(minutes, 600))


def week_of(monday: dt.date, *, week_a_monday: dt.date, weeks: int) -> str:
    """Which week of a one- or two-week timetable the week of `monday` is."""
    if weeks == 1:
        return "A"
    return WEEKS[((monday - week_a_monday).days // 7) % 2]
