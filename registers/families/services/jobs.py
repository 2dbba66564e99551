"""How families' services start background work without importing the tasks (the same
hook as escalation/services/jobs.py: registers/families/tasks.py installs its tasks)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from attendance_portal import broker

SEND_MESSAGES = "send_messages"
JOBS = (SEND_MESSAGES,)

_tasks: dict[str, Any] = {}


def install(job: str, task: Any) -> None:
    if job not in JOBS:
        raise ValueError(f"no such job: {job!r}")
    _tasks[job] = task


def send_on_commit(job: str, *args: object) -> None:
    """Send the job once the current transaction commits (attendance_portal.broker)."""
    try:
        task = _tasks[job]
    except KeyError:
        raise ImproperlyConfigured(
            f"no task installed for the job {job!r}: is registers.families installed?"
        ) from None
    broker.send_on_commit(task, *args)
