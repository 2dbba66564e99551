"""A small timetable for tests, imported through the real import service."""

from __future__ import annotations

import datetime as dt

from registers.lessons.services.timetable import import_timetable
from registers.services.imports import CsvFile

# Monday 8 September 2025: Autumn 1 of the root conftest's school, week A.
MONDAY = dt.date(2025, 9, 8)
PERIODS = (
    "name,session,start_time,end_time\nP1,AM,08:50,09:50\nP2,AM,09:50,10:50\nP4,PM,13:30,14:30\n"
)


def csv(name: str, text: str) -> CsvFile:
    return CsvFile(name, text.encode())


def classes_csv(teacher: str, other: str) -> str:
    return (
        "class_code,subject,teacher_username,day,period,week\n"
        f"4A/Ma,Maths,{teacher},Monday,P1,A\n"
        f"4A/En,English,{other},Monday,P2,A\n"
        f"4A/Sc,Science,{teacher},Monday,P4,A\n"
    )


def members_csv(pupils) -> str:
    lines = ["class_code,upn"]
    for code in ("4A/Ma", "4A/En", "4A/Sc"):
        lines += [f"{code},{p.upn}" for p in pupils]
    return "\n".join(lines) + "\n"


def build_timetable(school, pupils, teacher, other):
    return import_timetable(
        school=school,
        periods=csv("periods.csv", PERIODS),
        classes=csv("classes.csv", classes_csv(teacher.user.username, other.user.username)),
        members=csv("members.csv", members_csv(pupils)),
    )


def lesson_world(*, school, pupils, teacher, day: dt.date) -> dict[str, int]:
    """A lesson on `day` (P1 08:50, a one-week timetable) taught by `teacher` with
    `pupils`, its register taken: pupil 1 absent (an internal-truancy alert when present at
    registration) and pupil 0 present (a correction when absent at registration)."""
    from registers.lessons.models import (
        ClassMember,
        Lesson,
        LessonMark,
        LessonRegister,
        Period,
        TeachingClass,
        Timetable,
        TruancyAlert,
    )

    Timetable.objects.create(school=school, weeks=1, week_a_monday=day)
    period = Period.objects.create(
        school=school, name="P1", session="AM", start_time=dt.time(8, 50), end_time=dt.time(9, 50)
    )
    taught = TeachingClass.objects.create(school=school, code="9X/Ma", subject="Maths")
    lesson = Lesson.objects.create(
        school=school, teaching_class=taught, teacher=teacher, day=day.isoweekday(), period=period
    )
    ClassMember.objects.bulk_create(
        ClassMember(school=school, teaching_class=taught, pupil=p) for p in pupils
    )
    register = LessonRegister.objects.create(
        school=school, lesson=lesson, date=day, session="AM", taken_by=teacher.user, version=1
    )
    present = LessonMark.objects.create(
        school=school, register=register, pupil=pupils[0], date=day, session="AM", kind="present"
    )
    LessonMark.objects.create(
        school=school, register=register, pupil=pupils[1], date=day, session="AM", kind="absent"
    )
    alert = TruancyAlert.objects.create(
        school=school,
        pupil=pupils[1],
        register=register,
        date=day,
        session="AM",
        statutory_code="/",
    )
    # A head of year 9 (a teacher of no form), named pastoral lead.
    from registers.lessons.models import PastoralLead
    from tests.registers.factories import make_member

    head_of_year = make_member("teacher", school=school)
    lead = PastoralLead.objects.create(school=school, membership=head_of_year, year_group="9")
    return {
        "lesson": lesson.pk,
        "alert": alert.pk,
        "lesson_mark": present.pk,
        "pastoral_lead": lead.pk,
    }
