"""Each section of a report as a Table (pure: plain data in, Table out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from attendance_portal.dates import monday_of
from registers import bands as band_words
from registers import codes, rates
from registers.bands import BAND_LABELS, Band
from registers.figures import WeekdayPattern
from registers.models import School

from . import disclosure, national
from .bands import CountRow, MatrixRow
from .breakdowns import Breakdown, GroupFigures
from .daily import WeekRow
from .disclosure import THRESHOLD, Withheld
from .national import Benchmark
from .periods import Period
from .tables import ChartSpec, Column, Kind, Table

PCT, GAP, COUNT = Kind.PCT, Kind.GAP, Kind.COUNT
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OFTEN_LATE = 5  # late sessions in the period that make a pupil "often late"

MEASURES = [
    ("attendance", "Attendance"),
    ("authorised", "Authorised absence"),
    ("unauthorised", "Unauthorised absence"),
    ("absence", "Overall absence"),
    # The national bands' names (registers.bands): the same lines, counted for the school.
    ("persistent", BAND_LABELS[Band.PERSISTENT]),
    ("severe", BAND_LABELS[Band.SEVERE]),
]


def one_place(value: Decimal) -> Decimal:
    """96.00 (as the school's settings store it) shown as 96.0, like every other rate."""
    return value.quantize(Decimal("0.1"))


band_label = band_words.label


# The headline rows that open a list of pupils in the staff drill-down.
HEADLINE_DRILL = {
    "attendance": ("school", "all"),
    "persistent": ("persistent", "yes"),
    "severe": ("severe", "yes"),
}


def headline_table(
    school: School,
    headline: GroupFigures,
    benches: list[Benchmark],
    link: Callable[[str, str], str | None] = lambda dimension, key: None,
) -> Table:
    columns = [Column("Measure"), Column(school.name, PCT), Column("School target", PCT)]
    columns += [Column(f"England: {b.label}", PCT) for b in benches]
    rows, links = [], []
    for key, title in MEASURES:
        target = one_place(school.target_pct) if key == "attendance" else None
        rows.append([title, getattr(headline, key), target, *(b.values.get(key) for b in benches)])
        links.append(link(*HEADLINE_DRILL[key]) if key in HEADLINE_DRILL else None)
    note = (
        "National figures are labelled with their year: the 2023/24 census is the latest "
        "full-year accredited statistic; the 2024/25 daily data is the most recent indicator."
        if benches
        else "The school's whole roll in this period. For England's figures, like for like "
        "(pupils aged 5 to 15, the year to date), see “Like for like with England”."
    )
    if headline.suppressed:
        note = (
            f"The school has fewer than {THRESHOLD} pupils with figures, so its figures are hidden."
        )
    if _withheld(rows):
        note += " " + disclosure.legend_text()
    return Table("headline", "Attendance and absence", columns, rows, links, note)


def breakdown_table(
    school: School, result: Breakdown, link: Callable[[str, str], str | None]
) -> Table:
    dim = result.dimension
    benches = {
        key: national.GROUP_BENCHMARKS.get((dim.key, key)) for key in (r.key for r in result.rows)
    }
    has_national = any(benches.values())
    columns = [
        Column(dim.title),
        Column("Pupils", COUNT),
        Column("Attendance", PCT),
        Column("Authorised absence", PCT),
        Column("Unauthorised absence", PCT),
        Column("Persistent absence", PCT),
        Column("Severe absence", PCT),
        Column("Attendance gap to others (points)", GAP),
        Column("Persistent absence gap to others (points)", GAP),
    ]
    if has_national:
        columns += [Column("England attendance", PCT), Column("England persistent absence", PCT)]
    rows, links = [], []
    for r in result.rows:
        row = [
            r.label,
            r.pupils,
            r.attendance,
            r.authorised,
            r.unauthorised,
            r.persistent,
            r.severe,
            r.attendance_gap,
            r.persistent_gap,
        ]
        if has_national:
            bench = benches[r.key]
            row += (
                [bench.values.get("attendance"), bench.values.get("persistent")]
                if bench
                else [
                    None,
                    None,
                ]
            )
        rows.append(row)
        links.append(None if r.suppressed else link(dim.key, r.key))
    sources = sorted({f"{b.source} ({b.scope})" for b in benches.values() if b})
    note = "Gap: the group's rate minus the rate of all other pupils of the school."
    if sources:
        note += " England: " + "; ".join(sources) + "."
    for extra in result.notes:
        note += " " + extra
    if _withheld(rows):
        note += " " + disclosure.legend_text()
    chart = ChartSpec("bar", [2], reference=("School target", one_place(school.target_pct)))
    return Table(dim.key, dim.section_title, columns, rows, links, note, chart)


def _week_index(monday: dt.date, first: dt.date) -> int:
    return (monday - monday_of(first)).days // 7 + 1


def trend_table(
    school: School, period: Period, this_year: list[WeekRow], last_year: list[WeekRow]
) -> Table:
    """Week n of this academic year beside week n of last year (weeks of school only)."""
    now = {_week_index(w.monday, period.year_start): w for w in this_year}
    before = {_week_index(w.monday, period.previous_year_start): w for w in last_year}
    rows = []
    for index in sorted(set(now) | set(before)):
        week, prior = now.get(index), before.get(index)
        rows.append(
            [
                f"Week {index}",
                week.monday.strftime("%-d %b %Y") if week else "–",
                rates.percent(week.attended, week.possible) if week else None,
                rates.percent(prior.attended, prior.possible) if prior else None,
            ]
        )
    columns = [
        Column("Week of the year"),
        Column("Week commencing"),
        Column("This year", PCT),
        Column("Last year", PCT),
    ]
    chart = ChartSpec("line", [2, 3], reference=("School target", one_place(school.target_pct)))
    note = (
        f"Attendance each week of {period.label} (to {period.end:%-d %b %Y}), beside the same "
        "week of last year; week 1 is the first week of the academic year."
    )
    return Table("trend", "Week by week", columns, rows, note=note, chart=chart)


def reasons_table(by_code: dict[str, int], possible: int) -> Table:
    absent_codes = codes.AUTHORISED_CODES | codes.UNAUTHORISED_CODES
    found = sorted(
        ((code, n) for code, n in by_code.items() if code in absent_codes and n),
        # Ties by code, not in the order the database returned the rows: the
        # same figures give the same report, from the stored counts or the marks.
        key=lambda item: (-item[1], item[0]),
    )
    total = sum(n for _, n in found)
    rows = [
        [
            f"{code} – {codes.BY_CODE[code].meaning}",
            "Authorised" if code in codes.AUTHORISED_CODES else "Unauthorised",
            n,
            rates.percent(n, possible),
            rates.percent(n, total),
        ]
        for code, n in found
    ]
    columns = [
        Column("Reason"),
        Column("Authorised?"),
        Column("Sessions", COUNT),
        Column("Share of possible sessions", PCT),
        Column("Share of absence", PCT),
    ]
    # The chart names each reason by its code and first words; the table has it in full.
    labels = [f"{code} {codes.BY_CODE[code].meaning.split(' (')[0][:22]}" for code, _ in found]
    chart = ChartSpec("bar", [3], horizontal=True, labels=labels)
    return Table("reasons", "Absence by reason", columns, rows, chart=chart)


def weekday_table(pattern: list[WeekdayPattern]) -> Table:
    rows = [
        [
            WEEKDAYS[p.weekday - 1],
            p.possible,
            rates.percent(p.absent, p.possible),
            rates.percent(p.late, p.possible),
        ]
        for p in pattern
    ]
    columns = [
        Column("Day"),
        Column("Possible sessions", COUNT),
        Column("Absence", PCT),
        Column("Late (L or U)", PCT),
    ]
    return Table("weekdays", "Day of the week", columns, rows, chart=ChartSpec("bar", [2, 3]))


def lateness_table(
    by_code: dict[str, int], df: pd.DataFrame, possible: int, withhold: bool
) -> Table:
    late_before, late_after = by_code.get("L", 0), by_code.get("U", 0)
    often = int((df["late"] >= OFTEN_LATE).sum()) if len(df) else 0
    often_cell: int | str = often
    if withhold:
        # Only the pupils often late are shown; the rest of the roll is their complement.
        marks = disclosure.counts({"often": often, "rest": len(df) - often}, len(df))
        if "often" in marks:
            often_cell = disclosure.as_cell(marks["often"])
    rows = [
        [
            "Late before the register closed (L, counts as present)",
            late_before,
            rates.percent(late_before, possible),
        ],
        [
            "Late after the register closed (U, unauthorised absence)",
            late_after,
            rates.percent(late_after, possible),
        ],
        [
            f"Pupils late {OFTEN_LATE} or more times",
            often_cell,
            rates.percent(often, len(df)) if isinstance(often_cell, int) else None,
        ],
    ]
    columns = [Column("Lateness"), Column("Number", COUNT), Column("Share", PCT)]
    note = "Shares of sessions are of possible sessions; the share of pupils is of all pupils."
    if isinstance(often_cell, Withheld):
        note += " " + disclosure.legend_text()
    return Table("lateness", "Lateness", columns, rows, note=note)


SHORT_LABELS = {
    "expected": "At or above target",
    "monitor": "Monitored",
    "concern": "Formal-meeting line",
    "persistent": "Persistent (10%+)",
    "severe": "Severe (50%+)",
    "better": "Better band",
    "same": "Same band",
    "worse": "Worse band",
    "new": "No comparison",
}


def count_table(
    name: str,
    title: str,
    first: str,
    counts: list[CountRow],
    link: Callable[[str], str | None],
    note: str = "",
) -> Table:
    rows = [[c.label, c.pupils, c.share] for c in counts]
    links = [None if c.suppressed or not c.pupils else link(c.key) for c in counts]
    if _withheld(rows):
        note += " " + disclosure.legend_text()
    columns = [Column(first), Column("Pupils", COUNT), Column("Share of pupils", PCT)]
    labels = [SHORT_LABELS.get(c.key, c.label) for c in counts]
    chart = ChartSpec("bar", [1], horizontal=True, unit="", labels=labels)
    return Table(name, title, columns, rows, links, note.strip(), chart)


def _withheld(rows: list[list]) -> bool:
    return any(isinstance(cell, Withheld) for row in rows for cell in row)


def matrix_table(matrix: list[MatrixRow], period: Period) -> Table:
    columns = [Column("Band last half-term")]
    columns += [Column(f"Now: {BAND_LABELS[b]}", COUNT) for b in Band]
    rows = [[m.label, *m.cells] for m in matrix]
    note = f"Rows: band in {period.previous.label if period.previous else '–'}; columns: now."
    return Table("matrix", "From band to band", columns, rows, note=note)
