"""Every report is the same read from the stored figures as counted from the marks.

The demo trust (leavers, joiners, closures, two years of believable marks, casework) is
built once; then the head's dashboard for every period, the governors' and trust leads'
versions, the trust view and attendance_stats are built twice: from the stored figures
(as the portal runs) and with registers.figures' readers swapped for the marks-based ones
of registers.figures_from_marks (as the portal counted before). They must be equal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest
import time_machine
from django.utils import timezone

from registers import figures, figures_from_marks
from registers.demo import seed_demo
from registers.management.commands.attendance_stats import pupil_records
from registers.models import School, Trust
from reporting.periods import period_choices, resolve_period
from reporting.report import build_report
from reporting.selectors import form_week
from reporting.trust import trust_rows

NOW = dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)  # a Wednesday of Spring 2


def plain(value):
    """A report as plain data (its pandas frames as lists), so two compare with ==."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


@contextlib.contextmanager
def from_marks(monkeypatch):
    with monkeypatch.context() as patch:
        for name in figures_from_marks.READERS:
            patch.setattr(figures, name, getattr(figures_from_marks, name))
        yield


def _reports(school: School, today: dt.date) -> list:
    current = resolve_period(school=school, key=None, today=today)
    built = []
    for choice in period_choices(school=school, period=current, today=today):
        period = resolve_period(school=school, key=choice.key, today=today)
        built.append(build_report(school=school, period=period, pupil_level=True))
        built.append(build_report(school=school, period=period, aggregate_only=True))
        built.append(build_report(school=school, period=period))
    built.append(pupil_records(school=school, start=dt.date(2025, 9, 3), end=today, today=today))
    built.append(pupil_records(school=school, start=dt.date(2026, 1, 7), end=dt.date(2026, 2, 11)))
    built.append(form_week(school=school, monday=dt.date(2026, 2, 23)))
    return plain(built)


@pytest.mark.slow
@pytest.mark.django_db
def test_reports_from_stored_figures_equal_reports_from_marks(monkeypatch):
    with time_machine.travel(NOW, tick=False):
        seed_demo(pupils=60, password="Stored-figures-2026!", now=timezone.now())
        today = timezone.localdate()
        schools = list(School.objects.order_by("urn"))
        trust = Trust.objects.get()
        stored = [_reports(s, today) for s in schools], plain(trust_rows(trust, today=today))
        with from_marks(monkeypatch):
            assert figures.counts_by_pupil is figures_from_marks.counts_by_pupil
            marks = [_reports(s, today) for s in schools], plain(trust_rows(trust, today=today))
    assert len(stored[0][0]) > 6
    assert stored == marks
