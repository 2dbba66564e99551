from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from registers.lessons.models import ClassMember, Lesson, Period, TeachingClass, Timetable
from registers.lessons.services.timetable import import_timetable
from registers.services.imports import ImportFailed

from .builders import PERIODS, build_timetable, classes_csv, csv, members_csv


def _import(school, classes, members, periods=PERIODS):
    return import_timetable(
        school=school,
        periods=csv("periods.csv", periods),
        classes=csv("classes.csv", classes),
        members=csv("members.csv", members),
    )


def test_a_timetable_is_imported_and_a_second_run_changes_nothing(
    school, pupils, teacher, other_teacher
):
    first = build_timetable(school, pupils, teacher, other_teacher)
    assert Lesson.objects.for_school(school).count() == 3
    assert ClassMember.objects.for_school(school).count() == 15
    assert "3 lessons created" in first.summary()
    again = build_timetable(school, pupils, teacher, other_teacher)
    assert again.summary().endswith("nothing changed")
    assert Timetable.objects.get(school=school).weeks == 1


def test_a_teacher_booked_twice_in_one_period_refuses_the_whole_import(
    school, pupils, teacher, other_teacher
):
    classes = classes_csv("teacher", "teacher4b") + "4B/Ma,Maths,teacher,Monday,P1,A\n"
    with pytest.raises(ImportFailed) as failed:
        _import(school, classes, members_csv(pupils))
    assert (
        "classes.csv, row 4: teacher teacher is booked twice in week A Monday P1 (also on row 1)"
        in str(failed.value)
    )
    assert not Lesson.objects.exists() and not Period.objects.exists()


def test_a_pupil_booked_twice_in_one_period_is_refused_with_both_classes(
    school, pupils, teacher, other_teacher
):
    classes = classes_csv("teacher", "teacher4b") + "4B/Ar,Art,head,Monday,P1,A\n"
    members = members_csv(pupils) + f"4B/Ar,{pupils[0].upn}\n"
    from tests.registers.factories import make_member

    make_member("head", school=school, username="head")
    with pytest.raises(ImportFailed) as failed:
        _import(school, classes, members)
    assert (
        f"members.csv, row 16: pupil {pupils[0].upn} is booked twice in week A Monday P1: "
        "class 4A/Ma (row 1) and class 4B/Ar"
    ) in str(failed.value)
    assert not TeachingClass.objects.exists()


def test_unknown_teacher_period_and_pupil_are_each_reported_with_their_row(
    school, pupils, teacher, other_teacher
):
    classes = classes_csv("teacher", "nobody").replace("P4", "P9")
    with pytest.raises(ImportFailed) as failed:
        _import(school, classes, members_csv(pupils))
    message = str(failed.value)
    assert (
        "classes.csv, row 2: teacher_username 'nobody' is not a teacher at this school" in message
    )
    assert "classes.csv, row 3: period 'P9' is not in the periods file for week A" in message
    with pytest.raises(
        ImportFailed, match=r"members.csv, row 16: upn 'Z99999999999Z' is not a pupil"
    ):
        _import(
            school,
            classes_csv("teacher", "teacher4b"),
            members_csv(pupils) + "4A/Ma,Z99999999999Z\n",
        )


def test_a_two_week_timetable_and_a_re_import_that_drops_a_lesson(
    school, pupils, teacher, other_teacher
):
    classes = classes_csv("teacher", "teacher4b") + "4A/Ma,Maths,teacher,Tuesday,P1,B\n"
    _import(school, classes, members_csv(pupils))
    assert Timetable.objects.get(school=school).weeks == 2
    result = _import(school, classes_csv("teacher", "teacher4b"), members_csv(pupils[:3]))
    assert "1 lessons dropped" in result.summary() and "6 class places removed" in result.summary()
    assert Lesson.objects.for_school(school).count() == 3


def test_the_command_says_nothing_was_imported(school, tmp_path, pupils, teacher, other_teacher):
    (tmp_path / "p.csv").write_text(PERIODS.replace("08:50", "8.50"))
    (tmp_path / "c.csv").write_text(classes_csv("teacher", "teacher4b"))
    (tmp_path / "m.csv").write_text(members_csv(pupils))
    with pytest.raises(
        CommandError, match=r"nothing was imported:\np.csv, row 1: start_time '8.50' is not a time"
    ):
        call_command(
            "import_timetable",
            "--school",
            school.urn,
            *(str(tmp_path / f) for f in ("p.csv", "c.csv", "m.csv")),
        )
