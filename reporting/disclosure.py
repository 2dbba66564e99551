"""Statistical disclosure control for every aggregate figure governors and trust leads see
(their pages, CSV, XLSX and PDF all print the same Tables, so they cannot disagree).

Pure functions over plain numbers: no ORM, no pandas. The rules follow the DfE/ONS
practice for published pupil statistics (the DfE's statistics "c" symbol):

1. Primary suppression. A count of 1 to 4 pupils (a group's size, or the pupils of a group
   who are persistently or severely absent) is not shown, nor any rate computed from it:
   its cell shows ``c`` ("fewer than 5 pupils, not shown"). Zero is shown: it singles out
   nobody (but see 3).
2. Secondary suppression. The cells of one breakdown add up to a total the reader knows
   (the school's pupils, its persistently absent pupils …), so a hidden cell could be
   worked out by subtraction from the total, the complement group or the others. More
   cells are hidden, smallest first, until a reader who knows every published figure, the
   total and what each symbol means (``c`` is 1 to 4; ``x`` is 0 or at least 5) can narrow
   no ``c`` cell below "1 to 4". Those cells show ``x`` ("not shown to protect a small
   group"): never a false "fewer than 5" on a group of 118.
3. A measure held by 1 to 4 pupils of the whole school (say one severely absent pupil) is
   not shown by group at all: a 0% beside a hidden cell, or a ``c`` among ``x``s, would
   tell which group holds them. Every group's cell of that measure shows ``x``.
4. The headline. A percentage of pupils computed from 1 to 4 pupils (severe absence 0.2%
   of 416 pupils is one pupil) shows ``c`` too, and so does the band table's severe band;
   the persistent band and the severe band add up to the headline's persistent total and
   are protected against it as a breakdown is against its total (if they cannot be, the
   persistent total is withheld as ``x`` as well, and not shown by group).
5. When no choice of cells protects a partition, all of it is withheld as ``x``: in a
   column (or band table) with no ``c``, an ``x`` may be anything, small counts included,
   and the table's note says the measure is not shown by group. A school of 1 to 4 pupils
   shows nothing but its withheld headline (reporting.report).

6. Several schools together (a trust's figures through the API, reporting.pooled). A
   trust's cell is the sum of its schools' cells, and a trust's reader may see each
   school's own figures too (the trust view, a school's aggregate token): a trust cell is
   checked as the total of that partition (``safe_across``). When it would narrow a
   school's hidden small count, the trust withholds more: its whole figures if a school's
   roll is 1 to 4, the measure everywhere if its headline would, the band table whole, a
   breakdown's column or the whole breakdown.

Officers and heads see exact figures: they already see the pupils. Tables of sessions
(week by week, weekdays, reasons) count sessions, not pupils, and are shown as they are.

How it is checked: ``feasible`` works out, by interval arithmetic, every value a hidden cell
can take given the total, the visible cells and the symbols' meaning; ``protect`` hides
cells until that range is "1 to 4" for every ``c``. tests/reporting/test_disclosure_attack.py
attacks a generated school through every page and export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from registers.bands import SCHOOL as SCHOOL_BANDS
from registers.bands import Band

THRESHOLD = 5  # the smallest count of pupils that is shown
SMALLEST, LARGEST_SMALL = 1, THRESHOLD - 1


class Withheld(str):
    """A figure not shown: the symbol its cell prints, with the reason (the legend)."""

    reason: str

    def __new__(cls, symbol: str, reason: str) -> Withheld:
        cell = super().__new__(cls, symbol)
        cell.reason = reason
        return cell

    def __reduce__(self):  # pickled with the reason (the page cache, if any)
        return (Withheld, (str(self), self.reason))


SMALL = Withheld("c", f"fewer than {THRESHOLD} pupils, not shown")
PROTECTED = Withheld("x", "not shown to protect a small group")
LEGEND = (SMALL, PROTECTED)


def legend_text() -> str:
    return "; ".join(f"{w}: {w.reason}" for w in LEGEND) + "."


def is_small(count: int) -> bool:
    return SMALLEST <= count <= LARGEST_SMALL


# -- what a reader can work out ------------------------------------------------------------

Spans = list[tuple[int, int]]  # disjoint, sorted, inclusive integer ranges


def _merge(spans: Iterable[tuple[int, int]]) -> Spans:
    merged: Spans = []
    for lo, hi in sorted(s for s in spans if s[0] <= s[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _plus(a: Spans, b: Spans) -> Spans:
    return _merge((x0 + y0, x1 + y1) for x0, x1 in a for y0, y1 in b)


def _size(spans: Spans) -> int:
    return sum(hi - lo + 1 for lo, hi in spans)


OPEN = "open"  # hidden as part of a hidden row: 0 up to the cap, as far as a reader knows


def prior(symbol: str, cap: int) -> Spans:
    """The values a reader knows a hidden cell may take, from its symbol alone."""
    if symbol == SMALL:
        return _merge([(SMALLEST, min(LARGEST_SMALL, cap))])
    if symbol == PROTECTED:
        return _merge([(0, 0), (THRESHOLD, cap)])
    return _merge([(0, cap)])


@dataclass(frozen=True)
class Cell:
    """One count of a partition: its true value, the largest value a reader cannot rule
    out (the group's size, or the total), and the symbol it is already hidden under."""

    key: str
    value: int
    cap: int
    hidden: str | None = None  # SMALL, PROTECTED or OPEN when already hidden


def feasible(cells: list[Cell], total: int | Spans, key: str) -> Spans:
    """Every value cell `key` can take, to a reader who knows `total` (or only that it is
    within some spans: a total itself hidden), each visible cell and each hidden cell's
    symbol."""
    totals = [(total, total)] if isinstance(total, int) else total
    shown = sum(c.value for c in cells if c.hidden is None)
    (target,) = (c for c in cells if c.key == key)
    if target.hidden is None:
        return [(target.value, target.value)]
    others: Spans = [(0, 0)]
    for cell in cells:
        if cell.hidden is not None and cell.key != key:
            others = _plus(others, prior(cell.hidden, cell.cap))
    found = [
        (max(lo, tlo - shown - ohi), min(hi, thi - shown - olo))
        for lo, hi in prior(target.hidden, target.cap)
        for olo, ohi in others
        for tlo, thi in totals
    ]
    return _merge(found)


def is_safe(cells: list[Cell], total: int | Spans | None) -> bool:
    """No hidden count of 1–4 can be narrowed: a ``c`` stays "1 to 4", any other hidden
    cell holding 1–4 pupils keeps at least two possible values."""
    if total is None:
        return True
    for cell in cells:
        if cell.hidden is None or not is_small(cell.value):
            continue
        found = feasible(cells, total, cell.key)
        if cell.hidden == SMALL:
            if found != prior(SMALL, cell.cap):
                return False
        elif _size(found) < 2:
            return False
    return True


def protect(cells: list[Cell], total: int | None) -> dict[str, str] | None:
    """The symbol of each cell to hide in one partition (cells adding up to `total`), or
    None when no choice of cells protects the small ones (the caller then hides them all).

    Counts of 1–4 get SMALL; then PROTECTED cells, smallest non-zero first, until safe.
    """
    cells = [
        replace(c, hidden=SMALL) if c.hidden is None and is_small(c.value) else c for c in cells
    ]
    if all(c.hidden is None for c in cells):
        return {}
    spare = sorted(
        (c for c in cells if c.hidden is None),
        key=lambda c: (c.value == 0, c.value, c.key),  # zeros last: they protect little
    )
    while not is_safe(cells, total):
        if not spare:
            return None
        chosen = spare.pop(0)
        cells = [replace(c, hidden=PROTECTED) if c.key == chosen.key else c for c in cells]
    return {c.key: c.hidden for c in cells if c.hidden is not None}


def safe_across(parts: list[Cell], pooled: Cell) -> bool:
    """Whether a figure of several schools together (a trust's cell: the sum of `parts`,
    each school's own cell as that school publishes it) may be shown as `pooled` is (its
    symbol, if hidden): a reader who subtracts the other schools' figures from it must not
    narrow any school's small hidden count (rule 6)."""
    total = pooled.value if pooled.hidden is None else prior(pooled.hidden, pooled.cap)
    return is_safe(parts, total)


# -- the plan for one school's figures --------------------------------------------------------

PERSISTENT, SEVERE = Band.PERSISTENT.value, Band.SEVERE.value
NOT_PERSISTENT_BANDS = tuple(b.value for b in SCHOOL_BANDS)


@dataclass(frozen=True)
class Plan:
    """What one report may show of the school as a whole, decided once so that the
    headline, every breakdown and the band table agree (and so every export)."""

    roll: int
    totals: dict[str, int]  # persistent / severe: pupils of the whole school
    headline: dict[str, str] = field(default_factory=dict)  # measure -> symbol, if hidden
    bands: dict[str, str] = field(default_factory=dict)  # band -> symbol, if hidden

    def by_group(self, measure: str) -> bool:
        """Whether the measure may be shown group by group (rule 3)."""
        return measure not in self.headline

    def total(self, measure: str) -> int | None:
        """The school's total of the measure as a reader can know it (None: hidden)."""
        return None if measure in self.headline else self.totals[measure]


def plan(roll: int, persistent: int, severe: int, bands: Mapping[str, int]) -> Plan:
    """Decide the headline and the band table of one school (bands: pupils per band).

    When no choice of cells protects the band table, all of it is withheld as ``x`` (an
    ``x`` in a table with no ``c`` may be anything, small counts included).
    """
    totals = {PERSISTENT: persistent, SEVERE: severe}
    headline: dict[str, str] = {m: SMALL for m, n in totals.items() if is_small(n)}
    every_band = (*NOT_PERSISTENT_BANDS, PERSISTENT, SEVERE)
    withheld: dict[str, str] = dict.fromkeys(every_band, PROTECTED)
    if is_small(roll):  # nothing of the school is shown (the headline is hidden whole)
        return Plan(roll, totals, headline, withheld)
    if PERSISTENT not in headline:
        # The persistent band and the severe band add up to the headline's persistent total;
        # the other bands to the rest of the roll: two partitions.
        inner = protect(_band_cells(bands, (PERSISTENT, SEVERE), persistent), persistent)
        if inner is not None:
            rest = roll - persistent
            outer = protect(_band_cells(bands, NOT_PERSISTENT_BANDS, rest), rest)
            return Plan(roll, totals, headline, withheld if outer is None else inner | outer)
        # Too few persistently absent pupils to hide the severe ones among: the persistent
        # total is not shown either (nor by group), and the bands are one partition.
        headline[PERSISTENT] = PROTECTED
    marks = protect(_band_cells(bands, every_band, roll), roll)
    return Plan(roll, totals, headline, withheld if marks is None else marks)


def _band_cells(bands: Mapping[str, int], keys: Iterable[str], total: int) -> list[Cell]:
    return [Cell(k, bands.get(k, 0), total) for k in keys]


def counts(values: Mapping[str, int], total: int) -> dict[str, str]:
    """Hidden cells of a partition of `total` pupils shown as counts (band movement …)."""
    marks = protect([Cell(k, n, total) for k, n in values.items()], total)
    return dict.fromkeys(values, PROTECTED) if marks is None else marks


@dataclass(frozen=True)
class GroupCounts:
    """One group of a breakdown, as the disclosure rules need it."""

    key: str
    pupils: int
    persistent: int
    severe: int


@dataclass(frozen=True)
class BreakdownMarks:
    rows: dict[str, str]  # group -> symbol: the whole row hidden
    measures: dict[str, dict[str, str]]  # measure -> group -> symbol
    whole: frozenset[str] = frozenset()  # measures no choice of cells protected: all hidden


def breakdown(groups: list[GroupCounts], p: Plan) -> BreakdownMarks | None:
    """The cells to hide of one breakdown (its groups partition the school), or None when
    the breakdown cannot be shown at all (a school too small for it)."""
    rows = protect([Cell(g.key, g.pupils, p.roll) for g in groups], p.roll)
    if rows is None:
        return None
    measures: dict[str, dict[str, str]] = {}
    whole: set[str] = set()
    for measure in (PERSISTENT, SEVERE):
        if not p.by_group(measure):
            measures[measure] = {g.key: rows.get(g.key, PROTECTED) for g in groups}
            continue
        cells = [
            Cell(
                g.key,
                getattr(g, measure),
                # The group's size, even for a hidden row: a governor who knows the school
                # may well know how many looked-after children it has.
                g.pupils,
                OPEN if g.key in rows else None,
            )
            for g in groups
        ]
        marks = protect(cells, p.total(measure))
        if marks is None:
            marks, whole = {g.key: PROTECTED for g in groups}, whole | {measure}
        # A hidden row keeps its own symbol in every column.
        measures[measure] = {k: rows.get(k, s) for k, s in marks.items()}
    return BreakdownMarks(rows, measures, frozenset(whole))


def headline_value(value: Decimal | None, symbol: str | None) -> Decimal | Withheld | None:
    return value if symbol is None else as_cell(symbol)


def as_cell(symbol: str) -> Withheld:
    return SMALL if symbol == SMALL else PROTECTED
