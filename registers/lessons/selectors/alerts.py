"""Reads of internal truancy: the day's alerts (for the officer and pastoral leads), one
alert with the pupil's day, and the statutory marks lessons suggest correcting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from registers.lessons import rules
from registers.lessons.models import Lesson, LessonMark, TruancyAlert
from registers.lessons.selectors.day import lessons_on
from registers.models import Mark, Pupil, School

Status = TruancyAlert.Status


def alerts_of_day(*, school: School, day: dt.date, years: set[str] | None = None):
    """The day's alerts, open ones first, then by the lesson's period; `years` limits them
    to a pastoral lead's year groups."""
    alerts = TruancyAlert.objects.for_school(school).filter(date=day)
    if years is not None:
        alerts = alerts.filter(pupil__year_group__in=years)
    return (
        alerts.select_related(
            "pupil__form",
            "register__lesson__period",
            "register__lesson__teaching_class",
            "register__lesson__teacher__user",
            "last_seen__register__lesson__period",
            "last_seen__register__lesson__teaching_class",
        )
        .annotate(
            open_first=Case(
                When(status=Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "register__lesson__period__start_time", "pupil__surname")
    )


@dataclass(frozen=True)
class PupilLesson:
    lesson: Lesson
    mark: LessonMark | None


def pupil_day(*, school: School, pupil: Pupil, day: dt.date) -> list[PupilLesson]:
    """The pupil's lessons of `day` in order, with the lesson mark where one was taken."""
    lessons = list(lessons_on(school=school, day=day).filter(teaching_class__members__pupil=pupil))
    marks = {
        m.register.lesson_id: m
        for m in LessonMark.objects.for_school(school)
        .filter(pupil=pupil, date=day)
        .select_related("register")
    }
    return [PupilLesson(lesson, marks.get(lesson.pk)) for lesson in lessons]


def suggested_corrections(
    *, school: School, day: dt.date, years: set[str] | None = None
) -> list[tuple[LessonMark, str]]:
    """Pupils absent at registration (N or O) but present or late in a lesson of that
    session: the first such lesson of each pupil and session, with the statutory code."""
    # The few pupils absent at registration first (an index scan of the day's marks), then
    # their lesson marks: not a lookup of the statutory mark for each of the day's lessons.
    absent = Mark.objects.for_school(school).filter(date=day, code_id__in=rules.CORRECTABLE)
    if years is not None:
        absent = absent.filter(pupil__year_group__in=years)
    codes = {(p, s): c for p, s, c in absent.values_list("pupil_id", "session", "code_id")}
    marks = (
        LessonMark.objects.for_school(school)
        .filter(
            date=day,
            pupil_id__in={p for p, _ in codes},
            kind__in=[rules.Kind.PRESENT, rules.Kind.LATE],
        )
        .select_related(
            "pupil__form",
            "register__lesson__period",
            "register__lesson__teaching_class",
        )
        .order_by("pupil__surname", "pupil_id", "session", "register__lesson__period__start_time")
    )
    found: dict[tuple[int, str], tuple[LessonMark, str]] = {}
    for mark in marks:
        code = codes.get((mark.pupil_id, mark.session))
        if code is not None:
            mark.register.school = school  # correction_for reads its session times
            found.setdefault((mark.pupil_id, mark.session), (mark, code))
    return list(found.values())
