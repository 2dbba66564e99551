"""A trust's schools as one population, withheld so that subtraction across schools names
nobody (reporting.disclosure, rule 6).

A trust's figure is the sum of its schools' figures, and whoever reads the trust's figures
may read each school's too (the trust view; a trust's aggregate token reads each school's
groups; a school's aggregate token): trust minus the other schools is one school's figure.
So each cell a trust would show (its roll, its persistent and severe totals, each band,
each group's size and each group's persistent and severe pupils) is checked as the total
of a partition whose parts are the schools' own cells, hidden as each school's own plan
hides them (the same plan as the school's report, the trust view and its API figures).
Where a reader could narrow a school's hidden small count, the trust withholds more, as
a whole so that the rest of the trust's table cannot give it back:

- a school's roll of 1 to 4 that the trust's roll would reveal: the trust's figures whole;
- a total (persistent, severe): the measure in the headline and in every breakdown, and
  the band table (the bands add up to the totals);
- a band: the band table;
- a group's size: that breakdown (its rates would give the small group's away too);
- a group's persistent or severe pupils: that measure in that breakdown (every group's cell
  withheld tells only the total, which the headline shows anyway).

Withholding more never lets a reader work out more, so one pass is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from . import bands, breakdowns, disclosure
from .breakdowns import Breakdown
from .disclosure import OPEN, PROTECTED, SMALL, BreakdownMarks, Cell, Plan

MEASURES = (disclosure.PERSISTENT, disclosure.SEVERE)


@dataclass(frozen=True)
class Published:
    """How one school (or the trust) publishes its figures: each count and its symbol."""

    roll: Cell
    totals: dict[str, Cell]  # measure -> the headline's count
    bands: dict[str, Cell]
    # dimension -> group key -> "pupils" / measure -> the group's cell
    groups: dict[str, dict[str, dict[str, Cell]]]


def plan_of(df: pd.DataFrame) -> Plan:
    whole = breakdowns.whole_school(df)
    return disclosure.plan(
        whole.pupils, whole.persistent_pupils, whole.severe_pupils, bands.band_values(df)
    )


def published(
    df: pd.DataFrame, plan: Plan, keys: list[str], marks: dict[str, BreakdownMarks | None]
) -> Published:
    """The cells of one frame as `plan` and `marks` (dimension -> the breakdown's marks;
    None: not shown) hide them. A symbol that may mean anything (a whole table or column
    withheld) is OPEN; a dimension of one group is the whole school."""
    roll = plan.roll
    tiny = disclosure.is_small(roll)  # nothing of it shown but its withheld headline
    every = 0 if tiny else roll
    totals = {
        m: Cell(m, plan.totals[m], every, OPEN if tiny else plan.headline.get(m)) for m in MEASURES
    }
    values = bands.band_values(df)
    whole_bands = tiny or (plan.bands and all(s == PROTECTED for s in plan.bands.values()))
    band_cells = {
        k: Cell(k, n, roll, OPEN if whole_bands else plan.bands.get(k)) for k, n in values.items()
    }
    groups: dict[str, dict[str, dict[str, Cell]]] = {}
    for key in keys:
        result = breakdowns.breakdown(df, breakdowns.DIMENSIONS[key])
        found = marks.get(key)
        cells: dict[str, dict[str, Cell]] = {}
        for row in result.rows:
            size = int(row.pupils)  # exact: the frame's own breakdown
            counts = {m: int(getattr(row, f"{m}_pupils") or 0) for m in MEASURES}
            if len(result.rows) == 1:  # the group is the whole school
                symbols = {"pupils": SMALL if tiny else None} | {
                    m: totals[m].hidden for m in MEASURES
                }
            elif found is None or tiny:
                symbols = dict.fromkeys(("pupils", *MEASURES), OPEN)
            else:
                hidden_row = found.rows.get(row.key)
                symbols = {"pupils": hidden_row}
                for m in MEASURES:
                    whole = m in found.whole or not plan.by_group(m)
                    symbols[m] = OPEN if hidden_row or whole else found.measures[m].get(row.key)
            cells[row.key] = {"pupils": Cell(row.key, size, roll, symbols["pupils"])} | {
                m: Cell(row.key, counts[m], size, symbols[m]) for m in MEASURES
            }
        groups[key] = cells
    return Published(Cell("roll", roll, roll, SMALL if tiny else None), totals, band_cells, groups)


def _safe(pooled: Cell, parts: list[Cell | None]) -> bool:
    """A school without the cell (no pupils in that group) shows 0 by its absence."""
    found = [
        replace(part, key=str(n)) if part is not None else Cell(str(n), 0, 0)
        for n, part in enumerate(parts)
    ]
    return disclosure.safe_across(found, pooled)


@dataclass(frozen=True)
class Pooled:
    plan: Plan
    everything: bool  # the trust's figures are withheld whole
    results: list[Breakdown]  # each breakdown as the trust may show it


def pooled(frames: list[pd.DataFrame], keys: list[str]) -> Pooled:
    """The trust's plan and breakdowns, withheld against each school's own figures."""
    schools = []
    for df in frames:
        school_plan = plan_of(df)
        marks = {
            r.dimension.key: disclosure.breakdown(breakdowns.group_counts(r), school_plan)
            for r in breakdowns.breakdowns(df, keys)
        }
        schools.append(published(df, school_plan, keys, marks))
    df = pd.concat(frames, ignore_index=True)
    trust_plan = plan_of(df)
    if not _safe(Cell("roll", trust_plan.roll, trust_plan.roll), [s.roll for s in schools]):
        return Pooled(trust_plan, True, [])
    headline = dict(trust_plan.headline)
    trust = published(df, trust_plan, [], {})
    for m in MEASURES:
        if not _safe(trust.totals[m], [s.totals[m] for s in schools]):
            headline[m] = PROTECTED
    band_marks = trust_plan.bands
    if headline != trust_plan.headline or not all(
        _safe(cell, [s.bands[k] for s in schools]) for k, cell in trust.bands.items()
    ):
        band_marks = dict.fromkeys(trust.bands, PROTECTED)
    trust_plan = replace(trust_plan, headline=headline, bands=band_marks)
    results = []
    for result in breakdowns.breakdowns(df, keys):
        key = result.dimension.key
        marks = disclosure.breakdown(breakdowns.group_counts(result), trust_plan)
        if marks is None:
            continue
        trust_cells = published(df, trust_plan, [key], {key: marks}).groups[key]
        parts = [s.groups[key] for s in schools]

        def safe(group: str, figure: str, trust_cells=trust_cells, parts=parts) -> bool:
            return _safe(trust_cells[group][figure], [p.get(group, {}).get(figure) for p in parts])

        if not all(safe(g, "pupils") for g in trust_cells):
            continue
        whole = {m for m in MEASURES if not all(safe(g, m) for g in trust_cells)}
        if whole:
            measures = {
                m: (
                    {g: marks.rows.get(g, PROTECTED) for g in trust_cells}
                    if m in whole
                    else marks.measures[m]
                )
                for m in MEASURES
            }
            marks = BreakdownMarks(marks.rows, measures, marks.whole | whole)
        shown = breakdowns.withhold(result, trust_plan, marks)
        if shown is not None:
            results.append(shown)
    return Pooled(trust_plan, False, results)
