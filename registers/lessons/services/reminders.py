"""Reminders of missing lesson registers, sent by the AM/PM registers' reminder job
(registers.register_reminders, which runs this through registers.services.reminders'
hook): an email to the teacher of each lesson whose register is still not taken the
school's `reminder_minutes` after its period started. Each teacher once per lesson and day,
however often the job runs (LessonReminder's unique constraint)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from registers.lessons.models import LessonReminder
from registers.lessons.selectors.missing import missing_lessons
from registers.models import School
from registers.services.reminders import record_and_send


def send_lesson_reminders(*, school: School, now: dt.datetime) -> int:
    today = timezone.localdate(now)
    sent = 0
    for missing in missing_lessons(school=school, now=now, after_minutes=school.reminder_minutes):
        lesson = missing.lesson
        user = lesson.teacher.user
        if not user.email:
            continue
        path = reverse("lessons:take", args=[school.urn, lesson.pk, today])
        link = settings.PORTAL_BASE_URL.rstrip("/") + path if settings.PORTAL_BASE_URL else path
        period = lesson.period
        subject = (
            f"Lesson register missing: {lesson.teaching_class.code} {period.name}, {today:%-d %B}"
        )
        body = (
            f"The register of {lesson.teaching_class.code} ({lesson.teaching_class.subject}) "
            f"in {period.name}, which started at {period.start_time:%H:%M}, has not been taken "
            f"({school.name}).\n\nTake it here: {link}\n"
        )
        reminder = LessonReminder(school=school, recipient=user, lesson=lesson, date=today)
        sent += record_and_send(reminder, subject, body, user.email)
    return sent
