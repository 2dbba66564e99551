"""The worked example: ten pupils, ten sessions each, every rate and gap known exactly.

Totals: 100 possible sessions, 7 absent (I ×1 authorised; O ×5 and U ×1 unauthorised),
so attendance 93.0%, authorised 1.0%, unauthorised 6.0%. Persistent: P1 (10%), P2 (50%)
and P5 (10%) = 30.0%; severe: P2 = 10.0%. Pupil premium (P0–P3): 34/40 = 85.0% against
59/60 = 98.33% for the rest, a gap of −13.3 points; PA 2/4 = 50.0% against 1/6 = 16.7%.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from reporting import bands, breakdowns
from reporting.periods import resolve_period
from reporting.report import build_report, pupil_frame
from tests.registers.factories import MarkFactory, PupilFactory, make_half_term
from tests.reporting.conftest import WEEK

D = Decimal
TODAY = dt.date(2025, 10, 20)


@pytest.fixture
def frame(school, ten_pupils):
    period = resolve_period(school=school, key=None, today=TODAY)
    return pupil_frame(school=school, period=period)


def test_the_whole_school_figures_are_summed_sessions(frame):
    whole = breakdowns.whole_school(frame)
    assert whole.pupils == 10
    assert whole.possible == 100
    assert (whole.attendance, whole.authorised, whole.unauthorised, whole.absence) == (
        D("93.0"),
        D("1.0"),
        D("6.0"),
        D("7.0"),
    )
    assert (whole.persistent, whole.severe) == (D("30.0"), D("10.0"))


def test_pupil_premium_rows_carry_the_gap_to_the_rest_of_the_school(frame):
    rows = {
        r.key: r for r in breakdowns.breakdown(frame, breakdowns.DIMENSIONS["pupil_premium"]).rows
    }
    pp, rest = rows["yes"], rows["no"]
    assert (pp.label, pp.pupils, pp.attendance) == ("Pupil premium", 4, D("85.0"))
    assert (pp.authorised, pp.unauthorised) == (D("2.5"), D("12.5"))
    assert (pp.persistent, pp.severe) == (D("50.0"), D("25.0"))
    assert pp.attendance_gap == D("-13.3")
    assert pp.persistent_gap == D("33.3")
    assert (rest.pupils, rest.attendance, rest.attendance_gap) == (6, D("98.3"), D("13.3"))
    assert rest.persistent == D("16.7")


def test_send_groups_are_none_sen_support_and_ehc_plan_in_that_order(frame):
    result = breakdowns.breakdown(frame, breakdowns.DIMENSIONS["sen"])
    assert [(r.label, r.pupils, r.attendance) for r in result.rows] == [
        ("No SEN", 8, D("98.8")),
        ("SEN support", 1, D("90.0")),
        ("EHC plan", 1, D("50.0")),
    ]
    # EHC plan 5/10 against the other nine pupils' 88/90 = 97.78%: −47.8 points.
    assert result.rows[2].attendance_gap == D("-47.8")


def test_dimensions_with_a_single_group_are_left_out(frame):
    keys = [b.dimension.key for b in breakdowns.breakdowns(frame)]
    # Nobody is FSM, EAL, looked after …; nobody has a recorded gender; one form, one year.
    assert keys == ["pupil_premium", "sen"]


def test_bands_count_pupils_with_the_national_lines_first(frame):
    counts = {row.key: row.pupils for row in bands.band_counts(frame)}
    assert counts == {"expected": 7, "monitor": 0, "concern": 0, "persistent": 2, "severe": 1}


def test_in_group_returns_the_pupils_of_one_group(frame, ten_pupils):
    ids = set(breakdowns.in_group(frame, "pupil_premium", "yes")["id"])
    assert ids == {p.pk for p in ten_pupils[:4]}
    assert set(breakdowns.in_group(frame, "band", "severe")["id"]) == {ten_pupils[2].pk}
    assert breakdowns.in_group(frame, "nonsense", "x").empty


def test_pupils_without_possible_sessions_are_not_counted(school, form, ten_pupils):
    PupilFactory(school=school, form=form)  # on roll, no marks yet
    period = resolve_period(school=school, key=None, today=TODAY)
    assert len(pupil_frame(school=school, period=period)) == 10


def test_a_pupil_who_left_counts_only_up_to_the_leaving_date(school, form):
    leaver = PupilFactory(school=school, form=form, leaving_date=dt.date(2025, 9, 9))
    MarkFactory.run(leaver, ["O"] * 10, start=WEEK)  # Mon 8 – Fri 12 Sep: only Mon and Tue count
    period = resolve_period(school=school, key=None, today=TODAY)
    frame = pupil_frame(school=school, period=period)
    assert frame.loc[frame["id"] == leaver.pk, "possible"].item() == 4


@pytest.fixture
def last_year(school):
    """Last year's autumn 1 and summer 2, for the trend and band movement."""
    make_half_term(school, "Autumn 1", dt.date(2024, 9, 4), dt.date(2024, 10, 25))
    return make_half_term(school, "Summer 2", dt.date(2025, 6, 2), dt.date(2025, 7, 18))


