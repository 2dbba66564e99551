"""Reads of a day's lessons: which lessons a school (or a teacher) has on a date, and one
lesson's register sheet with each pupil's statutory code of the session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from registers.lessons import rules
from registers.lessons.models import Lesson, LessonMark, LessonRegister, Timetable
from registers.models import Mark, Membership, Pupil, School, SchoolDay


def period_starts(day: dt.date, start: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, start))


def lessons_on(*, school: School, day: dt.date):
    """The school's active lessons on `day` (its timetable week, open sessions only)."""
    timetable = Timetable.objects.for_school(school).first()
    school_day = SchoolDay.objects.for_school(school).filter(date=day).first()
    if timetable is None or school_day is None or day.isoweekday() > 5:
        return Lesson.objects.none()
    sessions = [s for s in ("AM", "PM") if school_day.is_open(s)]
    return (
        Lesson.objects.for_school(school)
        .on(day, timetable.week_of(day))
        .filter(period__session__in=sessions)
        .select_related("teaching_class", "period", "teacher__user")
        .order_by("period__start_time", "teaching_class__code")
    )


@dataclass(frozen=True)
class DayLesson:
    lesson: Lesson
    starts: dt.datetime
    register: LessonRegister | None

    @property
    def taken(self) -> bool:
        return self.register is not None and self.register.taken_at is not None


def teacher_day(*, school: School, membership: Membership, day: dt.date) -> list[DayLesson]:
    """A teacher's lessons of `day`, in order, with their registers if taken."""
    lessons = list(lessons_on(school=school, day=day).filter(teacher=membership))
    registers = {
        r.lesson_id: r
        for r in LessonRegister.objects.for_school(school).filter(date=day, lesson__in=lessons)
    }
    return [
        DayLesson(lesson, period_starts(day, lesson.period.start_time), registers.get(lesson.pk))
        for lesson in lessons
    ]


@dataclass
class SheetRow:
    pupil: Pupil
    statutory_code: str | None
    mark: LessonMark | None
    statutory_minutes: int | None = None  # minutes late of an L or U

    @property
    def asked(self) -> bool:
        return rules.is_asked(self.statutory_code)


@dataclass
class LessonSheet:
    lesson: Lesson
    day: dt.date
    starts: dt.datetime
    register: LessonRegister | None
    rows: list[SheetRow]

    @property
    def version(self) -> int:
        return self.register.version if self.register else 0

    def is_open(self, now: dt.datetime) -> bool:
        """A lesson register opens when its period starts; never in advance."""
        return now >= self.starts


def scheduled_on(lesson: Lesson, day: dt.date) -> bool:
    """Whether `lesson` takes place on `day` (its weekday, week and an open session)."""
    return lessons_on(school=lesson.school, day=day).filter(pk=lesson.pk).exists()


def lesson_sheet(
    *, lesson: Lesson, day: dt.date, register: LessonRegister | None = None
) -> LessonSheet:
    """The class list on `day` with each pupil's statutory code of the session and lesson
    mark; `register` when the caller holds it already (locked, while saving)."""
    school_id = lesson.school_id
    session = lesson.period.session
    if register is None:
        register = LessonRegister.objects.filter(lesson=lesson, date=day).first()
    pupils = list(
        Pupil.objects.filter(
            school_id=school_id, class_memberships__teaching_class_id=lesson.teaching_class_id
        )
        .on_roll(day)
        .select_related("form")
        .order_by("surname", "forename")
    )
    statutory = {
        pupil_id: (code, minutes)
        for pupil_id, code, minutes in Mark.objects.filter(
            school_id=school_id, date=day, session=session, pupil__in=pupils
        ).values_list("pupil_id", "code_id", "minutes_late")
    }
    marks = (
        {m.pupil_id: m for m in LessonMark.objects.filter(register=register)} if register else {}
    )
    rows = []
    for p in pupils:
        code, minutes = statutory.get(p.pk, (None, None))
        rows.append(SheetRow(p, code, marks.get(p.pk), statutory_minutes=minutes))
    return LessonSheet(lesson, day, period_starts(day, lesson.period.start_time), register, rows)
