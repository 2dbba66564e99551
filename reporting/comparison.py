"""Like for like with England (docs/domain.md §6 and §10): the national figures cover pupils
aged 5 to 15 over a full year (census) or the year so far (daily data), so the school's
figures beside them are its pupils aged 5 to 15 at the start of the academic year (as DfE
counts age), over the academic year to date, whatever period the page shows. Each national
column is the source's label; the note cites each source: publication, period, status, URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from registers import figures
from registers.models import School

from . import bands, breakdowns, disclosure, national
from .breakdowns import GroupFigures
from .periods import Period
from .sections import MEASURES
from .selectors import GROUP_FIELDS
from .tables import Column, Kind, Table

NAME = "national"
YOUNGEST, OLDEST = 5, 15


def age_band(year_start: dt.date) -> tuple[dt.date, dt.date]:
    """Birth dates of pupils aged 5 to 15 on 31 August before the academic year: the age
    DfE's absence statistics use (Year 1 to Year 11 in most schools)."""
    start_year = year_start.year if year_start.month >= 8 else year_start.year - 1
    day = dt.date(start_year, 8, 31)
    return dt.date(start_year - OLDEST - 1, 9, 1), day.replace(year=start_year - YOUNGEST)


@dataclass(frozen=True)
class AgeFigures:
    """The school's figures over the academic year to date: its pupils aged 5 to 15, and
    the whole roll (what disclosure control compares them with)."""

    aged: GroupFigures
    whole: GroupFigures
    bands: dict[str, int]  # the whole roll's pupils per band, for its disclosure plan
    start: dt.date
    end: dt.date


def school_figures(*, school: School, period: Period) -> AgeFigures:
    """The school's compulsory-age (5–15) figures over the academic year to the period's
    end: the same kind of period as the national figures."""
    start, end = period.year_start, period.end
    born_after, born_by = age_band(start)
    on_roll = figures.pupils_on_roll(school=school, start=start, end=end)
    pupils = list(on_roll.values_list(*GROUP_FIELDS).order_by("id"))
    aged_ids = set(
        on_roll.filter(date_of_birth__gte=born_after, date_of_birth__lte=born_by).values_list(
            "id", flat=True
        )
    )
    ids = [row[0] for row in pupils]
    counts = (
        figures.counts_by_pupil(school=school, start=start, end=end, pupil_ids=ids) if ids else {}
    )

    def frame(rows: list[tuple]):
        return breakdowns.pupil_frame(
            rows, counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
        )

    aged = breakdowns.whole_school(frame([row for row in pupils if row[0] in aged_ids]))
    whole = frame(pupils)
    return AgeFigures(aged, breakdowns.whole_school(whole), bands.band_values(whole), start, end)


def withheld(own: AgeFigures) -> dict[str, disclosure.Withheld]:
    """The school's cells governors and trust leads may not see, measure by measure.

    Its column is a subgroup of the year-to-date headline (pupils aged 5 to 15), so besides
    its own small counts it must not give away the rest by subtraction: the pupils outside
    5 to 15 (nursery, Reception, sixth form), or those of them persistently or severely
    absent, when they are 1 to 4 (rules 1 and 2 of reporting.disclosure)."""
    aged, whole = own.aged, own.whole
    everything = dict.fromkeys((key for key, _ in MEASURES), disclosure.PROTECTED)
    if disclosure.is_small(aged.pupils):
        return dict.fromkeys(everything, disclosure.SMALL)
    if disclosure.is_small(whole.pupils - aged.pupils):
        return everything
    # What the year-to-date headline withholds of the whole roll (a measure held by 1 to 4
    # pupils, or hidden to protect the band table) is not shown for a part of it either.
    plan = disclosure.plan(whole.pupils, whole.persistent_pupils, whole.severe_pupils, own.bands)
    hidden: dict[str, disclosure.Withheld] = {}
    for measure in (disclosure.PERSISTENT, disclosure.SEVERE):
        count = getattr(aged, f"{measure}_pupils") or 0
        rest = (getattr(whole, f"{measure}_pupils") or 0) - count
        if disclosure.is_small(count):
            hidden[measure] = disclosure.SMALL
        elif measure in plan.headline or disclosure.is_small(rest):
            hidden[measure] = disclosure.PROTECTED
    return hidden


def like_for_like_table(*, school: School, period: Period, aggregate_only: bool) -> Table:
    own = school_figures(school=school, period=period)
    hidden = withheld(own) if aggregate_only else {}
    benches = national.headline_benchmarks(school.phase)
    phase = school.get_phase_display().lower()
    columns = [
        Column("Measure"),
        Column(f"{school.name}: pupils aged 5 to 15, year to date", Kind.PCT),
    ]
    for bench in benches:
        where = f"{phase} schools" if bench.scope == school.phase else "all schools"
        columns.append(Column(f"England, {where}: {bench.source}", Kind.PCT))
    rows = []
    for key, title in MEASURES:
        value: Decimal | str | None = hidden.get(key, getattr(own.aged, key))
        rows.append([title, value, *(b.values.get(key) for b in benches)])
    return Table(NAME, "Like for like with England", columns, rows, [], _note(school, own, hidden))


def _note(school: School, own: AgeFigures, hidden: dict[str, disclosure.Withheld]) -> str:
    # The number of pupils aged 5 to 15 is a count like any other: withheld with the column.
    pupils = "pupils" if hidden.get("attendance") else f"{own.aged.pupils} pupils"
    parts = [
        f"The school's column: {pupils} aged 5 to 15 at the start of the year (as in the "
        f"national statistics, so not nursery, Reception or sixth form), from "
        f"{own.start:%-d %b %Y} to {own.end:%-d %b %Y}. A census figure is a full year: "
        "compare it exactly at the year's end. A dash: no national figure published for that "
        "measure.",
        "Sources: " + "; ".join(s.citation for s in _cited(school.phase)) + ".",
    ]
    if hidden:
        parts.append(
            "Figures shown as c or x are withheld to protect a small group (see how figures "
            "are protected)."
        )
    return " ".join(parts)


def _cited(phase: str) -> list[national.Source]:
    found: dict[str, national.Source] = {}
    for bench in national.headline_benchmarks(phase):
        if bench.origin is not None:
            found.setdefault(bench.origin.key, bench.origin)
    for source in national.phase_sources(phase).values():
        found.setdefault(source.key, source)
    return list(found.values())
