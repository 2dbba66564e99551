"""Families' Celery tasks (docs/style.md rules 16-18): the first-day job and sending.

Beat runs `families.first_day_due` every five minutes; it fans out one
`families.first_day_messages` per school and session whose time has come, which queues the
messages and sends one `families.send_messages` per batch of them after commit. Every task is safe
to run twice (services/messages.py: a unique key per message, a claimed send).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from registers.families.services import jobs
from registers.families.services.first_day import queue_first_day_messages, schools_due
from registers.families.services.messages import (
    SEND_BATCH,
    due_messages,
    poll_deliveries,
    send_messages,
)
from registers.models import School


@shared_task(name="families.first_day_due")
def first_day_due_task() -> dict:
    pairs = schools_due(now=timezone.now())
    today = timezone.localdate().isoformat()
    for school_id, session in pairs:
        first_day_messages_task.delay(school_id, today, session)
    due = due_messages(now=timezone.now())
    for start in range(0, len(due), SEND_BATCH):
        send_messages_task.delay(due[start : start + SEND_BATCH])
    return {"schools": len(pairs), "due": len(due)}


@shared_task(name="families.first_day_messages", acks_late=True)
def first_day_messages_task(school_id: int, day: str, session: str) -> dict:
    school = School.objects.get(pk=school_id)
    return queue_first_day_messages(
        school=school, day=dt.date.fromisoformat(day), session=session
    ).as_dict()


@shared_task(name="families.send_messages", acks_late=True)
def send_messages_task(message_ids: list[int]) -> dict:
    outcomes = send_messages(message_ids=message_ids)
    for message_id, outcome in outcomes.items():
        if outcome.retry_in is not None:
            # Back in the queue with a later not_before (the backoff); this retry, or beat's
            # due_messages should it be lost, sends it when that time comes. A retry that
            # comes early finds the row not yet due and does nothing.
            send_messages_task.apply_async(([message_id],), countdown=outcome.retry_in)
    return {"sent": sum(o.status in ("sent", "delivered") for o in outcomes.values())}


@shared_task(name="families.poll_delivery")
def poll_delivery_task() -> int:
    return poll_deliveries(now=timezone.now())


jobs.install(jobs.SEND_MESSAGES, send_messages_task)