def test_band_movement_compares_year_to_date_bands_since_the_last_half_term(
    school, form, last_year
):
    improver = PupilFactory(school=school, form=form)
    MarkFactory.run(improver, ["O"] * 6 + ["/"] * 4, start=dt.date(2025, 6, 2))  # severe then
    MarkFactory.run(improver, ["/"] * 10, start=WEEK)  # all present this year
    steady = PupilFactory(school=school, form=form)
    MarkFactory.run(steady, ["/"] * 10, start=dt.date(2025, 6, 2))
    MarkFactory.run(steady, ["/"] * 10, start=WEEK)
    newcomer = PupilFactory(school=school, form=form, admission_date=dt.date(2025, 9, 1))
    MarkFactory.run(newcomer, ["/"] * 9 + ["I"], start=WEEK)
    period = resolve_period(school=school, key=None, today=TODAY)
    report = build_report(school=school, period=period, pupil_level=True)
    movement = {row[0]: row[1] for row in report.table("movement").rows}
    assert movement == {
        "Moved to a better band": 1,
        "Stayed in the same band": 1,
        "Moved to a worse band": 0,
        "No figure to compare (new, or no sessions then)": 1,
    }
    matrix = report.table("matrix")
    severe_row = next(r for r in matrix.rows if r[0].startswith("Severe"))
    assert severe_row[1:] == [1, 0, 0, 0, 0]  # severe → expected


def test_the_trend_puts_last_year_beside_the_same_week(school, form, last_year):
    pupil = PupilFactory(school=school, form=form)
    MarkFactory.run(pupil, ["/"] * 8 + ["I", "I"], start=dt.date(2024, 9, 9))  # week 2 last year
    MarkFactory.run(pupil, ["/"] * 10, start=WEEK)  # week 2 this year
    period = resolve_period(school=school, key=None, today=TODAY)
    trend = build_report(school=school, period=period, pupil_level=True).table("trend")
    assert trend.rows == [["Week 2", "8 Sep 2025", D("100.0"), D("80.0")]]


def test_absence_reasons_are_sorted_by_sessions(school, ten_pupils):
    period = resolve_period(school=school, key=None, today=TODAY)
    reasons = build_report(school=school, period=period, pupil_level=True).table("reasons")
    assert [(r[0][:1], r[2], r[3], r[4]) for r in reasons.rows] == [
        ("O", 5, D("5.0"), D("71.4")),
        ("I", 1, D("1.0"), D("14.3")),
        ("U", 1, D("1.0"), D("14.3")),
    ]


def test_weekday_and_lateness_patterns(school, ten_pupils):
    period = resolve_period(school=school, key=None, today=TODAY)
    report = build_report(school=school, period=period, pupil_level=True)
    monday = report.table("weekdays").rows[0]
    # Monday: 20 sessions; absent P1 AM, P2 AM+PM, P5 PM = 4 (20%); late P4 AM + P5 PM.
    assert monday == ["Monday", 20, D("20.0"), D("10.0")]
    lateness = report.table("lateness").rows
    assert [r[1] for r in lateness] == [2, 1, 0]


def test_the_vectorised_bands_agree_with_the_rule_in_registers_rates():
    from itertools import product

    from registers import rates
    from registers.rates import SessionCounts

    counts = {
        n: SessionCounts(possible=possible, present=attended, unauthorised=possible - attended)
        for n, (possible, attended) in enumerate(
            (p, a) for p, a in product(range(0, 41), repeat=2) if a <= p
        )
    }
    for target, formal in ((D("96"), D("92")), (D("95.5"), D("90.25")), (D("100"), D("0"))):
        found = bands.bands_for(counts, target_pct=target, formal_pct=formal)
        for n, c in counts.items():
            band = rates.band(c, target_pct=target, formal_pct=formal)
            assert found.get(n) == (band.value if band else None), (c, target, formal)


def test_group_sums_are_exact_integers_and_leave_out_pupils_without_a_key():
    keys = pd.Series(["7", "8", "7", None, "8", "7"])
    matrix = np.arange(len(keys) * len(breakdowns.SUMS)).reshape(len(keys), -1)
    sums, sizes = breakdowns._group_sums(keys, matrix)
    assert sizes == {"7": 3, "8": 2}  # the pupil without a key is in no group

    def expected(rows: list[int]) -> dict[str, int]:
        return dict(zip(breakdowns.SUMS, map(int, matrix[rows].sum(axis=0)), strict=True))

    assert sums == {"7": expected([0, 2, 5]), "8": expected([1, 4])}
