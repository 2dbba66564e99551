"""No page waits on the broker, and what was committed but never queued, or queued but
never finished, is sent again without a person (issue 22, escalation.services.recovery)."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from attendance_portal import broker
from attendance_portal.celery import app as project_app
from escalation import tasks
from escalation.models import Letter, LetterBatch, SweepRun
from escalation.services import letter_generation as generation
from escalation.services import letters as service
from escalation.services import recovery
from escalation.services.sweep import SweepBusy, run_sweep
from registers.actors import Actor
from registers.models import HalfTerm
from tests.escalation.conftest import LAST_DAY

URN = "123456"
LONDON = ZoneInfo("Europe/London")
# Under a second: the publish timeout (a quarter of a second) and the page itself, on a
# shared machine (each page is warmed up first; gunicorn's timeout was 30 s).
QUICK = 1.0


def blank_pdf(context=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class SilentBroker:
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.accepted: list[socket.socket] = []
        self.url = f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read or written

    def reached(self, wait: float = 5.0) -> bool:
        """Whether a client connected (the accepting thread may lag on a busy machine)."""
        deadline = time.monotonic() + wait
        while not self.accepted and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(self.accepted)

    def close(self):
        self.server.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def real_broker():
    """Point the project's app at a broker URL, not eager (the tests' default is eager);
    put it back afterwards. eager() turns eager mode back on mid-test."""
    saved = {key: project_app.conf[key] for key in ("task_always_eager", "broker_url")}

    def _use(url: str | None) -> None:
        if url is None:
            project_app.conf.update(task_always_eager=True)
        else:
            project_app.conf.update(task_always_eager=False, broker_url=url)

    yield _use
    project_app.conf.update(saved)


@pytest.fixture
def silent_broker(real_broker):
    hung = SilentBroker()
    real_broker(hung.url)
    yield hung
    hung.close()


@pytest.fixture
def refused_broker(real_broker):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    real_broker(f"redis://127.0.0.1:{port}/0")
    return real_broker


@pytest.fixture(autouse=True)
def _blank_letters(monkeypatch):
    monkeypatch.setattr(generation, "render_letter_pdf", blank_pdf)


def _timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def test_pages_that_queue_answer_at_once_when_the_broker_never_does(
    login, officer, teacher, school, form, pupils, silent_broker, django_capture_on_commit_callbacks
):
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    client = login(officer)
    client.get(reverse("escalation:letters", args=[URN]))  # warm: templates, URLs
    with django_capture_on_commit_callbacks(execute=True):
        started, took = _timed(
            lambda: client.post(
                reverse("escalation:letters_start", args=[URN]), {"half_term": term.pk}
            )
        )
    assert started.status_code == 302 and took < QUICK, took
    assert silent_broker.reached()  # it did try the broker, which never answered
    batch = LetterBatch.objects.get()
    page = client.get(started["Location"]).content.decode()
    assert batch.status == "queued" and "Queued, will start shortly" in page

    with django_capture_on_commit_callbacks(execute=True):
        queued, took = _timed(
            lambda: client.post(
                reverse("escalation:letters_queue", args=[URN]),
                {"pupil": pupils[0].pk, "kind": "first_concern"},
                follow=True,
            )
        )
    assert queued.status_code == 200 and took < QUICK, took
    assert "queued, will start shortly" in queued.content.decode()

    LetterBatch.objects.filter(pk=batch.pk).update(
        status="running", updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        resumed, took = _timed(
            lambda: client.post(
                reverse("escalation:letter_batch_resume", args=[URN, batch.pk]), follow=True
            )
        )
    assert resumed.status_code == 200 and took < QUICK, took
    assert "Resumed: queued, will start shortly" in resumed.content.decode()

    day = dt.date(2025, 10, 20)
    with time_machine.travel(dt.datetime(2025, 10, 20, 9, 0, tzinfo=LONDON), tick=False):
        register, took = _timed(
            lambda: login(teacher).get(reverse("registers:take", args=[URN, form.pk, day, "AM"]))
        )
    assert register.status_code == 200 and took < QUICK, took


def test_a_refused_broker_gives_no_500_and_the_batch_is_picked_up_later(
    login, officer, school, pupils, refused_broker, django_capture_on_commit_callbacks
):
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("escalation:letters_start", args=[URN]), {"half_term": term.pk}, follow=True
        )
    assert response.status_code == 200
    batch = LetterBatch.objects.get()
    assert batch.status == "queued" and batch.done == 0

    # Nothing is sent again before a minute has passed …
    assert recovery.requeue_stalled()["batches"] == 0
    # … then beat's job sends it, to a broker that is back (eager here: it runs at once).
    refused_broker(None)
    later = timezone.now() + dt.timedelta(minutes=2)
    assert recovery.requeue_stalled(now=later) == {"batches": 1, "letters": 0}
    batch.refresh_from_db()
    assert batch.status == "finished" and batch.done == len(pupils)
    assert Letter.objects.filter(batch=batch, status="generated").count() == len(pupils)


def test_a_single_letter_never_sent_is_sent_again_after_a_minute(
    school, pupil, officer, refused_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = service.queue_escalation_letter(
            pupil=pupil,
            kind=Letter.Kind.FIRST_CONCERN,
            period="2025-10-20",
            case=None,
            actor=Actor.for_membership(officer),
        )
    letter.refresh_from_db()
    assert letter.status == "pending"
    refused_broker(None)
    assert recovery.requeue_stalled(now=timezone.now() + dt.timedelta(minutes=2))["letters"] == 1
    letter.refresh_from_db()
    assert letter.status == "generated"


def test_a_stalled_running_batch_resumes_by_itself_without_duplicates(school, officer, pupils):
    term = HalfTerm.objects.get(school=school, name="Autumn 1")
    batch = service.start_termly_batch(
        school=school, period=term, actor=Actor.for_membership(officer)
    )  # inside the test's transaction: never sent, like a worker that died at once
    first = Letter.objects.filter(batch=batch).order_by("pk").first()
    generation.generate_letters(letter_ids=[first.pk])  # one letter done before the crash
    LetterBatch.objects.filter(pk=batch.pk).update(status="running")

    assert recovery.requeue_stalled(now=timezone.now() + dt.timedelta(seconds=90)) == {
        "batches": 0,
        "letters": 0,
    }  # running and quiet for less than two minutes: a busy worker, not a dead one
    assert recovery.requeue_stalled(now=timezone.now() + dt.timedelta(minutes=3))["batches"] == 1
    batch.refresh_from_db()
    assert batch.status == "finished" and batch.done == len(pupils)
    assert Letter.objects.filter(pupil__in=pupils).count() == len(pupils)


def test_the_merged_batch_is_written_to_a_file_not_returned_as_bytes(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    names = [default_storage.save(f"letters/t/{n}.pdf", ContentFile(blank_pdf())) for n in range(3)]
    target = tmp_path / "merged.pdf"
    with target.open("wb") as out:
        assert generation.merge(names, out) is None
    assert len(PdfReader(target).pages) == 3


def test_the_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies():
    for task in (
        tasks.sweep_school_task,
        tasks.generate_letter_task,
        tasks.run_letter_batch_task,
        tasks.generate_batch_chunk_task,
        tasks.queue_sweep_letters_task,
    ):
        assert task.acks_late and task.reject_on_worker_lost, task.name


def test_a_sweep_claim_whose_holder_stopped_heartbeating_expires(school, cast, settings):
    settings.SWEEP_HEARTBEAT_SECONDS = 20
    now = timezone.now()
    SweepRun.objects.create(
        school=school, as_of=LAST_DAY, started_at=now, heartbeat_at=now - dt.timedelta(seconds=30)
    )
    with pytest.raises(SweepBusy):  # 30 s of silence: still its holder's
        run_sweep(school=school, as_of=LAST_DAY)
    SweepRun.objects.update(heartbeat_at=now - dt.timedelta(seconds=61))
    summary = run_sweep(school=school, as_of=LAST_DAY)  # three heartbeats missed: expired
    run = SweepRun.objects.get()
    assert run.status == "finished" and run.attempts == 2 and summary.pupils == 5


def test_the_morning_check_requeues_every_school_not_swept_for_the_night(
    school, other_school, cast, settings
):
    settings.SWEEP_HEARTBEAT_SECONDS = 20
    morning = dt.datetime(2025, 10, 24, 5, 0, tzinfo=LONDON)
    # The other school's sweep died mid-way at 02:00 (its claim silent since).
    SweepRun.objects.create(
        school=other_school,
        as_of=LAST_DAY,
        started_at=morning - dt.timedelta(hours=3),
        heartbeat_at=morning - dt.timedelta(hours=3),
    )
    with time_machine.travel(morning, tick=False):
        assert recovery.unswept_schools(as_of=LAST_DAY) == [school.pk, other_school.pk]
        result = tasks.check_night_sweeps_task()
        assert result["resent"] == [school.pk, other_school.pk]
        assert set(SweepRun.objects.values_list("status", flat=True)) == {"finished"}
        assert recovery.unswept_schools(as_of=LAST_DAY) == []
        assert tasks.check_night_sweeps_task() == {
            "resent": [],
            "swept": [school.pk, other_school.pk],
        }


def test_a_busy_sweep_is_retried_once_the_claim_could_have_expired(school, cast, monkeypatch):
    now = timezone.now()
    SweepRun.objects.create(school=school, as_of=LAST_DAY, started_at=now, heartbeat_at=now)
    retried = {}

    def retry(**kwargs):
        retried.update(kwargs)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.sweep_school_task, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        tasks.sweep_school_task.run(school.pk, LAST_DAY.isoformat())
    assert retried["countdown"] == recovery.heartbeat_expiry().total_seconds()
    assert isinstance(retried["exc"], SweepBusy)


def test_beat_schedules_the_requeue_every_minute_and_the_morning_check(db):
    from django_celery_beat.models import PeriodicTask

    from tests.escalation.conftest import restore_nightly_schedule

    restore_nightly_schedule()
    requeue = PeriodicTask.objects.get(task="escalation.requeue_stalled")
    assert (requeue.interval.every, requeue.interval.period) == (1, "minutes")
    check = PeriodicTask.objects.get(task="escalation.check_night_sweeps")
    assert (check.crontab.hour, check.crontab.minute) == ("5", "0")


def test_send_reports_a_broker_that_never_answers_in_a_quarter_second(silent_broker):
    started = time.perf_counter()
    assert broker.send(tasks.nightly_sweep_task) is False
    assert time.perf_counter() - started < 0.6
    assert broker.check(project_app)  # readiness names the failure
