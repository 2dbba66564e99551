"""manage.py verify_figures and its weekly beat task (docs/interfaces.md)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from registers.models import WeekCount
from registers.tasks import verify_figures_task
from tests.registers.factories import MarkFactory, PupilFactory, SchoolFactory, make_half_term

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 9, 8)


@pytest.fixture
def pupil():
    school = SchoolFactory(urn="123456")
    make_half_term(school, "Autumn 1", dt.date(2025, 9, 1), dt.date(2025, 10, 17))
    pupil = PupilFactory(school=school, upn="A123456789012")
    MarkFactory.days(pupil, [MONDAY, MONDAY + dt.timedelta(days=1)], absent_sessions=1)
    return pupil


def test_all_agree(pupil, capsys):
    call_command("verify_figures", "--school", "123456")
    assert "all agree" in capsys.readouterr().out


def test_a_difference_is_listed_logged_and_repaired(pupil, capsys, caplog):
    row = WeekCount.objects.get(pupil=pupil, week=MONDAY, code="/")
    WeekCount.objects.filter(pk=row.pk).update(tue=2)
    WeekCount.objects.filter(pupil=pupil, week=MONDAY, code="O").delete()

    with caplog.at_level(logging.ERROR), pytest.raises(CommandError, match="2 stored"):
        call_command("verify_figures", "--school", "123456")
    err = capsys.readouterr().err
    assert "A123456789012 week of 2025-09-08 /: stored 0 2 0 0 0, from the marks 0 1 0 0 0" in err
    assert "A123456789012 week of 2025-09-08 O: stored none, from the marks 1 0 0 0 0" in err
    assert any(r.levelno == logging.ERROR for r in caplog.records)

    call_command("verify_figures", "--repair")
    assert "2 difference(s) repaired" in capsys.readouterr().out
    call_command("verify_figures")
    assert "all agree" in capsys.readouterr().out


def test_the_weekly_task_repairs_and_is_scheduled(pupil):
    WeekCount.objects.filter(pupil=pupil).delete()
    # Three codes' rows in the first week, and the unmarked sessions of each of the
    # half-term's seven weeks.
    assert verify_figures_task() == {"schools_repaired": {"123456": 10}}
    assert verify_figures_task() == {"schools_repaired": {}}
    # A transactional test elsewhere may flush django-celery-beat's tables: the
    # migration's step again (idempotent), as test_register_reminders does.
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registers.migrations.0024_verify_figures_schedule")
    migration.schedule(apps, None)
    migration.schedule(apps, None)
    task = PeriodicTask.objects.get(task="registers.verify_figures")
    assert (task.crontab.day_of_week, task.crontab.hour) == ("0", "3")
