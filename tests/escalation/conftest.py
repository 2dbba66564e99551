"""Escalation fixtures: Autumn 1 2025 marks for a small cast of pupils, one per band."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from conftest import _is_transactional
from escalation.services.sweep import run_sweep
from tests.escalation.factories import school_days
from tests.registers.factories import MarkFactory, PupilFactory

LAST_DAY = dt.date(2025, 10, 24)  # Friday, the last day of Autumn 1
LAST_NIGHTS = [dt.date(2025, 10, 22), dt.date(2025, 10, 23), LAST_DAY]
# The answer each persona gets from the office's follow-up lists (calling, students of
# concern, penalty-notice candidates).
OFFICE_LIST_STATUS = [
    ("officer", 200),
    ("head", 200),
    ("teacher", 403),
    ("governor", 403),
    ("trust_lead", 403),
    ("outsider", 404),
]


@pytest.fixture
def days(school):
    return school_days(school)


@pytest.fixture
def cast(school, form, days):
    """76 possible sessions each: absences early in the term, so bands hold all October."""
    # These pupils' tests follow the sweep's letters, so the school sends its letter on the
    # night the case opens; the default, conversation first, is tested in test_ladder.py.
    school.letter_after_conversation = False
    school.save(update_fields=["letter_after_conversation"])
    absences = {
        "expected": 0,
        "monitor": 4,  # 72/76 = 94.7%
        "concern": 7,  # 69/76 = 90.8%, 9.2% missed: not persistent
        "persistent": 10,  # 86.8%; 10 O sessions: a penalty-notice candidate too
        "severe": 40,  # 47.4%
    }
    pupils = {}
    for n, (name, absent) in enumerate(absences.items()):
        pupil = PupilFactory(school=school, form=form, upn=f"A{n:011d}X", surname=name.title())
        MarkFactory.days(
            pupil, days, absent_sessions=absent, code="I" if name == "concern" else "O"
        )
        pupils[name] = pupil
    return pupils


@pytest.fixture
def sweep(school):
    def _sweep(*nights: dt.date):
        return [run_sweep(school=school, as_of=night) for night in nights][-1]

    return _sweep


def restore_nightly_schedule() -> None:
    """Re-create the beat schedule the data migration made (idempotent)."""
    from django.apps import apps

    for name in ("0003_nightly_sweep_schedule", "0006_reliability"):
        importlib.import_module(f"escalation.migrations.{name}").forward(apps, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test's flush also empties django-celery-beat's tables, which a data
    migration filled; put the nightly schedule back (as the root conftest does for codes)."""
    yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_nightly_schedule()
