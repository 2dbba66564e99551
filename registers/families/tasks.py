"""Families' Celery tasks (docs/style.md rules 16-18): the first-day job and sending.

Beat runs `families.first_day_due` every five minutes; it fans out one
`families.first_day_messages` per school and session whose time has come, which queues the
messages and sends one `families.send_message` per message after commit. Every task is safe
to run twice (services/messages.py: a unique key per message, a claimed send).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from registers.families.services import jobs
from registers.families.services.first_day import queue_first_day_messages, schools_due
from registers.families.services.messages import due_messages, poll_deliveries, send_message
from registers.models import School


@shared_task(name="families.first_day_due")
def first_day_due_task() -> dict:
    pairs = schools_due(now=timezone.now())
    today = timezone.localdate().isoformat()
    for school_id, session in pairs:
        first_day_messages_task.delay(school_id, today, session)
    for message_id in due_messages(now=timezone.now()):
        send_message_task.delay(message_id)
    return {"schools": len(pairs)}


@shared_task(name="families.first_day_messages", acks_late=True)
def first_day_messages_task(school_id: int, day: str, session: str) -> dict:
    school = School.objects.get(pk=school_id)
    return queue_first_day_messages(
        school=school, day=dt.date.fromisoformat(day), session=session
    ).as_dict()


@shared_task(name="families.send_message", acks_late=True)
def send_message_task(message_id: int) -> str:
    outcome = send_message(message_id=message_id)
    if outcome.retry_in is not None:
        # The row is back in the queue with a later not_before (the backoff); this retry,
        # or beat's due_messages should it be lost, sends it when that time comes. A retry
        # that comes early finds the row not yet due and does nothing.
        send_message_task.apply_async((message_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="families.poll_delivery")
def poll_delivery_task() -> int:
    return poll_deliveries(now=timezone.now())


jobs.install(jobs.SEND_MESSAGE, send_message_task)
