"""Governors' figures: groups of fewer than 5 pupils are withheld ("c"), and enough others
("x") that the hidden figure cannot be recovered by subtraction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reporting import bands, breakdowns, disclosure
from reporting.disclosure import PROTECTED, SMALL, Cell, Withheld, protect
from reporting.periods import resolve_period
from reporting.report import build_report, pupil_frame
from tests.registers.factories import MarkFactory, PupilFactory
from tests.reporting.conftest import PRESENT, WEEK


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"yes": 12, "no": 30}, {}),
        ({"yes": 5, "no": 30}, {}),  # 5 is enough
        ({"yes": 4, "no": 30}, {"yes": "c", "no": "x"}),  # its complement would give it away
        ({"a": 3, "b": 20, "c": 30}, {"a": "c", "b": "x"}),  # the smallest other group goes too
        ({"a": 2, "b": 3, "c": 30}, {"a": "c", "b": "c"}),  # each may be anything from 1 to 4
        ({"a": 1, "b": 2, "c": 30, "d": 40}, {"a": "c", "b": "c", "c": "x"}),
        ({"a": 0, "b": 30}, {}),  # an empty group reveals nobody
        # x means "0 or at least 5": a 1 hidden beside a 5 would be 1 again, so a third goes.
        ({"a": 1, "b": 5, "c": 30}, {"a": "c", "b": "x", "c": "x"}),
        ({"a": 1, "b": 5}, None),  # nothing protects it: the caller hides everything
    ],
)
def test_protect(sizes, hidden):
    total = sum(sizes.values())
    assert protect([Cell(k, n, total) for k, n in sizes.items()], total) == hidden


def test_what_a_reader_can_work_out_from_a_c_beside_an_x():
    # Knowing a + b = 6, a is "c" (1-4) and b is "x" (0 or 5+): a is 1.
    cells = [Cell("a", 1, 6, SMALL), Cell("b", 5, 6, PROTECTED)]
    assert disclosure.feasible(cells, 6, "a") == [(1, 1)]
    cells = [Cell("a", 1, 40, SMALL), Cell("b", 30, 40, PROTECTED)]
    assert disclosure.feasible(cells, 31, "a") == [(1, 4)]


@pytest.mark.parametrize(
    ("parts", "pooled", "safe"),
    [
        # Trust 6, the other school 5 shown: Oakfield's "c" is 1 (issue 21's attack).
        ([Cell("oak", 1, 120, SMALL), Cell("ash", 5, 35)], Cell("t", 6, 155), False),
        # The trust's cell withheld as "x" (0 or 5+) beside the other's 5: still 1 to 4.
        ([Cell("oak", 1, 120, SMALL), Cell("ash", 5, 35)], Cell("t", 6, 155, PROTECTED), True),
        # The other school's cell hidden too: 6 = oak + ash, both 1 to 4, makes oak 2 to 4.
        ([Cell("oak", 1, 120, SMALL), Cell("ash", 5, 35, SMALL)], Cell("t", 6, 155), False),
        # Oakfield's count of 5 or more hidden ("x") is not a small group: nothing to narrow.
        ([Cell("oak", 7, 120, PROTECTED), Cell("ash", 5, 35)], Cell("t", 12, 155), True),
        # Two hidden "c" under a trust "c": 1-4 in all makes each 1 to 3.
        ([Cell("oak", 1, 120, SMALL), Cell("ash", 1, 35, SMALL)], Cell("t", 2, 155, SMALL), False),
        # Another school of many hidden pupils keeps Oakfield's "c" 1 to 4.
        ([Cell("oak", 1, 120, SMALL), Cell("ash", 30, 35, PROTECTED)], Cell("t", 31, 155), True),
    ],
)
def test_a_trust_cell_is_checked_against_its_schools_cells(parts, pooled, safe):
    assert disclosure.safe_across(parts, pooled) is safe


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
    # The 2 looked-after pupils: c; the other 28 are hidden only to protect them: x.
    assert [row[1] for row in cla.rows] == [SMALL, PROTECTED]
    assert [row[1].reason for row in cla.rows] == [
        "fewer than 5 pupils, not shown",
        "not shown to protect a small group",
    ]
    assert all(isinstance(cell, Withheld) for row in cla.rows for cell in row[2:9])
    assert cla.links == [None, None]
    assert "c: fewer than 5 pupils, not shown" in cla.note
    sen = {row[0]: row for row in report.table("sen").rows}
    # EHC plan 3 + SEN support 2: either may be anything from 1 to 4; No SEN stays visible.
    assert sen["EHC plan"][1] == sen["SEN support"][1] == SMALL
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
    rows = {r.key: r for r in bands.band_counts(frame, marks=_plan(frame).bands)}
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
    rows = {r.key: r for r in bands.band_counts(frame, marks=_plan(frame).bands)}
    # 3 severe of 23: c, and the 20 expected x, else 23 - 20 would give the 3.
    assert rows["severe"].pupils == SMALL and rows["expected"].pupils == PROTECTED
    assert rows["monitor"].pupils == 0


def test_a_small_band_is_hidden_with_enough_others_that_it_cannot_be_subtracted(school, form):
    # 2 severe, 3 persistent (not severe), 20 expected: the persistent band and the severe
    # band add up to the headline's 5 persistent pupils, so both are withheld as c.
    for n in range(25):
        codes = ["O"] * 10 if n < 2 else (["O", *PRESENT[1:]] if n < 5 else PRESENT)
        MarkFactory.run(PupilFactory(school=school, form=form), codes, start=WEEK)
    period = resolve_period(school=school, key=None, today=dt.date(2025, 10, 20))
    frame = pupil_frame(school=school, period=period)
    plan = _plan(frame)
    assert plan.headline == {"severe": "c"}
    rows = {r.key: r for r in bands.band_counts(frame, marks=plan.bands)}
    assert rows["severe"].pupils == SMALL and rows["persistent"].pupils == SMALL
    assert rows["expected"].pupils == 20


def _plan(frame):
    whole = breakdowns.whole_school(frame)
    return disclosure.plan(
        whole.pupils, whole.persistent_pupils, whole.severe_pupils, bands.band_values(frame)
    )


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


def _brute_force(cells: list[Cell], marks: dict[str, str], total: int) -> dict[str, set[int]]:
    """Every value each cell can take, by trying every assignment a reader could think of."""
    import itertools

    options = []
    for cell in cells:
        symbol = marks.get(cell.key)
        if symbol is None:
            options.append([cell.value])
        elif symbol == SMALL:
            options.append(range(1, min(4, cell.cap) + 1))
        else:
            options.append([0, *range(5, cell.cap + 1)])
    seen: dict[str, set[int]] = {c.key: set() for c in cells}
    for values in itertools.product(*options):
        if sum(values) == total:
            for cell, value in zip(cells, values, strict=True):
                seen[cell.key].add(value)
    return seen


def test_no_c_can_be_narrowed_by_any_assignment_a_reader_could_try():
    """protect() against a brute-force reader, over many small random partitions."""
    import random

    rng = random.Random(5)
    checked = 0
    for _ in range(300):
        values = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _ in range(rng.randint(2, 4))]
        total = sum(values)
        cells = [Cell(f"g{i}", v, 14) for i, v in enumerate(values)]
        marks = protect(cells, total)
        if marks is None:
            continue  # the caller hides the whole partition
        seen = _brute_force(cells, marks, total)
        for cell in cells:
            if marks.get(cell.key) == SMALL:
                assert seen[cell.key] == {1, 2, 3, 4}, (values, marks, seen)
                checked += 1
            elif cell.key not in marks:
                assert not disclosure.is_small(cell.value), (values, marks)
    assert checked > 100  # the partitions tried hold small counts to protect


def test_the_band_table_and_the_headline_never_give_a_small_severe_count_away():
    """plan() against a brute-force reader of the headline (persistent and severe totals)
    and the band table together, over many random schools."""
    import itertools
    import random

    rng = random.Random(7)
    keys = ["expected", "monitor", "concern", "persistent", "severe"]
    checked = 0
    for _ in range(150):
        bands_ = dict(
            zip(
                keys,
                [rng.randint(0, 9) for _ in range(3)]
                + [rng.choice([0, 1, 2, 3, 5, 6, 8]), rng.choice([0, 1, 2, 3, 4, 5])],
                strict=True,
            )
        )
        roll = sum(bands_.values())
        if roll < 5:
            continue
        persistent, severe = bands_["persistent"] + bands_["severe"], bands_["severe"]
        p = disclosure.plan(roll, persistent, severe, bands_)

        def fits(shown: str | None, value: int) -> bool:
            if shown is None:
                return True
            return 1 <= value <= 4 if shown == SMALL else not disclosure.is_small(value)

        options = [[bands_[k]] if k not in p.bands else range(0, roll + 1) for k in keys]
        # Every band x: the table is withheld as a whole, and an x may then be anything.
        whole = len(p.bands) == len(keys) and set(p.bands.values()) == {PROTECTED}
        seen = set()
        for first in itertools.product(*options[:-1]):
            values = (*first, roll - sum(first))  # the bands add up to the roll
            if values[-1] not in options[-1]:
                continue
            found = dict(zip(keys, values, strict=True))
            if not whole and not all(fits(p.bands.get(k), found[k]) for k in keys):
                continue
            p_total, s_total = found["persistent"] + found["severe"], found["severe"]
            if "persistent" not in p.headline and p_total != persistent:
                continue
            if "severe" not in p.headline and s_total != severe:
                continue
            if not fits(p.headline.get("persistent"), p_total):
                continue
            if not fits(p.headline.get("severe"), s_total):
                continue
            seen.add(s_total)
        if p.headline.get("severe") == SMALL:
            if p.headline.get("persistent") == SMALL:
                # Both totals 1-4: severe <= persistent is plain, so severe may be known to
                # be at most 3; never a single value.
                assert len(seen) >= 2 and seen <= {1, 2, 3, 4}, (bands_, p)
            else:
                assert seen == {1, 2, 3, 4}, (bands_, p)
            checked += 1
    assert checked > 20
