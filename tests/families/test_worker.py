"""The first-day job through a real Celery worker on Redis, two runs at the same time:
each message is queued once and sent once (docs/style.md rule 17; issue 16's test)."""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from attendance_portal.celery import app as project_app
from registers.actors import Actor
from registers.families import tasks
from registers.families.models import Message
from registers.services.marks import Entry, save_register
from tests.registers.factories import ContactFactory

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
MONDAY = dt.date(2025, 9, 15)


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")


@pytest.fixture
def workers(transactional_db):
    """A worker with two threads, so the two runs really overlap, each thread on its own
    database connection (the global app stays eager for other tests)."""
    _redis_or_skip()
    if connection.vendor != "postgresql":
        pytest.skip("the worker threads need a database they can share: PostgreSQL")
    redis.Redis.from_url(REDIS_URL).flushdb()
    worker_app = Celery(project_app.main, set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    worker_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    worker_app.set_current()
    try:
        with start_worker(worker_app, pool="threads", concurrency=2, perform_ping_check=False):
            yield worker_app
    finally:
        project_app.set_current()
        worker_app.close()


def test_two_runs_at_once_send_each_message_once(
    school, form, pupils, teacher, settings, tmp_path, time_machine, workers
):
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms")
    # 09:50 on a Monday, after the register closed (08:45 + 30) and the 30 minutes; the
    # clock runs on from there, so the broker's timeouts still pass.
    time_machine.move_to(dt.datetime(2025, 9, 15, 9, 50, tzinfo=ZoneInfo("Europe/London")))
    for n, pupil in enumerate(pupils):
        ContactFactory(pupil=pupil, name=f"Parent {n}", phone=f"+44770090010{n}")
    absent = pupils[:3]
    save_register(
        form=form,
        day=MONDAY,
        session="AM",
        entries=[Entry(p.pk, "N" if p in absent else "/") for p in pupils],
        actor=Actor.for_membership(teacher),
        expected_version=0,
    )

    runs = [
        tasks.first_day_messages_task.delay(school.pk, MONDAY.isoformat(), "AM") for _ in range(2)
    ]
    results = [r.get(timeout=60) for r in runs]

    assert sorted(r["queued"] for r in results) == [0, 6]  # one run queued, the other found them
    deadline = time.monotonic() + 60
    while Message.objects.filter(status__in=Message.PENDING).exists():
        assert time.monotonic() < deadline, "the messages were not sent within a minute"
        time.sleep(0.2)
    assert Message.objects.count() == 6
    assert set(Message.objects.values_list("status", flat=True)) <= {"sent", "delivered"}
    texts = sorted(p.read_text() for p in (tmp_path / "sms").iterdir())
    assert len(texts) == 3
    assert {t.splitlines()[0] for t in texts} == {f"To: +44770090010{n}" for n in range(3)}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.contacts.get().email for p in absent)

    # A third run later (beat again, or a retry) sends nothing more.
    again = tasks.first_day_messages_task.delay(school.pk, MONDAY.isoformat(), "AM").get(timeout=60)
    assert again["queued"] == 0 and len(list((tmp_path / "sms").iterdir())) == 3
