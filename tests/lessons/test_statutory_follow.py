"""Internal-truancy alerts follow the statutory marks (docs/domain.md §11): any write of a
session's AM/PM mark (the register, the late book, the office, an import) re-evaluates the
alerts of the lessons the pupil was marked absent from."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from registers.actors import Actor
from registers.lessons.models import AlertEvent, TruancyAlert
from registers.lessons.services.alerts import record_outcome
from registers.lessons.services.registers import LessonEntry, save_lesson_register
from registers.services.latebook import record_late_arrival
from registers.services.marks import Entry, record_mark, save_register
from tests.registers.factories import PupilFactory

from .builders import MONDAY
from .conftest import at


def _absent_in_p1(timetable, pupils, teacher):
    save_lesson_register(
        lesson=timetable["P1"],
        day=MONDAY,
        entries=[LessonEntry(p.pk, "absent") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=0,
        now=at(9, 5),
    )


def _am_register(form, pupils, teacher, code="/", **kwargs):
    return save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, code) for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=kwargs.pop("version", 0),
        **kwargs,
    )


def test_present_at_the_am_register_after_the_lesson_marked_them_absent_raises_the_alert(
    timetable, form, pupils, teacher
):
    _absent_in_p1(timetable, pupils[:2], teacher)
    assert not TruancyAlert.objects.exists()  # no statutory mark yet: nothing to compare
    _am_register(form, pupils[:1], teacher)
    alert = TruancyAlert.objects.get()
    assert (alert.pupil, alert.statutory_code, alert.status) == (pupils[0], "/", "open")
    assert alert.register.lesson == timetable["P1"]
    event = AlertEvent.objects.get(alert=alert)
    assert (event.action, event.actor_name) == ("raised", teacher.user.get_full_name())
    assert "statutory mark changed to /" in event.note


def test_the_late_book_raises_it_and_an_explaining_absence_code_withdraws_it(
    timetable, form, pupils, teacher, officer, time_machine
):
    _absent_in_p1(timetable, pupils[:1], teacher)
    time_machine.move_to(at(9, 0), tick=False)
    record_late_arrival(pupil=pupils[0], actor=Actor.for_membership(officer))
    alert = TruancyAlert.objects.get()
    assert (alert.statutory_code, alert.status) == ("L", "open")
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "I"),
        actor=Actor.for_membership(officer),
        reason="Went home ill before P1",
    )
    alert.refresh_from_db()
    assert alert.status == "withdrawn"
    assert list(AlertEvent.objects.filter(alert=alert).values_list("action", "note")) == [
        ("raised", "statutory mark changed to L"),
        ("withdrawn", "statutory mark changed to I"),
    ]
    # Back in school after all: the same alert opens again, not a second one.
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "/"),
        actor=Actor.for_membership(officer),
        reason="Was not ill after all",
    )
    alert.refresh_from_db()
    assert alert.status == "open" and TruancyAlert.objects.count() == 1


def test_a_pupil_who_arrived_after_the_lesson_ended_did_not_miss_it(
    timetable, form, pupils, teacher, officer
):
    _absent_in_p1(timetable, pupils[:1], teacher)
    # AM starts 08:45; P1 ends 09:50: arriving 70 minutes late (09:55) is after it.
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "U", minutes_late=70),
        actor=Actor.for_membership(officer),
    )
    assert not TruancyAlert.objects.exists()


def test_an_outcome_the_officer_recorded_stands(timetable, form, pupils, teacher, officer):
    _absent_in_p1(timetable, pupils[:1], teacher)
    _am_register(form, pupils[:1], teacher)
    alert = record_outcome(
        alert=TruancyAlert.objects.get(),
        outcome="found",
        note="in the library",
        actor=Actor.for_membership(officer),
    )
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "I"),
        actor=Actor.for_membership(officer),
        reason="Sent home ill",
    )
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_a_school_without_lesson_registers_pays_one_query_on_a_register_save(form, teacher):
    pupils = [PupilFactory(school=form.school, form=form) for _ in range(30)]
    with CaptureQueriesContext(connection) as saved:
        _am_register(form, pupils, teacher)
    lessons = [q["sql"] for q in saved.captured_queries if "lessons_" in q["sql"]]
    assert len(lessons) == 1, lessons


def test_the_lesson_register_raises_no_alert_for_a_pupil_who_arrived_after_it_ended(
    timetable, pupils, teacher, officer
):
    # Late at 09:55 (U, 70 minutes after 08:45): P1 (08:50–09:50) was over; 09:05 was not.
    record_mark(
        pupil=pupils[0],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[0].pk, "U", minutes_late=70),
        actor=Actor.for_membership(officer),
    )
    record_mark(
        pupil=pupils[1],
        day=MONDAY,
        session="AM",
        entry=Entry(pupils[1].pk, "L", minutes_late=20),
        actor=Actor.for_membership(officer),
    )
    save_lesson_register(
        lesson=timetable["P1"],
        day=MONDAY,
        entries=[LessonEntry(p.pk, "absent") for p in pupils[:2]],
        actor=Actor.for_membership(teacher),
        expected_version=0,
        now=at(10, 0),
    )
    assert list(TruancyAlert.objects.values_list("pupil", flat=True)) == [pupils[1].pk]
