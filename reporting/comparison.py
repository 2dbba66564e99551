"""Like for like with England (DOMAIN.md §6 and §10): the national figures cover pupils
aged 5 to 15 over a full year (census) or the year so far (daily data), so the school's
figures beside them are its pupils aged 5 to 15 at the start of the academic year (as DfE
counts age), over the academic year to date, whatever period the page shows. Each national
column is the source's label; the note cites each source: publication, period, status, URL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from registers import figures
from registers.models import School

from . import breakdowns, national
from .breakdowns import GroupFigures
from .periods import Period
from .sections import MEASURES
from .selectors import GROUP_FIELDS
from .suppression import FEWER_THAN, MINIMUM_GROUP
from .tables import Column, Kind, Table

NAME = "national"
YOUNGEST, OLDEST = 5, 15


def age_band(year_start: dt.date) -> tuple[dt.date, dt.date]:
    """Birth dates of pupils aged 5 to 15 on 31 August before the academic year: the age
    DfE's absence statistics use (Year 1 to Year 11 in most schools)."""
    start_year = year_start.year if year_start.month >= 8 else year_start.year - 1
    day = dt.date(start_year, 8, 31)
    return dt.date(start_year - OLDEST - 1, 9, 1), day.replace(year=start_year - YOUNGEST)


def school_figures(*, school: School, period: Period) -> tuple[GroupFigures, dt.date, dt.date]:
    """The school's compulsory-age (5–15) figures over the academic year to the period's
    end: the same kind of period as the national figures."""
    start, end = period.year_start, period.end
    born_after, born_by = age_band(start)
    pupils = list(
        figures.pupils_on_roll(school=school, start=start, end=end)
        .filter(date_of_birth__gte=born_after, date_of_birth__lte=born_by)
        .values_list(*GROUP_FIELDS)
        .order_by("id")
    )
    ids = [row[0] for row in pupils]
    counts = (
        figures.counts_by_pupil(school=school, start=start, end=end, pupil_ids=ids) if ids else {}
    )
    df = breakdowns.pupil_frame(
        pupils, counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
    )
    return breakdowns.whole_school(df), start, end


def like_for_like_table(*, school: School, period: Period, aggregate_only: bool) -> Table:
    own, start, end = school_figures(school=school, period=period)
    hidden = aggregate_only and 0 < own.pupils < MINIMUM_GROUP
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
        value: Decimal | str | None = FEWER_THAN if hidden else getattr(own, key)
        rows.append([title, value, *(b.values.get(key) for b in benches)])
    return Table(
        NAME,
        "Like for like with England",
        columns,
        rows,
        [],
        _note(school, own, start, end, hidden),
    )


def _note(school: School, own: GroupFigures, start: dt.date, end: dt.date, hidden: bool) -> str:
    pupils = f"{FEWER_THAN} pupils" if hidden else f"{own.pupils} pupils"
    parts = [
        f"The school's column: {pupils} aged 5 to 15 at the start of the year (as in the "
        f"national statistics, so not nursery, Reception or sixth form), from "
        f"{start:%-d %b %Y} to {end:%-d %b %Y}. A census figure is a full year: compare it "
        "exactly at the year's end. A dash: no national figure published for that measure.",
        "Sources: " + "; ".join(s.citation for s in _cited(school.phase)) + ".",
    ]
    return " ".join(parts)


def _cited(phase: str) -> list[national.Source]:
    found: dict[str, national.Source] = {}
    for bench in national.headline_benchmarks(phase):
        if bench.origin is not None:
            found.setdefault(bench.origin.key, bench.origin)
    for source in national.phase_sources(phase).values():
        found.setdefault(source.key, source)
    return list(found.values())
