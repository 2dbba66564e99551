"""A sweep whose worker is killed mid-way (kill -9 by PID) finishes without a person
(issue 22): a real `celery worker` process on the local Redis and the test's PostgreSQL
database, a sweep held mid-transaction by a table lock the test takes, then SIGKILL.

- Only the pool child dies (the out-of-memory case): the task, acknowledged late and
  rejected on worker loss, goes back to the queue; the claim of the dead child expires
  once its heartbeat stops, and the same worker finishes the night.
- The whole worker dies: nothing is redelivered for an hour (Redis's visibility
  timeout), so beat's morning check finds the school unswept and re-queues it; a new
  worker finishes the night.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import connection

from attendance_portal import broker as broker_module
from attendance_portal.celery import app as project_app
from escalation import tasks
from escalation.models import PupilFigure, SweepRun
from escalation.services import recovery
from tests.escalation.conftest import LAST_DAY

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT = 1  # seconds, in the worker: its claim expires after three silent ones


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    return client


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Worker:
    """`celery -A attendance_portal worker` in a process of its own."""

    def __init__(self, tmp_path: Path, pool: str):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "SWEEP_HEARTBEAT_SECONDS": str(HEARTBEAT),
            "DB_CONN_MAX_AGE": "0",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DEBUG": "true",
        }
        self.log = (tmp_path / f"worker-{pool}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "attendance_portal",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        children = self.children()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in children:  # none left running, whatever happened to their parent
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.log.close()


class TableLock:
    """Holds the sweep's figures table from another connection: a sweep that reaches it
    waits there, mid-transaction, with its claim taken and its heartbeat beating."""

    def __init__(self):
        self.conn = psycopg2.connect(_database_url())
        with self.conn.cursor() as cursor:
            cursor.execute("LOCK TABLE escalation_pupilfigure IN EXCLUSIVE MODE")

    def waiters(self) -> int:
        with psycopg2.connect(_database_url()) as other, other.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def broker(transactional_db):
    """The project's app sends to Redis (not eager) for this test; the queue starts empty."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share: PostgreSQL")
    client = _redis_or_skip()
    client.flushdb()
    saved = {key: project_app.conf[key] for key in ("task_always_eager", "broker_url")}
    project_app.conf.update(task_always_eager=False, broker_url=REDIS_URL)
    yield client
    project_app.conf.update(saved)
    client.flushdb()


def _start_and_hold(school, worker: Worker, lock: TableLock) -> SweepRun:
    # As production sends it (attendance_portal.broker: a connection of its own, so no
    # pool another test left pointing at another broker).
    broker_module.send(tasks.sweep_school_task, school.pk, LAST_DAY.isoformat())
    _wait(lambda: SweepRun.objects.filter(school=school).exists(), 60, "the sweep's claim")
    _wait(lock.waiters, 30, "the sweep to reach the locked table")
    run = SweepRun.objects.get(school=school)
    first = run.heartbeat_at
    _wait(
        lambda: SweepRun.objects.get(pk=run.pk).heartbeat_at > first, 15, "a heartbeat"
    )  # the holder is alive and says so
    return run


def test_a_pool_child_killed_mid_sweep_is_replaced_and_the_night_finished(
    school, cast, broker, tmp_path
):
    worker = Worker(tmp_path, pool="prefork")
    lock = TableLock()
    try:
        run = _start_and_hold(school, worker, lock)
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)
        lock.release()
        finished = _wait(
            lambda: SweepRun.objects.filter(pk=run.pk, status="finished").first(),
            90,
            "the redelivered sweep to finish",
        )
    finally:
        lock.release()
        worker.stop()
    assert worker.process.returncode is not None
    assert finished.attempts == 2  # the killed attempt, then the one that took over
    assert PupilFigure.objects.filter(as_of=LAST_DAY).count() == 5  # once each


def test_a_worker_killed_mid_sweep_is_found_by_the_morning_check(
    school, cast, broker, tmp_path, settings
):
    worker = Worker(tmp_path, pool="solo")
    lock = TableLock()
    try:
        run = _start_and_hold(school, worker, lock)
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait(10)
        lock.release()
    finally:
        lock.release()
        worker.stop()
    assert SweepRun.objects.get(pk=run.pk).status == "running"  # nobody will finish it

    settings.SWEEP_HEARTBEAT_SECONDS = HEARTBEAT
    _wait(
        lambda: recovery.unswept_schools(as_of=LAST_DAY) == [school.pk],
        30,
        "the dead holder's claim to expire",
    )
    assert recovery.check_night_sweeps(as_of=LAST_DAY)["resent"] == [school.pk]
    again = Worker(tmp_path, pool="solo")
    try:
        finished = _wait(
            lambda: SweepRun.objects.filter(pk=run.pk, status="finished").first(),
            90,
            "the re-queued sweep to finish",
        )
    finally:
        again.stop()
    assert finished.attempts == 2
    assert PupilFigure.objects.filter(as_of=LAST_DAY).count() == 5
