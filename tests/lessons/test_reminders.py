from __future__ import annotations

import time_machine
from django.core import mail

from registers.tasks import register_reminders_task

from .conftest import at


def test_the_register_reminder_job_reminds_the_teacher_of_a_missing_lesson_register_once(
    school, timetable, teacher
):
    teacher.user.email = "maths@example.org"
    teacher.user.save(update_fields=["email"])
    # reminder_minutes is 20: P1 began at 08:50.
    with time_machine.travel(at(9, 9), tick=False):
        assert register_reminders_task()["other"] == 0
    with time_machine.travel(at(9, 10), tick=False):
        assert register_reminders_task()["other"] == 1
        assert register_reminders_task()["other"] == 0
    lesson_mail = [m for m in mail.outbox if "Lesson register missing" in m.subject]
    assert len(lesson_mail) == 1 and lesson_mail[0].to == ["maths@example.org"]
    assert "4A/Ma" in lesson_mail[0].subject
