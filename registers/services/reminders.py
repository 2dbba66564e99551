"""Reminders of missing registers (issue 17): an email to each teacher of a form whose
register is still missing a set number of minutes after its session started (the school's
`reminder_minutes`), and an hourly summary to the attendance officers.

Idempotent: each email is recorded (RegisterReminder) in the same transaction as it is
sent, under a unique constraint, so a teacher is never reminded twice of one register and
an officer gets at most one summary an hour, however often (or concurrently) it runs. A
mail that fails rolls its row back, and the next run tries again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from registers.models import Form, Membership, RegisterReminder, School
from registers.selectors.day import RegisterState, day_overview

Role = Membership.Role

# Reminders that other modules add to the job (lesson registers: registers.lessons), each
# called as step(school=, now=) and returning the emails it sent. registers' core does not
# import them: they register themselves when their app loads.
ReminderStep = Callable[..., int]
_reminder_steps: list[ReminderStep] = []


def register_reminder_step(step: ReminderStep) -> None:
    """Add a reminder the job runs for every school (idempotent by identity)."""
    if step not in _reminder_steps:
        _reminder_steps.append(step)


def send_other_reminders(*, school: School, now: dt.datetime) -> int:
    """Run the reminders other modules registered; the emails they sent."""
    return sum(step(school=school, now=now) for step in _reminder_steps)


@dataclass(frozen=True)
class MissingRegister:
    form: Form
    session: str
    unmarked: int

    @property
    def label(self) -> str:
        return f"{self.form.name} {self.session}"


def missing_registers(*, school: School, now: dt.datetime, forms=None) -> list[MissingRegister]:
    """Today's registers that are missing now (session begun plus the grace period, not
    taken, pupils without a mark), of `forms` (default: every form of the school)."""
    today = timezone.localdate(now)
    forms = Form.objects.for_school(school) if forms is None else forms
    overview = day_overview(school=school, forms=forms, day=today, today=today, now=now)
    return [
        MissingRegister(row.form, status.session, status.unmarked)
        for row in overview.rows
        for status in row.sessions
        if status.state is RegisterState.MISSING
    ]


def _register_link(school: School, missing: MissingRegister, day: dt.date) -> str:
    path = reverse("registers:take", args=[school.urn, missing.form.pk, day, missing.session])
    return settings.PORTAL_BASE_URL.rstrip("/") + path if settings.PORTAL_BASE_URL else path


def record_and_send(reminder: models.Model, subject: str, body: str, to: str) -> bool:
    """Record the reminder and send it, both or neither; False if it was already sent."""
    try:
        with transaction.atomic():
            reminder.save()
            send_mail(subject, body, None, [to])
    except IntegrityError:
        return False
    return True


def send_teacher_reminders(*, school: School, now: dt.datetime) -> int:
    """Email each teacher of a form whose register is missing `reminder_minutes` after its
    session started; each teacher once per register. Returns the emails sent."""
    today = timezone.localdate(now)
    sent = 0
    for missing in missing_registers(school=school, now=now):
        due = school.session_starts(today, missing.session) + dt.timedelta(
            minutes=school.reminder_minutes
        )
        if now < due:
            continue
        teachers = (
            Membership.objects.filter(school=school, role=Role.TEACHER, forms=missing.form)
            .exclude(user__email="")
            .select_related("user")
        )
        for teacher in teachers:
            reminder = RegisterReminder(
                school=school,
                recipient=teacher.user,
                kind=RegisterReminder.Kind.TEACHER,
                date=today,
                form=missing.form,
                session=missing.session,
            )
            session = "morning" if missing.session == "AM" else "afternoon"
            body = (
                f"The {session} register of {missing.form.name} ({school.name}) has not been "
                f"taken: {missing.unmarked} pupil{'s' if missing.unmarked != 1 else ''} "
                f"without a mark.\n\nTake it here: {_register_link(school, missing, today)}\n"
            )
            subject = f"Register missing: {missing.label}, {today:%-d %B}"
            sent += record_and_send(reminder, subject, body, teacher.user.email)
    return sent


def send_officer_summary(*, school: School, now: dt.datetime) -> int:
    """Once an hour, while registers are missing: the list to each attendance officer."""
    today = timezone.localdate(now)
    missing = missing_registers(school=school, now=now)
    if not missing:
        return 0
    officers = (
        Membership.objects.filter(school=school, role=Role.OFFICER)
        .exclude(user__email="")
        .select_related("user")
    )
    lines = "\n".join(
        f"- {m.label}: {m.unmarked} without a mark ({_register_link(school, m, today)})"
        for m in missing
    )
    subject = f"{len(missing)} register{'s' if len(missing) != 1 else ''} missing at {school.name}"
    body = f"Registers still missing at {timezone.localtime(now):%H:%M}:\n\n{lines}\n"
    sent = 0
    for officer in officers:
        reminder = RegisterReminder(
            school=school,
            recipient=officer.user,
            kind=RegisterReminder.Kind.SUMMARY,
            date=today,
            hour=timezone.localtime(now).hour,
            registers=len(missing),
        )
        sent += record_and_send(reminder, subject, body, officer.user.email)
    return sent
