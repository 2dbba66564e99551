"""The sweep through a real Celery worker on the local Redis (not eager): the task is
serialised to JSON, sent to the broker, run by a worker thread on its own database
connection, and its result read back from Redis."""

from __future__ import annotations

import os

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.db import connection

from attendance_portal.celery import app as project_app
from escalation import tasks
from escalation.models import Case, EscalationEvent, PupilFigure, SweepRun
from tests.escalation.conftest import LAST_DAY, LAST_NIGHTS

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")


@pytest.fixture
def worker(transactional_db):
    """The project's Celery configuration pointed at Redis, as the current app, with a
    worker thread consuming from it (the global app stays eager for other tests)."""
    _redis_or_skip()
    if connection.vendor != "postgresql":
        pytest.skip("the worker thread needs a database it can share: PostgreSQL")
    worker_app = Celery(project_app.main, set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    worker_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    worker_app.set_current()  # shared tasks (tasks.sweep_school_task) resolve to it
    try:
        with start_worker(worker_app, pool="solo", perform_ping_check=False):
            yield worker_app
    finally:
        project_app.set_current()
        worker_app.close()


def test_the_sweep_runs_in_a_real_worker_and_twice_changes_nothing(school, cast, sweep, worker):
    sweep(*LAST_NIGHTS[:2])  # two earlier nights, in this process
    result = tasks.sweep_school_task.delay(school.pk, LAST_DAY.isoformat())
    assert not isinstance(result, EagerResult)  # sent through Redis, run by the worker
    summary = result.get(timeout=60)
    assert summary["as_of"] == "2025-10-24" and summary["pupils"] == 5
    assert len(summary["letters_queued"]) == 4
    assert SweepRun.objects.get(school=school, as_of=LAST_DAY).status == "finished"
    assert PupilFigure.objects.filter(as_of=LAST_DAY).count() == 5

    counts = (Case.objects.count(), EscalationEvent.objects.count(), PupilFigure.objects.count())
    again = tasks.sweep_school_task.delay(school.pk, LAST_DAY.isoformat()).get(timeout=60)
    assert again == summary
    after = (Case.objects.count(), EscalationEvent.objects.count(), PupilFigure.objects.count())
    assert after == counts
