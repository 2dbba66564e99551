"""Governors' figures: groups of fewer than 5 pupils are hidden, and enough others that
the hidden figure cannot be recovered by subtraction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reporting import bands, breakdowns
from reporting.periods import resolve_period
from reporting.report import build_report, pupil_frame
from reporting.suppression import FEWER_THAN, hidden_keys
from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"yes": 12, "no": 30}, set()),
        ({"yes": 5, "no": 30}, set()),  # 5 is enough
        ({"yes": 4, "no": 30}, {"yes", "no"}),  # its complement would give it away
        ({"a": 3, "b": 20, "c": 30}, {"a", "b"}),  # the smallest other group goes too
        ({"a": 2, "b": 3, "c": 30}, {"a", "b"}),  # together they hold 5 pupils
        ({"a": 1, "b": 2, "c": 30, "d": 40}, {"a", "b", "c"}),
        ({"a": 0, "b": 30}, set()),  # an empty group reveals nobody
    ],
)
def test_hidden_keys(sizes, hidden):
    assert hidden_keys(sizes) == hidden


@pytest.fixture
def small_groups(school, form):
    """30 pupils; 2 looked after; 3 with an EHC plan; 25 with no SEN and 2 on SEN support."""
    pupils = []
    for n in range(30):
        sen = "E" if n < 3 else ("K" if n < 5 else "N")
        pupil = PupilFactory(school=school, form=form, cla=n in (10, 11), sen=sen)
        MarkFactory.run(pupil, PRESENT if n % 3 else ["I", *PRESENT[1:]], start=WEEK)
        pupils.append(pupil)
    return pupils


def test_governors_see_fewer_than_5_instead_of_small_groups(school, small_groups):
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    report = build_report(school=school, period=period, aggregate_only=True)
    cla = report.table("cla")
    assert [row[1] for row in cla.rows] == [FEWER_THAN, FEWER_THAN]
    assert all(cell is None for row in cla.rows for cell in row[2:9])
    assert cla.links == [None, None]
    sen = {row[0]: row for row in report.table("sen").rows}
    # EHC plan 3 + SEN support 2 = 5 hidden pupils: enough, No SEN stays visible.
    assert sen["EHC plan"][1] == sen["SEN support"][1] == FEWER_THAN
    assert sen["No SEN"][1] == 25


def test_staff_see_every_group(school, small_groups):
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    report = build_report(school=school, period=period, pupil_level=True)
    assert [row[1] for row in report.table("cla").rows] == [2, 28]


def test_governors_have_no_form_breakdown_and_no_pupil_level_tables(school, small_groups):
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    report = build_report(school=school, period=period, aggregate_only=True)
    names = {t.name for t in report.tables}
    assert "form" not in names and "matrix" not in names and "interventions" not in names
    assert all(not any(t.links) for t in report.tables)


def test_band_counts_under_5_are_hidden_for_governors(school, small_groups):
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    frame = pupil_frame(school=school, period=period)
    rows = {r.key: r for r in bands.band_counts(frame, hide_small=True)}
    # 10 pupils missed one session in ten (persistent), 20 are expected; others are 0.
    assert rows["persistent"].pupils == 10 and rows["expected"].pupils == 20
    assert rows["monitor"].pupils == 0
    assert breakdowns.whole_school(frame).pupils == 30


def test_a_small_band_is_hidden_with_the_next_smallest_so_it_cannot_be_subtracted(school, form):
    for n in range(23):
        MarkFactory.run(
            PupilFactory(school=school, form=form), ["O"] * 10 if n < 3 else PRESENT, start=WEEK
        )
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    frame = pupil_frame(school=school, period=period)
    rows = {r.key: r for r in bands.band_counts(frame, hide_small=True)}
    assert rows["severe"].suppressed and rows["expected"].suppressed
    assert rows["monitor"].pupils == 0


def test_questions_are_about_the_group_not_its_complement(school, form):
    from reporting.questions import questions_for
    from reporting.tables import Column, Kind, Table

    table = Table(
        "young_carer",
        "By young carer",
        [Column("Young carer"), Column("Attendance gap to others (points)", Kind.GAP)],
        [["Young carer", Decimal("3.1")], ["Not a young carer", Decimal("-3.1")]],
    )
    headline = breakdowns.whole_school(
        pupil_frame(
            school=school,
            period=resolve_period(school=school, key=None, today=dt.date(2025, 10, 20)),
        )
    )
    assert questions_for("young_carer", school=school, headline=headline, table=table) == []
    table.rows = [["Young carer", Decimal("-4.0")], ["Not a young carer", Decimal("4.0")]]
    (question,) = questions_for("young_carer", school=school, headline=headline, table=table)
    assert question.startswith("Young carer: attendance is 4.0 points below other pupils.")
