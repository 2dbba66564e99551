"""The shared plumbing the apps use lives where every layer may import it (issue 20)."""

from __future__ import annotations

import pytest

from attendance_portal.errors import DomainError
from escalation.rules import NoticeBeforeFramework, ThirdNoticeRefused
from escalation.services.cases import CaseError, refuse_purge_of_open_cases
from escalation.services.letters import LetterError
from escalation.services.sweep import SweepBusy
from registers.ctf import CtfError
from registers.demo import DemoError
from registers.services import privacy
from registers.services.calls import CallError
from registers.services.imports import ImportFailed
from registers.services.leave import LeaveError
from registers.services.marks import MarkError, StaleRegister
from registers.services.planned import AbsenceError
from registers.services.privacy import PurgeRefused
from registers.services.transfer import ExportRefused


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (MarkError, ValueError),
        (StaleRegister, ValueError),
        (CallError, ValueError),
        (AbsenceError, ValueError),
        (LeaveError, ValueError),
        (CtfError, ValueError),
        (ExportRefused, ValueError),
        (ImportFailed, Exception),
        (PurgeRefused, Exception),
        (DemoError, Exception),
        (CaseError, ValueError),
        (LetterError, ValueError),
        (ThirdNoticeRefused, ValueError),
        (NoticeBeforeFramework, ValueError),
        (SweepBusy, RuntimeError),
    ],
)
def test_every_refusal_is_a_domain_error_and_keeps_its_builtin_base(error, builtin):
    # A view can catch DomainError alone; an existing `except ValueError` still works.
    assert issubclass(error, DomainError)
    assert issubclass(error, builtin)


def test_escalation_guards_the_retention_purge_from_its_own_layer():
    # registers never imports escalation: escalation registers the open-case guard at ready().
    assert refuse_purge_of_open_cases in privacy._purge_guards


# The names beat schedules (escalation migration 0003) and queued messages refer to.
TASK_NAMES = {
    "escalation.sweep_school",
    "escalation.nightly_sweep",
    "escalation.check_night_sweeps",
    "escalation.requeue_stalled",
    "escalation.generate_letter",
    "escalation.run_letter_batch",
    "escalation.generate_letter_chunk",
    "escalation.queue_sweep_letters",
}


def test_the_escalation_tasks_live_in_one_module_under_their_old_names():
    from escalation import tasks

    found = {
        getattr(tasks, name).name
        for name in dir(tasks)
        if name.endswith("_task") and hasattr(getattr(tasks, name), "delay")
    }
    assert found == TASK_NAMES


def test_the_services_start_work_through_the_tasks_installed_for_their_jobs():
    from escalation.services import jobs

    assert {job: jobs.task_for(job).name for job in jobs.JOBS} == {
        jobs.GENERATE_LETTER: "escalation.generate_letter",
        jobs.RUN_LETTER_BATCH: "escalation.run_letter_batch",
        jobs.SWEEP_SCHOOL: "escalation.sweep_school",
        jobs.QUEUE_SWEEP_LETTERS: "escalation.queue_sweep_letters",
    }
