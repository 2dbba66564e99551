"""Saving a lesson register: every pupil's mark as one unit, stale-save protected like the
AM/PM register (registers.services.marks.save_register), and the internal-truancy alerts it
raises or withdraws written in the same transaction, so the officer's list has them as soon
as the save commits (docs/domain.md §11)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance_portal.errors import DomainError
from registers.actors import Actor
from registers.lessons import rules
from registers.lessons.models import Lesson, LessonMark, LessonRegister
from registers.lessons.selectors.day import lesson_sheet, period_starts, scheduled_on
from registers.lessons.services.alerts import sync_alerts

MAX_MINUTES_LATE = 120


class LessonError(DomainError, ValueError):
    """A lesson register that cannot be saved, with a message a user can act on."""


class StaleLessonRegister(LessonError):
    """Someone else saved this lesson register since it was opened; nothing was written."""

    def __init__(self, current: list[LessonMark]):
        self.current = current
        super().__init__(
            "Someone else saved this lesson register while you had it open, so nothing of "
            "yours was saved. The page shows the saved marks with your choices put back: "
            "check them and save again."
        )


@dataclass(frozen=True)
class LessonEntry:
    pupil_id: int
    kind: str
    minutes_late: int | None = None
    reason: str = ""


@dataclass
class LessonResult:
    register: LessonRegister
    created: int = 0
    changed: int = 0
    alerts_raised: list[int] = field(default_factory=list)
    alerts_withdrawn: list[int] = field(default_factory=list)


def _check(entry: LessonEntry, name: str, statutory: str | None) -> str:
    if not rules.is_asked(statutory):
        return (
            f"{name} has {statutory} for the session on the statutory register; the lesson "
            "register does not ask for a mark."
        )
    if entry.kind not in set(rules.Kind):
        return f"{name}: {entry.kind!r} is not a lesson mark."
    if entry.kind == rules.Kind.LATE:
        if entry.minutes_late is None or not 1 <= entry.minutes_late <= MAX_MINUTES_LATE:
            return f"{name}: give the minutes late (1 to {MAX_MINUTES_LATE})."
    elif entry.minutes_late is not None:
        return f"{name}: minutes late go with a late mark only."
    if entry.kind == rules.Kind.OUT and not entry.reason.strip():
        return f"{name}: say why they are out of the lesson (at the nurse, with the SENCo…)."
    return ""


def _register_for(lesson: Lesson, day: dt.date) -> LessonRegister:
    """The lesson's register of `day`, locked; created untaken if there is none yet."""
    try:
        with transaction.atomic():
            LessonRegister.objects.get_or_create(
                lesson=lesson,
                date=day,
                defaults={"school_id": lesson.school_id, "session": lesson.period.session},
            )
    except IntegrityError:  # created by a concurrent first save: lock theirs instead
        pass
    return LessonRegister.objects.select_for_update().get(lesson=lesson, date=day)


@transaction.atomic
def save_lesson_register(
    *,
    lesson: Lesson,
    day: dt.date,
    entries: list[LessonEntry],
    actor: Actor,
    expected_version: int,
    now: dt.datetime | None = None,
) -> LessonResult:
    """Save a lesson register: all entries or none. `expected_version` is the version the
    user opened; if anyone saved the register since, StaleLessonRegister and nothing is
    written. The register opens at its period's start, never before."""
    now = now or timezone.now()
    if not scheduled_on(lesson, day):
        raise LessonError(f"{lesson} is not timetabled on {day:%A %-d %B %Y}.")
    register = _register_for(lesson, day)
    register.lesson = lesson  # its period and class are loaded already
    sheet = lesson_sheet(lesson=lesson, day=day, register=register)
    if now < sheet.starts:
        raise LessonError(
            f"The register of {lesson.period.name} opens when the lesson starts, at "
            f"{timezone.localtime(sheet.starts):%H:%M}."
        )
    if register.version != expected_version:
        raise StaleLessonRegister(list(LessonMark.objects.filter(register=register)))
    rows = {row.pupil.pk: row for row in sheet.rows}
    errors = []
    for entry in entries:
        row = rows.get(entry.pupil_id)
        if row is None:
            errors.append(f"Pupil {entry.pupil_id} is not in this class on this day.")
        elif problem := _check(entry, row.pupil.name, row.statutory_code):
            errors.append(problem)
    if errors:
        raise LessonError(" ".join(errors))

    result = LessonResult(register=register)
    new, changed = [], []
    stamp = timezone.now()
    for entry in entries:
        mark = rows[entry.pupil_id].mark
        values = {
            "kind": entry.kind,
            "minutes_late": entry.minutes_late,
            "reason": entry.reason.strip() if entry.kind == rules.Kind.OUT else "",
        }
        if mark is None:
            new.append(
                LessonMark(
                    school_id=lesson.school_id,
                    register=register,
                    pupil_id=entry.pupil_id,
                    date=day,
                    session=register.session,
                    recorded_by=actor.user,
                    **values,
                )
            )
        elif any(getattr(mark, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(mark, k, v)
            mark.recorded_by, mark.updated_at = actor.user, stamp
            changed.append(mark)
    LessonMark.objects.bulk_create(new)
    LessonMark.objects.bulk_update(
        changed, ["kind", "minutes_late", "reason", "recorded_by", "updated_at"]
    )
    result.created, result.changed = len(new), len(changed)

    register.taken_by, register.taken_at = actor.user, stamp
    register.version += 1
    register.save(update_fields=["taken_by", "taken_at", "version", "updated_at"])

    statutory = {row.pupil.pk: row.statutory_code for row in sheet.rows}
    kinds = {entry.pupil_id: entry.kind for entry in entries}
    session_starts = lesson.school.session_starts(day, register.session)
    ends = period_starts(day, lesson.period.end_time)
    # A pupil who arrived late only after the lesson ended did not miss it.
    after = {
        row.pupil.pk
        for row in sheet.rows
        if row.statutory_code
        and not rules.arrived_before(
            statutory_code=row.statutory_code,
            minutes_late=row.statutory_minutes,
            session_starts=session_starts,
            ends=ends,
        )
    }
    result.alerts_raised, result.alerts_withdrawn = sync_alerts(
        register=register, kinds=kinds, statutory=statutory, actor=actor, arrived_after=after
    )
    return result
