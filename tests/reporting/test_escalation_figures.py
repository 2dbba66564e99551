"""Reporting reads escalation's data: the nightly stored figures (band movement) and the
cases (impact of interventions)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation.models import Case, PupilFigure
from registers.figures import counts_by_pupil
from registers.rates import SessionCounts
from reporting.interventions import BEFORE, case_sessions
from reporting.periods import resolve_period
from reporting.report import build_report
from reporting.responses import drill_links
from tests.escalation.factories import CaseFactory
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term
from tests.reporting.conftest import PRESENT, WEEK

TODAY = dt.date(2025, 10, 20)


def _figure(pupil, as_of: dt.date, *, present: int, absent: int, band: str) -> PupilFigure:
    possible = present + absent
    return PupilFigure.objects.create(
        school=pupil.school,
        pupil=pupil,
        as_of=as_of,
        possible=possible,
        present=present,
        authorised=absent,
        attendance=Decimal(100 * present / possible).quantize(Decimal("0.1")),
        band=band,
        persistent=band in ("persistent", "severe"),
        severe=band == "severe",
    )


@pytest.fixture
def summer(school):
    return make_half_term(school, "Summer 2", dt.date(2025, 6, 2), dt.date(2025, 7, 18))


def test_band_movement_uses_the_stored_nightly_figures_when_the_sweep_ran(school, form, summer):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.run(
        pupil, PRESENT, start=WEEK
    )  # from the marks this pupil would be "expected" now …
    _figure(pupil, dt.date(2025, 7, 17), present=90, absent=10, band="persistent")
    # … but the sweep stored "concern" last night: the stored figure is what staff saw.
    _figure(pupil, dt.date(2025, 10, 19), present=91, absent=9, band="concern")
    period = resolve_period(school=school, key=None, today=TODAY)
    report = build_report(school=school, period=period, pupil_level=True)
    movement = {row[0]: row[1] for row in report.table("movement").rows}
    assert movement["Moved to a better band"] == 1
    assert "19 Oct 2025" in report.table("movement").note
    assert "17 Jul 2025" in report.table("movement").note
    assert "nightly stored figures" in report.table("movement").note


def test_intervention_impact_compares_six_weeks_before_with_since(school, form):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.run(pupil, ["O"] * 4 + ["/"] * 6, start=dt.date(2025, 9, 8))  # before: 60%
    MarkFactory.run(pupil, PRESENT, start=dt.date(2025, 9, 22))  # since: 100%
    case = CaseFactory(
        school=school, pupil=pupil, reason=Case.Reason.BAND, opened_on=dt.date(2025, 9, 22)
    )
    period = resolve_period(school=school, key=None, today=TODAY)
    report = build_report(
        school=school, period=period, pupil_level=True, drill=lambda d, k: f"/{d}/{k}"
    )
    table = report.table("interventions")
    assert table.rows[1] == [
        f"Case {case.pk}",
        "Monitoring",
        "22 Sep 2025",
        Decimal("60.0"),
        Decimal("100.0"),
        Decimal("40.0"),
    ]
    assert table.rows[0][0] == "All 1 cases"
    assert table.links[1] == f"/pupil/{pupil.pk}"


def test_intervention_impact_agrees_with_the_pupil_figures_for_every_code(school, form):
    """The per-code fold gives each case what counts_by_pupil gives over its two windows:
    AEA codes attend, X and Z are not possible, marks before the six weeks do not count,
    and a pupil with two cases has each case's windows counted on their own."""
    rng = random.Random(7)
    mix = ["/", "\\", "L", "B", "K", "V", "I", "M", "O", "G", "N", "U", "C", "X", "Z", "D"]
    pupils = [PupilFactory(school=school, form=form) for _ in range(2)]
    for pupil in pupils:
        MarkFactory.run(pupil, rng.choices(mix, k=70), start=dt.date(2025, 9, 1))
    opened = [(pupils[0], dt.date(2025, 9, 15)), (pupils[0], dt.date(2025, 10, 6))]
    opened.append((pupils[1], dt.date(2025, 10, 13)))
    cases = []
    for pupil, day in opened:  # the pupil's first case was closed before the second opened
        Case.objects.filter(pupil=pupil).update(status="closed", closed_at=timezone.now())
        cases.append(
            CaseFactory(school=school, pupil=pupil, reason=Case.Reason.BAND, opened_on=day)
        )
    rows = [{"pk": c.pk, "pupil_id": c.pupil_id, "opened_on": c.opened_on} for c in cases]

    found = case_sessions(school=school, cases=rows, end=TODAY)

    for case in cases:
        windows = [(case.opened_on - BEFORE, case.opened_on - dt.timedelta(days=1))]
        windows.append((case.opened_on, TODAY))
        expected: list[int] = []
        for start, end in windows:
            counts = counts_by_pupil(school=school, start=start, end=end, pupil_ids=[case.pupil_id])
            got = counts.get(case.pupil_id, SessionCounts())
            expected += [got.attended, got.possible]
        assert found[case.pk] == tuple(expected)
        assert expected[1] and expected[3]  # both windows had counted sessions


def test_intervention_impact_is_staff_only(school, form):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.run(pupil, PRESENT, start=WEEK)
    CaseFactory(school=school, pupil=pupil, reason=Case.Reason.BAND, opened_on=TODAY)
    period = resolve_period(school=school, key=None, today=TODAY)
    assert build_report(school=school, period=period).table("interventions") is None
    governors = build_report(school=school, period=period, aggregate_only=True)
    assert governors.table("interventions") is None


def test_staff_links_from_a_case_open_that_pupils_page(school, form):
    pupils = [PupilFactory(school=school, form=form) for _ in range(2)]
    link = drill_links(school, resolve_period(school=school, key=None, today=TODAY))
    for pupil in pupils:
        assert link("pupil", str(pupil.pk)) == reverse(
            "registers:pupil", args=[school.urn, pupil.pk]
        )
