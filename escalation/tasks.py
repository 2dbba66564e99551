"""Celery entry points of the sweep: they take ids and ISO dates, call one service.

Every task here is idempotent, so each is acknowledged late and rejected (sent back to
the queue) if its worker process dies mid-task: a pool child killed for memory no longer
takes its message with it.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from attendance_portal import broker
from escalation.services import recovery
from escalation.services.sweep import SweepBusy, run_sweep
from escalation.tasks_letters import queue_sweep_letters_task
from registers.models import School


@shared_task(
    bind=True,
    name="escalation.sweep_school",
    acks_late=True,  # the sweep is idempotent: a redelivered task just re-runs it
    reject_on_worker_lost=True,  # a dead pool child re-queues its message
    autoretry_for=(OperationalError,),  # a dropped connection or a deadlock: transient
    max_retries=3,
    retry_backoff=60,
)
def sweep_school_task(self, school_id: int, as_of_iso: str) -> dict:
    school = School.objects.get(pk=school_id)
    try:
        summary = run_sweep(school=school, as_of=dt.date.fromisoformat(as_of_iso)).as_dict()
    except SweepBusy as exc:
        # Another holder has the night's claim: it finishes, or stops heartbeating and its
        # claim expires. Either way, try again once the claim could have expired.
        raise self.retry(
            exc=exc, countdown=recovery.heartbeat_expiry().total_seconds(), max_retries=10
        ) from exc
    # The sweep records which letters its policy asks for; rendering them is separate,
    # slower work on the letters queue. Queueing is idempotent, so a re-run sends none twice.
    broker.send_on_commit(queue_sweep_letters_task, school_id, as_of_iso)
    return summary


@shared_task(name="escalation.nightly_sweep")
def nightly_sweep_task() -> int:
    """Celery beat, 02:00: fan out one sweep per school for tonight's date."""
    as_of = timezone.localdate().isoformat()
    school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    for school_id in school_ids:
        broker.send_on_commit(sweep_school_task, school_id, as_of)
    return len(school_ids)


@shared_task(name="escalation.check_night_sweeps")
def check_night_sweeps_task() -> dict:
    """Celery beat, 05:00: re-queue the sweep of every school not swept for the night."""
    return recovery.check_night_sweeps()


@shared_task(name="escalation.requeue_stalled")
def requeue_stalled_task() -> dict:
    """Celery beat, every minute: send again what was committed but never queued, and
    resume letter batches whose worker died."""
    return recovery.requeue_stalled()
