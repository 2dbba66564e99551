"""Assemble a school's report for a period: the figures (selectors + pandas) laid out as
tables. The dashboard, the governors' page, the exports and the PDFs all come from here.

`aggregate_only=True` is the governors' version: no drill-down links, no pupil-level
tables; the frame it is built from never holds names or UPNs. Every report that is not
`pupil_level` (governors, trust leads) goes through reporting.disclosure: small numbers
withheld, so that no pupil can be singled out from it or from its exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd

from registers.models import School
from registers.rates import SessionCounts

from . import (
    bands,
    breakdowns,
    comparison,
    daily,
    disclosure,
    interventions,
    movement,
    sections,
    selectors,
)
from .breakdowns import GroupFigures
from .movement import Snapshot
from .periods import YTD, Period
from .questions import questions_for
from .sections import one_place
from .tables import Table

Drill = Callable[[str, str], str | None]


@dataclass
class Report:
    school: School
    period: Period
    headline: GroupFigures
    tables: list[Table]
    frame: pd.DataFrame = field(repr=False)
    aggregate_only: bool = False
    withheld: bool = False  # the disclosure rules applied (governors, trust leads)

    @property
    def has_data(self) -> bool:
        return self.headline.possible > 0

    @property
    def target(self) -> Decimal:
        return one_place(self.school.target_pct)

    @property
    def below_target(self) -> bool:
        attendance = self.headline.attendance
        return isinstance(attendance, Decimal) and attendance < self.school.target_pct

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


def pupil_frame(
    *,
    school: School,
    period: Period,
    moves: tuple[Snapshot, Snapshot] | None = None,
    counts: dict[int, SessionCounts] | None = None,
) -> pd.DataFrame:
    """The frame behind every breakdown: one Pupil .values() and the period's counts per
    pupil (one counts_by_pupil call unless given), plus the band snapshots of band
    movement when given."""
    pupils = selectors.pupil_values(school=school, start=period.start, end=period.end)
    if counts is None:
        counts = selectors.pupil_counts(school=school, start=period.start, end=period.end)
    return breakdowns.pupil_frame(
        pupils,
        counts,
        movement=(moves[0].bands, moves[1].bands) if moves else None,
        target_pct=school.target_pct,
        formal_pct=school.formal_meeting_pct,
    )


def build_report(
    *,
    school: School,
    period: Period,
    aggregate_only: bool = False,
    pupil_level: bool = False,
    drill: Drill | None = None,
) -> Report:
    """The report for an audience: staff (`pupil_level`: drill-down links and per-case
    rows, exact figures), trust leads (aggregates with small numbers withheld), governors
    (`aggregate_only`: the same, without forms and with questions)."""
    with selectors.report_reads():
        return _build(school, period, aggregate_only, pupil_level, drill)


def _build(
    school: School, period: Period, aggregate_only: bool, pupil_level: bool, drill: Drill | None
) -> Report:
    moves = movement.band_movement(school=school, period=period)
    # One scan of the period's marks feeds the breakdowns and, with one query for last
    # year's weeks, the trend, the weekday pattern, reasons and lateness.
    counts, day_codes = selectors.period_counts(school=school, period=period)
    df = pupil_frame(school=school, period=period, moves=moves, counts=counts)
    headline = breakdowns.whole_school(df)
    withhold = aggregate_only or not pupil_level
    if withhold:
        drill = None
    plan = None
    if withhold:
        plan = disclosure.plan(
            headline.pupils,
            headline.persistent_pupils,
            headline.severe_pupils,
            bands.band_values(df),
        )
        headline = withheld_headline(headline, plan)

    def link(dimension: str, key: str) -> str | None:
        return drill(dimension, key) if drill else None

    # National figures sit in their own like-for-like table (reporting.comparison): pupils
    # aged 5 to 15 over the year to date, not the period's whole roll.
    tables = [
        sections.headline_table(school, headline, [], link),
        comparison.like_for_like_table(school=school, period=period, aggregate_only=withhold),
    ]
    if withhold and headline.suppressed:
        # 1–4 pupils in all: every other table (even of sessions) would be about them.
        return Report(school, period, headline, tables[:1], df, aggregate_only, withhold)
    keys = breakdowns.AGGREGATE_DIMENSIONS if aggregate_only else list(breakdowns.DIMENSIONS)
    for result in breakdowns.breakdowns(df, keys):
        if plan is not None:
            result = breakdowns.withhold(result, plan)
            if result is None:
                continue
        tables.append(sections.breakdown_table(school, result, link))

    this_year, last_year = daily.trend(day_codes, *selectors.trend_span(period))
    tables.append(sections.trend_table(school, period, this_year, last_year))
    reasons = daily.by_code(day_codes, period)
    tables.append(sections.reasons_table(reasons, headline.possible))
    tables.append(sections.weekday_table(daily.weekdays(day_codes, period)))
    tables.append(sections.lateness_table(reasons, df, headline.possible, withhold))
    tables.append(
        sections.count_table(
            "bands",
            "Pupils in each band",
            "Band",
            bands.band_counts(df, marks=plan.bands if plan else None),
            lambda key: link("band", key),
            note=f"Bands use the school's target of {one_place(school.target_pct)}% and the "
            f"formal-meeting line of {one_place(school.formal_meeting_pct)}%; the national lines "
            "(persistent 10%, severe 50% of sessions missed) come first.",
        )
    )
    if moves is not None:
        before, after = moves
        tables.append(
            sections.count_table(
                "movement",
                "Band movement since the last half-term",
                "Movement",
                bands.movement_counts(df, withhold=withhold),
                lambda key: link("movement", key),
                note=movement.describe(before, after),
            )
        )
        if not withhold:
            tables.append(sections.matrix_table(bands.movement_matrix(df), period))
    if pupil_level:
        tables.append(interventions.impact_table(school=school, period=period, drill=drill))
    if aggregate_only:
        for table in tables:
            table.questions = questions_for(
                table.name, school=school, headline=headline, table=table
            )
    return Report(school, period, headline, tables, df, aggregate_only, withhold)


def earlier_headline(
    *, school: School, period: Period, withhold: bool
) -> tuple[str, GroupFigures] | None:
    """The whole school's figures to compare the period's with, "since the last half-term":
    the year to date as it stood at the end of the last half-term for the year to date,
    otherwise the last half-term itself. Withheld as the period's own headline is, so a
    change is only ever the difference of two figures the reader may see anyway.
    None when there is no earlier half-term. Two queries (the roll and the counts)."""
    window = period.previous
    if window is None or period.is_empty:
        return None
    start, label = window.start, window.label
    if period.key == YTD:
        start, label = period.year_start, f"the year to date at the end of {window.label}"
    if start > window.end:
        return None
    with selectors.report_reads():
        pupils = selectors.pupil_values(school=school, start=start, end=window.end)
        counts = selectors.pupil_counts(school=school, start=start, end=window.end)
    df = breakdowns.pupil_frame(
        pupils, counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
    )
    headline = breakdowns.whole_school(df)
    if withhold:
        plan = disclosure.plan(
            headline.pupils,
            headline.persistent_pupils,
            headline.severe_pupils,
            bands.band_values(df),
        )
        headline = withheld_headline(headline, plan)
    return label, headline


def withheld_headline(headline: GroupFigures, plan: disclosure.Plan) -> GroupFigures:
    """The whole school's figures as governors and trust leads see them."""
    if disclosure.is_small(headline.pupils):
        return breakdowns.hide(headline, disclosure.SMALL)
    changes = {measure: disclosure.as_cell(symbol) for measure, symbol in plan.headline.items()}
    changes.update({f"{measure}_pupils": None for measure in plan.headline})
    return replace(headline, **changes)


def group_title(dimension: str, key: str, period: Period) -> str:
    """A heading for the drill-down page, e.g. "SEN support · Autumn 1 2025/26"."""
    if dimension in breakdowns.DIMENSIONS:
        label = breakdowns.DIMENSIONS[dimension].label_of(key)
    elif dimension in ("band", "band_before", "band_after"):
        label = sections.band_label(key)
    elif dimension == "movement":
        label = bands.MOVEMENT_LABELS.get(key, key)
    elif dimension in ("persistent", "severe"):
        label = f"{dimension.title()} absence"
    else:
        label = "Whole school"
    return f"{label} · {period.label}"
