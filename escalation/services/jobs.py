"""How the escalation services start background work without importing the tasks.

A task is a thin entry point over one service, so escalation/tasks.py imports the services;
a service that must start background work (a letter batch, a letter, a night's sweep)
therefore cannot import the task without an import cycle. It names the job here instead,
and escalation/tasks.py installs its Celery task for each job when it is imported
(EscalationConfig.ready() imports it in every process; Celery's autodiscovery in a worker).
Sending goes through attendance_portal.broker, so no page waits on the broker.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from attendance_portal import broker

GENERATE_LETTER = "generate_letter"
RUN_LETTER_BATCH = "run_letter_batch"
SWEEP_SCHOOL = "sweep_school"
QUEUE_SWEEP_LETTERS = "queue_sweep_letters"
JOBS = (GENERATE_LETTER, RUN_LETTER_BATCH, SWEEP_SCHOOL, QUEUE_SWEEP_LETTERS)

_tasks: dict[str, Any] = {}


def install(job: str, task: Any) -> None:
    """Run `job` with `task` (a Celery task) from now on."""
    if job not in JOBS:
        raise ValueError(f"no such job: {job!r}")
    _tasks[job] = task


def task_for(job: str) -> Any:
    try:
        return _tasks[job]
    except KeyError:
        raise ImproperlyConfigured(
            f"no task installed for the job {job!r}: is escalation in INSTALLED_APPS?"
        ) from None


def send(job: str, *args: object) -> bool:
    """Send the job now (attendance_portal.broker.send); False when the broker did not take
    it in time (the periodic re-queue sends it again)."""
    return broker.send(task_for(job), *args)


def send_on_commit(job: str, *args: object) -> None:
    """Send the job once the current transaction commits."""
    broker.send_on_commit(task_for(job), *args)
