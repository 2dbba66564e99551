"""Celery entry points of the letters (imported by EscalationConfig.ready, because
autodiscovery only imports <app>.tasks). They take ids, call one service, and are safe to
run twice: every letter is claimed once (escalation.services.letter_generation)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from attendance_portal import broker
from escalation.services import letter_generation as generation
from escalation.services.letters import queue_sweep_letters
from registers.models import School

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
