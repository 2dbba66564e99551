"""Reminders of missing registers (issue 17): teachers by email a set number of minutes
after the session starts, once per register; officers an hourly summary; the beat task."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from registers.actors import Actor
from registers.models import RegisterReminder
from registers.services.marks import Entry, save_register
from registers.services.reminders import send_officer_summary, send_teacher_reminders
from registers.tasks import register_reminders_task

MONDAY = dt.date(2025, 9, 8)
LONDON = ZoneInfo("Europe/London")


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2025, 9, 8, hour, minute, tzinfo=LONDON)


@pytest.fixture
def emailed(teacher, officer):
    for member, address in ((teacher, "teacher@school.test"), (officer, "office@school.test")):
        member.user.email = address
        member.user.save()
    return teacher


def test_a_teacher_is_reminded_once_after_the_reminder_delay(emailed, form, pupils, time_machine):
    school = form.school  # AM starts 08:45, reminders 20 minutes after
    time_machine.move_to(at(9, 4), tick=False)
    assert send_teacher_reminders(school=school, now=at(9, 4)) == 0
    time_machine.move_to(at(9, 5), tick=False)
    assert send_teacher_reminders(school=school, now=at(9, 5)) == 1
    (message,) = mail.outbox
    assert message.to == ["teacher@school.test"]
    assert message.subject == "Register missing: 4A AM, 8 September"
    assert "5 pupils without a mark" in message.body
    assert reverse("registers:take", args=[school.urn, form.pk, MONDAY, "AM"]) in message.body
    # Never twice for the same register, however often the job runs.
    assert send_teacher_reminders(school=school, now=at(9, 30)) == 0
    assert send_teacher_reminders(school=school, now=at(11, 0)) == 0
    assert len(mail.outbox) == 1
    assert RegisterReminder.objects.filter(kind="teacher").count() == 1


def test_no_reminder_once_the_register_is_taken(emailed, form, pupils, time_machine):
    time_machine.move_to(at(9, 0), tick=False)
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "/") for p in pupils],
        actor=Actor.for_membership(emailed),
        expected_version=0,
    )
    time_machine.move_to(at(9, 30), tick=False)
    assert send_teacher_reminders(school=form.school, now=at(9, 30)) == 0
    assert mail.outbox == []


def test_the_reminder_delay_is_the_schools_setting(emailed, form, pupils, time_machine):
    form.school.reminder_minutes = 45
    form.school.save()
    time_machine.move_to(at(9, 20), tick=False)
    assert send_teacher_reminders(school=form.school, now=at(9, 20)) == 0
    time_machine.move_to(at(9, 30), tick=False)
    assert send_teacher_reminders(school=form.school, now=at(9, 30)) == 1


def test_the_officer_gets_one_summary_an_hour_while_registers_are_missing(
    emailed, form, pupils, time_machine
):
    school = form.school
    time_machine.move_to(at(8, 50), tick=False)
    assert send_officer_summary(school=school, now=at(8, 50)) == 0  # nothing missing yet
    time_machine.move_to(at(9, 5), tick=False)
    assert send_officer_summary(school=school, now=at(9, 5)) == 1
    assert send_officer_summary(school=school, now=at(9, 55)) == 0  # same hour
    time_machine.move_to(at(10, 0), tick=False)
    assert send_officer_summary(school=school, now=at(10, 0)) == 1
    assert [m.to for m in mail.outbox] == [["office@school.test"]] * 2
    assert "- 4A AM: 5 without a mark" in mail.outbox[0].body


def test_the_beat_task_is_scheduled_and_idempotent(emailed, form, pupils, time_machine):
    # A transactional test elsewhere in the run flushes django-celery-beat's tables, which
    # the data migration filled: run the migration's step again (it is idempotent), as
    # tests/escalation/conftest.py does for the nightly sweep.
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registers.migrations.0015_session_times_and_reminders")
    migration.schedule_reminders(apps, None)
    migration.schedule_reminders(apps, None)
    assert PeriodicTask.objects.filter(task="registers.register_reminders").count() == 1
    assert PeriodicTask.objects.get(task="registers.register_reminders").enabled
    time_machine.move_to(at(9, 10), tick=False)
    assert register_reminders_task() == {"teacher_reminders": 1, "officer_summaries": 1, "other": 0}
    assert register_reminders_task() == {"teacher_reminders": 0, "officer_summaries": 0, "other": 0}
    assert len(mail.outbox) == 2


def test_the_teacher_sees_a_banner_of_their_missing_registers(
    login, teacher, form, pupils, time_machine
):
    time_machine.move_to(at(9, 10), tick=False)
    page = login(teacher).get(reverse("registers:day", args=[form.school.urn])).content.decode()
    assert re.search(r"Missing register:</strong>\s*<a[^>]*>4A AM</a>", page)
    time_machine.move_to(at(8, 50), tick=False)
    page = login(teacher).get(reverse("registers:day", args=[form.school.urn])).content.decode()
    assert "Missing register" not in page
