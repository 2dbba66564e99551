"""Missing lesson registers: a lesson whose period has started (plus a grace period) and
whose register has not been taken, listed for the officer by period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone

from registers.lessons.models import Lesson, LessonRegister, Period
from registers.lessons.selectors.day import lessons_on, period_starts
from registers.models import School


@dataclass(frozen=True)
class MissingLesson:
    lesson: Lesson
    starts: dt.datetime


def missing_lessons(
    *, school: School, now: dt.datetime, after_minutes: int | None = None
) -> list[MissingLesson]:
    """Today's lessons not registered `after_minutes` (default: the school's grace period
    for registers) after their period started."""
    today = timezone.localdate(now)
    wait = dt.timedelta(
        minutes=school.missing_grace_minutes if after_minutes is None else after_minutes
    )
    taken = LessonRegister.objects.for_school(school).filter(date=today, taken_at__isnull=False)
    lessons = lessons_on(school=school, day=today).exclude(pk__in=taken.values("lesson_id"))
    found = []
    for lesson in lessons:
        starts = period_starts(today, lesson.period.start_time)
        if now >= starts + wait:
            found.append(MissingLesson(lesson, starts))
    return found


def missing_by_period(
    *, school: School, now: dt.datetime
) -> list[tuple[Period, list[MissingLesson]]]:
    missing = missing_lessons(school=school, now=now)
    return [
        (period, list(rows)) for period, rows in groupby(missing, key=lambda m: m.lesson.period)
    ]
