from __future__ import annotations

import datetime as dt

from django.urls import reverse

from registers.actors import Actor
from registers.lessons.selectors.patterns import repeated_misses, truancy_counts
from registers.lessons.selectors.reports import lesson_attendance
from registers.lessons.services.registers import LessonEntry, save_lesson_register
from tests.registers.factories import MarkFactory

from .builders import MONDAY
from .conftest import at

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def _take(lesson, teacher, day, kinds, now):
    save_lesson_register(
        lesson=lesson,
        day=day,
        entries=[LessonEntry(p.pk, k, 5 if k == "late" else None) for p, k in kinds],
        actor=Actor.for_membership(teacher),
        expected_version=0,
        now=now,
    )


def _two_mondays(timetable, pupils, teacher, other_teacher):
    for day in (MONDAY, NEXT_MONDAY):
        for p in pupils:
            MarkFactory(pupil=p, date=day, session="AM", code_id="/")
        _take(
            timetable["P1"],
            teacher,
            day,
            [(pupils[0], "absent"), (pupils[1], "late"), (pupils[2], "present")],
            at(9, 0, day),
        )
        _take(timetable["P2"], other_teacher, day, [(p, "present") for p in pupils], at(10, 0, day))


def test_lesson_attendance_by_subject_period_and_group(
    school, timetable, pupils, teacher, other_teacher
):
    pupils[0].pupil_premium = True
    pupils[0].save(update_fields=["pupil_premium"])
    _two_mondays(timetable, pupils, teacher, other_teacher)
    tables = lesson_attendance(school=school, start=MONDAY, end=NEXT_MONDAY)
    by_subject = {line.label: line for line in tables["subject"][1]}
    assert (by_subject["Maths"].marks, by_subject["Maths"].absent, by_subject["Maths"].late) == (
        6,
        2,
        2,
    )
    assert by_subject["Maths"].attended_pct == 66.7 and by_subject["English"].attended_pct == 100.0
    assert [line.label for line in tables["weekday"][1]] == ["Monday"]
    names = {m.user.get_full_name() for m in (teacher, other_teacher)}
    assert {line.label for line in tables["teacher"][1]} == names
    pp = lesson_attendance(school=school, start=MONDAY, end=NEXT_MONDAY, group="pupil_premium:yes")
    assert {line.label: line.attended_pct for line in pp["subject"][1]} == {
        "Maths": 0.0,
        "English": 100.0,
    }


def test_a_pupil_missing_the_same_subject_twice_is_a_pattern(
    school, timetable, pupils, teacher, other_teacher
):
    _two_mondays(timetable, pupils, teacher, other_teacher)
    patterns = repeated_misses(school=school, start=MONDAY, end=NEXT_MONDAY)
    assert {(p.pupil, p.what, p.times) for p in patterns} == {
        (pupils[0], "Maths", 2),
        (pupils[0], "period P1", 2),
    }
    assert truancy_counts(school=school, start=MONDAY, end=NEXT_MONDAY) == [(pupils[0], 2)]


def test_the_report_the_patterns_and_the_pupil_page_show_them(
    login, school, timetable, pupils, teacher, other_teacher, head
):
    _two_mondays(timetable, pupils, teacher, other_teacher)
    query = "?start=2025-09-08&end=2025-09-15"
    report = (
        login(head)
        .get(reverse("lessons:report", args=[school.urn]) + query + "&group=sen:N")
        .content.decode()
    )
    assert "Maths" in report and "66.7%" in report
    patterns = (
        login(head).get(reverse("lessons:patterns", args=[school.urn]) + query).content.decode()
    )
    assert pupils[0].surname in patterns and "period P1" in patterns
    page = (
        login(teacher)
        .get(reverse("lessons:pupil", args=[school.urn, pupils[0].pk]) + query)
        .content.decode()
    )
    assert "<strong>2</strong> lessons missed after registration" in page
