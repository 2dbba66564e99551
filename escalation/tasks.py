"""Celery entry points of the sweep: they take ids and ISO dates, call one service."""

from __future__ import annotations

import datetime as dt
from functools import partial

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from escalation.services.sweep import run_sweep
from escalation.tasks_letters import queue_sweep_letters_task
from registers.models import School


@shared_task(
    name="escalation.sweep_school",
    acks_late=True,  # the sweep is idempotent: a redelivered task just re-runs it
    autoretry_for=(OperationalError,),  # a dropped connection or a deadlock: transient
    max_retries=3,
    retry_backoff=60,
)
def sweep_school_task(school_id: int, as_of_iso: str) -> dict:
    school = School.objects.get(pk=school_id)
    summary = run_sweep(school=school, as_of=dt.date.fromisoformat(as_of_iso)).as_dict()
    # The sweep records which letters its policy asks for; rendering them is separate,
    # slower work on the letters queue. Queueing is idempotent, so a re-run sends none twice.
    transaction.on_commit(partial(queue_sweep_letters_task.delay, school_id, as_of_iso))
    return summary


@shared_task(name="escalation.nightly_sweep")
def nightly_sweep_task() -> int:
    """Celery beat, 02:00: fan out one sweep per school for tonight's date."""
    as_of = timezone.localdate().isoformat()
    school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    for school_id in school_ids:
        transaction.on_commit(partial(sweep_school_task.delay, school_id, as_of))
    return len(school_ids)
