from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from registers.lessons.models import Lesson

from .builders import MONDAY, build_timetable


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def timetable(school, pupils, teacher, other_teacher):
    build_timetable(school, pupils, teacher, other_teacher)
    return {
        lesson.period.name: lesson
        for lesson in Lesson.objects.for_school(school).select_related("period", "teaching_class")
    }


@pytest.fixture
def monday_morning():
    with time_machine.travel(at(9, 5), tick=False) as traveller:
        yield traveller
