"""Celery entry points of escalation: the nightly sweep, its recovery, and the letters.

Each task takes ids and ISO dates, calls one service and returns a small JSON-safe value.
Every task here is idempotent (every letter is claimed once, see
escalation.services.letter_generation; the sweep is one claim per school and night), so
each is acknowledged late and rejected (sent back to the queue) if its worker process dies
mid-task: a pool child killed for memory no longer takes its message with it.

The task names are a contract: beat schedules (migration 0003) and queued messages refer
to them. Services never import this module: they start work through
escalation.services.jobs, for which the bottom of this module installs the tasks.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from attendance_portal import broker
from escalation.services import jobs, recovery
from escalation.services import letter_generation as generation
from escalation.services.letters import queue_sweep_letters
from escalation.services.sweep import SweepBusy, run_sweep
from registers.models import School

# -- the sweep -------------------------------------------------------------------------------------


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


# -- letters ---------------------------------------------------------------------------------------

RETRY = {
    "acks_late": True,  # idempotent: a redelivered task finds its letters done and skips them
    "reject_on_worker_lost": True,  # a pool child killed mid-letter re-queues its message
    "autoretry_for": (OperationalError,),  # a dropped connection or a deadlock: transient
    "max_retries": 3,
    "retry_backoff": 30,
}


@shared_task(name="escalation.generate_letter", **RETRY)
def generate_letter_task(letter_id: int) -> str:
    return generation.generate_letter(letter_id=letter_id)


@shared_task(name="escalation.run_letter_batch", **RETRY)
def run_letter_batch_task(batch_id: int) -> int:
    """Fan the batch's pending letters out in chunks; finish at once if there are none."""
    chunks = generation.claim_batch(batch_id=batch_id)
    for chunk in chunks:
        broker.send(generate_batch_chunk_task, batch_id, chunk)
    if not chunks:
        generation.finish_batch(batch_id=batch_id)
    return len(chunks)


@shared_task(name="escalation.generate_letter_chunk", **RETRY)
def generate_batch_chunk_task(batch_id: int, letter_ids: list[int]) -> int:
    """One chunk of a batch; whichever chunk ends last merges the batch."""
    results = generation.generate_batch_chunk(batch_id=batch_id, letter_ids=letter_ids)
    generation.finish_batch(batch_id=batch_id)
    return sum(1 for r in results.values() if r == "generated")


@shared_task(name="escalation.queue_sweep_letters", **RETRY)
def queue_sweep_letters_task(school_id: int, as_of_iso: str) -> int:
    school = School.objects.get(pk=school_id)
    return len(queue_sweep_letters(school=school, as_of=dt.date.fromisoformat(as_of_iso)))


# The jobs the services start (escalation.services.jobs) run as these tasks.
jobs.install(jobs.GENERATE_LETTER, generate_letter_task)
jobs.install(jobs.RUN_LETTER_BATCH, run_letter_batch_task)
jobs.install(jobs.SWEEP_SCHOOL, sweep_school_task)
jobs.install(jobs.QUEUE_SWEEP_LETTERS, queue_sweep_letters_task)
