"""The pupils' contextual flags (pupil premium, free school meals, SEND, EAL, a social
worker, looked after, young carer): the one list of them and their words.

Registers stores them on Pupil, the pupil import reads them as columns, reporting breaks
attendance down by them, the officer's lists show them as badges: all from FIELDS and
YES_NO here, in this order (the import's column order). SEND is the one that is not yes
or no: Pupil.SEN's N (none), K (SEN support) or E (EHC plan).

Pure: no ORM, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class YesNo:
    field: str  # the Pupil field and the import's column
    title: str  # reporting: the breakdown's title ("By pupil premium")
    yes: str  # reporting: the group with the flag
    no: str  # reporting: the group without it
    badge: str  # the officer's lists: the badge when set
    heading: str = ""  # the breakdown's heading where lower-casing the title would be wrong


YES_NO: tuple[YesNo, ...] = (
    YesNo("pupil_premium", "Pupil premium", "Pupil premium", "Not pupil premium", "PP"),
    YesNo("fsm", "Free school meals", "FSM eligible", "Not FSM eligible", "FSM"),
    YesNo(
        "eal",
        "English as an additional language",
        "EAL",
        "Not EAL",
        "EAL",
        heading="By English as an additional language",
    ),
    YesNo("cin", "Social worker", "Has a social worker", "No social worker", "Social worker"),
    YesNo("cla", "Looked after", "Looked after", "Not looked after", "Looked after"),
    YesNo("young_carer", "Young carer", "Young carer", "Not a young carer", "Young carer"),
)
SEN = "sen"
SEN_LABELS = {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}
SEN_BADGES = {"K": "SEN support", "E": "EHC plan"}

# Every flag's Pupil field, in the import's column order (SEND after free school meals).
FIELDS: tuple[str, ...] = ("pupil_premium", "fsm", SEN, "eal", "cin", "cla", "young_carer")
YES_NO_FIELDS: tuple[str, ...] = tuple(f.field for f in YES_NO)
_BY_FIELD = {f.field: f for f in YES_NO}

assert set(FIELDS) == {*YES_NO_FIELDS, SEN}, "every flag is listed once"


def badges(values: Mapping[str, object]) -> list[str]:
    """The badges of the flags that are set, in FIELDS order."""
    found = []
    for name in FIELDS:
        if name == SEN:
            if badge := SEN_BADGES.get(str(values.get(SEN, ""))):
                found.append(badge)
        elif values.get(name):
            found.append(_BY_FIELD[name].badge)
    return found


def values_of(obj: object) -> dict[str, object]:
    """An object's flag fields (a Pupil, a demo PupilSpec) as a dict."""
    return {name: getattr(obj, name) for name in FIELDS}
