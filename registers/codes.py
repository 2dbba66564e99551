"""The DfE attendance and absence codes in force from 19 August 2024, as data.

Source: SI 2024/208 regulation 10 and the August 2024 guidance (see docs/domain.md §1).
This module is pure: the data migration loads it into the AttendanceCode table, and the
figures use the sets below so aggregation needs no join to the code table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    PRESENT = "present"
    AEA = "approved_educational_activity"
    AUTHORISED = "authorised_absence"
    UNAUTHORISED = "unauthorised_absence"
    NOT_POSSIBLE = "not_possible_session"


class Group(StrEnum):
    """Register groupings of the regulations, used to lay out the code picker."""

    PRESENT = "Present"
    OFF_SITE = "Attending a place other than the school"
    LEAVE = "Absent – leave of absence"
    OTHER_AUTHORISED = "Absent – other authorised reasons"
    UNAVOIDABLE = "Absent – unable to attend because of an unavoidable cause"
    UNAUTHORISED = "Absent – unauthorised"
    ADMIN = "Administrative"


@dataclass(frozen=True)
class Code:
    code: str
    meaning: str
    category: Category
    group: Group
    new_in_2024: bool = False

    @property
    def counts_as_possible(self) -> bool:
        return self.category is not Category.NOT_POSSIBLE


C = Category
G = Group

CODES: tuple[Code, ...] = (
    Code("/", "Present (AM)", C.PRESENT, G.PRESENT),
    Code("\\", "Present (PM)", C.PRESENT, G.PRESENT),
    Code("L", "Late arrival before the register has closed", C.PRESENT, G.PRESENT),
    Code(
        "K",
        "Attending education provision arranged by the local authority",
        C.AEA,
        G.OFF_SITE,
        True,
    ),
    Code("V", "Attending an educational visit or trip", C.AEA, G.OFF_SITE),
    Code("P", "Participating in a supervised sporting activity", C.AEA, G.OFF_SITE),
    Code("W", "Attending work experience", C.AEA, G.OFF_SITE),
    Code("B", "Attending any other approved educational activity", C.AEA, G.OFF_SITE),
    Code(
        "D",
        "Dual registered: attending another school at which the pupil is registered",
        C.NOT_POSSIBLE,
        G.OFF_SITE,
    ),
    Code(
        "C1",
        "Leave of absence for a regulated performance or regulated employment abroad",
        C.AUTHORISED,
        G.LEAVE,
        True,
    ),
    Code("M", "Leave of absence for a medical or dental appointment", C.AUTHORISED, G.LEAVE),
    Code("J1", "Leave of absence to attend an interview", C.AUTHORISED, G.LEAVE, True),
    Code("S", "Leave of absence to study for a public examination", C.AUTHORISED, G.LEAVE),
    Code(
        "X",
        "Non-compulsory school age pupil not required to be in school",
        C.NOT_POSSIBLE,
        G.LEAVE,
    ),
    Code(
        "C2",
        "Leave of absence: compulsory school age pupil on a part-time timetable",
        C.AUTHORISED,
        G.LEAVE,
        True,
    ),
    Code("C", "Leave of absence for exceptional circumstances", C.AUTHORISED, G.LEAVE),
    Code("T", "Parent travelling for occupational purposes", C.AUTHORISED, G.OTHER_AUTHORISED),
    Code("R", "Religious observance", C.AUTHORISED, G.OTHER_AUTHORISED),
    Code("I", "Illness (not medical or dental appointment)", C.AUTHORISED, G.OTHER_AUTHORISED),
    Code(
        "E",
        "Suspended or permanently excluded and no alternative provision made",
        C.AUTHORISED,
        G.OTHER_AUTHORISED,
    ),
    Code(
        "Q",
        "Unable to attend: lack of access arrangements",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y1",
        "Unable to attend: transport normally provided not available",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y2",
        "Unable to attend: widespread disruption to travel",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y3",
        "Unable to attend: part of the school premises closed",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y4",
        "Unable to attend: whole school site unexpectedly closed",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y5",
        "Unable to attend: pupil in criminal justice detention",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y6",
        "Unable to attend: public health guidance or law",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code(
        "Y7",
        "Unable to attend: any other unavoidable cause",
        C.NOT_POSSIBLE,
        G.UNAVOIDABLE,
        True,
    ),
    Code("G", "Holiday not granted by the school", C.UNAUTHORISED, G.UNAUTHORISED),
    Code("N", "Reason for absence not yet established", C.UNAUTHORISED, G.UNAUTHORISED),
    Code("O", "Absent in other or unknown circumstances", C.UNAUTHORISED, G.UNAUTHORISED),
    Code("U", "Arrived in school after registration closed", C.UNAUTHORISED, G.UNAUTHORISED),
    Code("Z", "Prospective pupil not on admission register", C.NOT_POSSIBLE, G.ADMIN),
    Code("#", "Planned whole or partial school closure", C.NOT_POSSIBLE, G.ADMIN),
)

BY_CODE: dict[str, Code] = {c.code: c for c in CODES}


def codes_in(category: Category) -> frozenset[str]:
    return frozenset(c.code for c in CODES if c.category is category)


PRESENT_CODES = codes_in(Category.PRESENT)
AEA_CODES = codes_in(Category.AEA)
AUTHORISED_CODES = codes_in(Category.AUTHORISED)
UNAUTHORISED_CODES = codes_in(Category.UNAUTHORISED)
NOT_POSSIBLE_CODES = codes_in(Category.NOT_POSSIBLE)
POSSIBLE_CODES = PRESENT_CODES | AEA_CODES | AUTHORISED_CODES | UNAUTHORISED_CODES
# Lateness: L (before the register closed, present) and U (after it closed, unauthorised).
LATE_CODES = frozenset({"L", "U"})
# The session counts every figure is made of (registers.rates.SessionCounts, in its order)
# and the codes each one counts.
COUNT_CATEGORIES = {
    "possible": POSSIBLE_CODES,
    "present": PRESENT_CODES,
    "aea": AEA_CODES,
    "authorised": AUTHORISED_CODES,
    "unauthorised": UNAUTHORISED_CODES,
    "late": LATE_CODES,
}
# The national penalty-notice framework counts these unauthorised codes (docs/domain.md §4).
FPN_CODES = frozenset({"G", "N", "O", "U"})
# A mark the office must chase today: no reason known yet.
UNEXPLAINED_CODE = "N"


def present_code_for(session: str) -> str:
    """The plain present mark: / in the morning, \\ in the afternoon."""
    return "/" if session == "AM" else "\\"


def grouped() -> list[tuple[Group, list[Code]]]:
    """The codes in register order, grouped for a picker."""
    return [(group, [c for c in CODES if c.group is group]) for group in Group]
