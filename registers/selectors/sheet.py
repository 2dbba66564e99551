"""One class register: the form's pupils on roll that day with their marks, in name order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registers import codes
from registers.models import Closure, Form, Mark, Pupil, Register, School, SchoolDay
from registers.models.leave import PREFILLED_SOURCES

from .leave import prefill_labels


@dataclass(frozen=True)
class RegisterRow:
    pupil: Pupil
    mark: Mark | None
    prefill_label: str = ""  # "Leave: C1 granted", "Planned: M dentist"

    @property
    def is_prefilled(self) -> bool:
        """The mark came from granted leave or a planned absence: only the office changes it."""
        return self.mark is not None and self.mark.source in PREFILLED_SOURCES

    @property
    def css(self) -> str:
        """The category class of the recorded mark (cat-present, ...) for its chip."""
        info = codes.BY_CODE.get(self.mark.code_id) if self.mark else None
        return f"cat-{info.category}" if info else "cat-none"

    @property
    def meaning(self) -> str:
        info = codes.BY_CODE.get(self.mark.code_id) if self.mark else None
        return info.meaning if info else ""

    @property
    def recorded_by_name(self) -> str:
        user = self.mark.recorded_by if self.mark else None
        return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class RegisterSheet:
    form: Form
    day: dt.date
    session: str
    school_day: SchoolDay | None
    closure_reason: str
    register: Register | None
    rows: list[RegisterRow]

    @property
    def version(self) -> int:
        """The version the user opens; save_register refuses a save if it has moved on."""
        return self.register.version if self.register else 0

    @property
    def is_open(self) -> bool:
        return self.school_day is not None and self.school_day.is_open(self.session)

    @property
    def closed_message(self) -> str:
        """Why no register can be taken for this session, or "" if one can."""
        if self.school_day is None:
            return f"{self.day:%A %-d %B %Y} is not a school day."
        if not self.is_open:
            reason = f" ({self.closure_reason})" if self.closure_reason else ""
            return f"The {self.session} session on {self.day:%A %-d %B %Y} is closed{reason}."
        return ""

    @property
    def present_code(self) -> str:
        return codes.present_code_for(self.session)

    @property
    def unmarked_count(self) -> int:
        return sum(1 for row in self.rows if row.mark is None)

    @property
    def has_marks(self) -> bool:
        return any(row.mark is not None for row in self.rows)

    @property
    def taken_by_name(self) -> str:
        user = self.register.taken_by if self.register else None
        return (user.get_full_name() or user.username) if user else ""


def register_sheet(*, school: School, form: Form, day: dt.date, session: str) -> RegisterSheet:
    """The register of `form` for one session: four queries whatever the size of the form,
    plus one per kind of pre-filled mark (leave, planned absence) when there are any."""
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    closure_reason = ""
    if school_day is None or not school_day.is_open(session):
        closure = Closure.objects.for_school(school).filter(date=day, session=session).first()
        closure_reason = closure.reason if closure else ""
    register = (
        Register.objects.for_school(school)
        .filter(form=form, date=day, session=session)
        .select_related("taken_by")
        .first()
    )
    pupils = list(
        Pupil.objects.for_school(school)
        .filter(form=form)
        .on_roll(day)
        .order_by("surname", "forename", "pk")
    )
    marks = {
        m.pupil_id: m
        for m in Mark.objects.for_school(school)
        .on(day, session)
        .filter(pupil_id__in=[p.pk for p in pupils])
        .select_related("recorded_by")
    }
    labels = prefill_labels(school=school, day=day, session=session, marks=marks.values())
    return RegisterSheet(
        form=form,
        day=day,
        session=session,
        school_day=school_day,
        closure_reason=closure_reason,
        register=register,
        rows=[RegisterRow(p, marks.get(p.pk), labels.get(p.pk, "")) for p in pupils],
    )
