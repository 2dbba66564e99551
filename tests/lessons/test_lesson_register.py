from __future__ import annotations

import pytest

from registers.actors import Actor
from registers.lessons.models import AlertEvent, LessonMark, TruancyAlert
from registers.lessons.services.alerts import AlertError, correct_statutory_mark, record_outcome
from registers.lessons.services.registers import (
    LessonEntry,
    LessonError,
    StaleLessonRegister,
    save_lesson_register,
)
from registers.models import Mark, MarkAmendment
from tests.registers.factories import MarkFactory

from .builders import MONDAY
from .conftest import at


def _save(lesson, teacher, kinds, version=0, now=None, **late):
    entries = [
        LessonEntry(
            p.pk,
            kind,
            late.get("minutes") if kind == "late" else None,
            "nurse" if kind == "out" else "",
        )
        for p, kind in kinds
    ]
    return save_lesson_register(
        lesson=lesson,
        day=MONDAY,
        entries=entries,
        actor=Actor.for_membership(teacher),
        expected_version=version,
        now=now or at(9, 5),
    )


def test_a_pupil_present_at_registration_and_absent_from_a_lesson_raises_an_alert(
    timetable, pupils, teacher
):
    for p in pupils:
        MarkFactory(pupil=p, date=MONDAY, session="AM", code_id="/")
    lesson = timetable["P1"]
    result = _save(
        lesson, teacher, [(pupils[0], "absent"), (pupils[1], "present"), (pupils[2], "out")]
    )
    alert = TruancyAlert.objects.get()
    assert result.alerts_raised == [alert.pk]
    assert (alert.pupil, alert.statutory_code, alert.status) == (pupils[0], "/", "open")
    assert AlertEvent.objects.get(alert=alert).action == "raised"


def test_no_alert_when_absent_at_registration_too_and_a_corrected_mark_withdraws_it(
    timetable, pupils, teacher
):
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="N")
    MarkFactory(pupil=pupils[1], date=MONDAY, session="AM", code_id="L", minutes_late=5)
    lesson = timetable["P1"]
    _save(lesson, teacher, [(pupils[0], "absent"), (pupils[1], "absent")])
    alert = TruancyAlert.objects.get()
    assert alert.pupil == pupils[1]  # late at the office counts as in school
    result = _save(lesson, teacher, [(pupils[1], "present")], version=1)
    alert.refresh_from_db()
    assert result.alerts_withdrawn == [alert.pk] and alert.status == "withdrawn"


def test_the_last_seen_lesson_is_the_latest_earlier_lesson_the_pupil_was_in(
    timetable, pupils, teacher, other_teacher
):
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="/")
    _save(timetable["P1"], teacher, [(pupils[0], "present")])
    _save(timetable["P2"], other_teacher, [(pupils[0], "absent")], now=at(9, 55))
    alert = TruancyAlert.objects.get()
    assert alert.last_seen.register.lesson == timetable["P1"]


def test_a_stale_save_writes_nothing(timetable, pupils, teacher, officer):
    lesson = timetable["P1"]
    _save(lesson, teacher, [(pupils[0], "present")])
    with pytest.raises(StaleLessonRegister):
        _save(lesson, officer, [(pupils[0], "absent"), (pupils[1], "absent")], version=0)
    assert list(LessonMark.objects.values_list("kind", flat=True)) == ["present"]


def test_the_register_opens_when_the_lesson_starts_and_does_not_ask_a_statutory_absence(
    timetable, pupils, teacher
):
    with pytest.raises(LessonError, match="opens when the lesson starts, at 08:50"):
        _save(timetable["P1"], teacher, [(pupils[0], "present")], now=at(8, 49))
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="I")
    with pytest.raises(LessonError, match="has I for the session on the statutory register"):
        _save(timetable["P1"], teacher, [(pupils[0], "present")])
    with pytest.raises(LessonError, match="give the minutes late"):
        _save(timetable["P1"], teacher, [(pupils[1], "late")])


def test_the_officer_records_an_outcome_once_with_who_and_when(timetable, pupils, teacher, officer):
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="/")
    _save(timetable["P1"], teacher, [(pupils[0], "absent")])
    alert = TruancyAlert.objects.get()
    record_outcome(
        alert=alert, outcome="found", note="in the library", actor=Actor.for_membership(officer)
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("resolved", "found")
    event = alert.events.last()
    assert (event.action, event.outcome, event.actor_name) == (
        "outcome",
        "found",
        officer.user.get_full_name(),
    )
    with pytest.raises(AlertError, match="already outcome recorded"):
        record_outcome(
            alert=alert, outcome="left_site", note="", actor=Actor.for_membership(officer)
        )


@pytest.mark.parametrize(
    ("minutes", "code", "expected"),
    [(0, "present", ("L", 5)), (20, "late", ("L", 25)), (30, "late", ("U", 35))],
)
def test_absent_at_registration_and_seen_in_a_lesson_is_corrected_through_an_amendment(
    timetable, pupils, teacher, officer, minutes, code, expected
):
    # AM starts 08:45 and the register closes 30 minutes later, at 09:15; P1 starts 08:50.
    MarkFactory(pupil=pupils[0], date=MONDAY, session="AM", code_id="N")
    _save(timetable["P1"], teacher, [(pupils[0], code)], minutes=minutes)
    mark = LessonMark.objects.get()
    amended = correct_statutory_mark(mark=mark, actor=Actor.for_membership(officer))
    assert (amended.code_id, amended.minutes_late) == expected
    history = MarkAmendment.objects.get()
    assert (history.old_code, history.new_code) == ("N", expected[0])
    assert "Seen in P1 Maths" in history.reason
    with pytest.raises(AlertError):
        correct_statutory_mark(mark=mark, actor=Actor.for_membership(officer))
    assert Mark.objects.get(pupil=pupils[0]).code_id == expected[0]
