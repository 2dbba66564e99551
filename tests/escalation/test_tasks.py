"""The sweep's Celery tasks (eager), the beat schedule and the run_sweep command."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from escalation import tasks
from escalation.models import Letter, SweepRun
from tests.escalation.conftest import LAST_DAY, LAST_NIGHTS, restore_nightly_schedule


def test_sweep_school_task_runs_the_sweep_and_returns_its_summary(school, cast):
    result = tasks.sweep_school_task.delay(school.pk, LAST_DAY.isoformat()).get()
    assert result["as_of"] == "2025-10-24" and result["pupils"] == 5
    assert SweepRun.objects.get(school=school).status == "finished"


def test_the_sweep_task_queues_the_letters_its_policy_asked_for_once(
    school, cast, sweep, monkeypatch, django_capture_on_commit_callbacks
):
    from escalation.models import EscalationEvent
    from escalation.services import letter_generation
    from tests.portal.world import blank_pdf

    monkeypatch.setattr(letter_generation, "render_letter_pdf", lambda context: blank_pdf())
    sweep(*LAST_NIGHTS[:-1])
    for _ in range(2):  # a redelivered task must not send a second letter
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep_school_task.delay(school.pk, LAST_DAY.isoformat()).get()
    asked = EscalationEvent.objects.filter(
        action=EscalationEvent.Action.LETTER_QUEUED, occurred_on=LAST_DAY
    )
    assert asked.exists()
    assert Letter.objects.count() == asked.count()
    assert all(letter.is_generated for letter in Letter.objects.all())


def test_sweep_school_task_retries_only_operational_errors():
    assert tasks.sweep_school_task.autoretry_for == (OperationalError,)
    assert tasks.sweep_school_task.max_retries == 3
    assert tasks.sweep_school_task.acks_late


def test_nightly_task_sends_one_sweep_per_school_after_commit(
    school, other_school, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel("2025-10-24 02:00 +01:00", tick=False),
        mock.patch.object(tasks.sweep_school_task, "delay") as delay,
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            assert tasks.nightly_sweep_task() == 2
            assert delay.call_count == 0  # nothing is sent before the transaction commits
        for callback in callbacks:
            callback()
    assert sorted(delay.call_args_list) == sorted(
        [mock.call(school.pk, "2025-10-24"), mock.call(other_school.pk, "2025-10-24")]
    )


def test_the_beat_schedule_runs_the_nightly_sweep_at_two_london_time(db):
    # The data migration ran when the test database was built, but another test's flush
    # may have emptied the table since (--reuse-db): run its function again, twice.
    restore_nightly_schedule()
    restore_nightly_schedule()
    task = PeriodicTask.objects.get(name="Nightly attendance sweep")
    assert task.task == tasks.nightly_sweep_task.name and task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_week) == ("0", "2", "*")
    assert str(cron.timezone) == "Europe/London"


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("run_sweep", *args, stdout=out)
    return out.getvalue()


def test_run_sweep_prints_the_json_summary_alone(school, cast, sweep):
    sweep(*LAST_NIGHTS[:2])
    first = json.loads(run_command("--school", school.urn, "--date", "2025-10-24"))
    assert first["school"] == school.urn
    assert set(first) == {
        "school",
        "as_of",
        "pupils",
        "bands",
        "bands_moved",
        "cases_opened",
        "cases_advanced",
        "focus_pupils",
        "conversations_due",
        "severe_pathway",
        "dips",
        "fpn_candidates",
        "letters_queued",
        "incomplete_pupils",
    }
    assert len(first["letters_queued"]) == 4
    assert json.loads(run_command("--school", school.urn, "--date", "2025-10-24")) == first
    # The letters the sweep asked for are on the letters queue, once, however many runs.
    assert Letter.objects.filter(school=school).count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "999999", "--date", "2025-10-24"], "no school"),
        (["--school", "123456", "--date", "24/10/2025"], "not a date"),
        (["--school", "123456", "--date", "2025-02-30"], "not a date"),
    ],
)
def test_run_sweep_refuses_bad_arguments(school, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)


def test_run_sweep_exits_non_zero_on_stderr(school, capsys):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "run_sweep", "--school", "000000", "--date", "x"])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no school" in captured.err
