"""The fire / evacuation list: who is on site now, by form (issue 17).

A pupil is on site when the latest mark of today says so: the session under way, or the
morning's while the afternoon register is not yet taken. Present marks and late arrivals
(L, and U: after the register closed, but in the building) count; a pupil whose afternoon
mark is an absence after a present morning left early and is not on site, and so is a pupil
the office recorded as leaving (registers.services.movements) and not yet back. Pupils on
roll with no mark yet today are listed apart: the roll-call must check them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from registers import codes
from registers.models import Form, Mark, Pupil, School, SiteMovement

ON_SITE_CODES = frozenset(codes.PRESENT_CODES) | {"U"}


@dataclass
class FormList:
    name: str
    on_site: list[tuple[Pupil, Mark]] = field(default_factory=list)
    unknown: list[Pupil] = field(default_factory=list)
    left_early: list[tuple[Pupil, str]] = field(default_factory=list)  # with why, in words


@dataclass(frozen=True)
class FireList:
    day: dt.date
    session: str
    forms: list[FormList]

    @property
    def on_site(self) -> int:
        return sum(len(f.on_site) for f in self.forms)

    @property
    def unknown(self) -> int:
        return sum(len(f.unknown) for f in self.forms)


def off_site(
    *, school: School, day: dt.date, pupils: list[Pupil] | None = None
) -> dict[int, SiteMovement]:
    """Pupils recorded as leaving today and not back since: pupil id → their leaving."""
    movements = SiteMovement.objects.for_school(school).filter(date=day)
    if pupils is not None:
        movements = movements.filter(pupil__in=pupils)
    latest: dict[int, SiteMovement] = {}
    for movement in movements.order_by("at", "created_at", "id"):
        latest[movement.pupil_id] = movement
    return {pk: m for pk, m in latest.items() if m.kind == SiteMovement.Kind.LEFT}


def fire_list(*, school: School, day: dt.date, session: str) -> FireList:
    pupils = list(
        Pupil.objects.for_school(school)
        .on_roll(day)
        .select_related("form")
        .order_by("form__name", "surname", "forename", "pk")
    )
    marks: dict[int, dict[str, Mark]] = {}
    for mark in Mark.objects.for_school(school).filter(date=day):
        marks.setdefault(mark.pupil_id, {})[mark.session] = mark
    away = off_site(school=school, day=day)
    by_form: dict[str, FormList] = {}
    for form in Form.objects.for_school(school).order_by("name"):
        by_form[form.name] = FormList(form.name)
    for pupil in pupils:
        name = pupil.form.name if pupil.form_id else "No form"
        entry = by_form.setdefault(name, FormList(name))
        today = marks.get(pupil.pk, {})
        latest = today.get("PM") if session == "PM" and "PM" in today else today.get("AM")
        if (left := away.get(pupil.pk)) is not None:
            entry.left_early.append((pupil, f"left {left.at:%H:%M}: {left.reason}"))
        elif latest is None:
            entry.unknown.append(pupil)
        elif latest.code_id in ON_SITE_CODES:
            entry.on_site.append((pupil, latest))
        elif latest.session == "PM" and today.get("AM") and today["AM"].code_id in ON_SITE_CODES:
            entry.left_early.append((pupil, latest.code_id))
    forms = [f for f in by_form.values() if f.on_site or f.unknown or f.left_early]
    return FireList(day=day, session=session, forms=forms)
