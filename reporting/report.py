"""Assemble a school's report for a period: the figures (selectors + pandas) laid out as
tables. The dashboard, the governors' page, the exports and the PDFs all come from here.

`aggregate_only=True` is the governors' version: small groups suppressed, no drill-down
links, no pupil-level tables; the frame it is built from never holds names or UPNs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from registers.models import School
from registers.rates import SessionCounts

from . import (
    bands,
    breakdowns,
    comparison,
    daily,
    interventions,
    movement,
    sections,
    selectors,
)
from .breakdowns import GroupFigures
from .movement import Snapshot
from .periods import Period
from .questions import questions_for
from .sections import one_place
from .suppression import MINIMUM_GROUP
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

    @property
    def has_data(self) -> bool:
        return self.headline.possible > 0

    @property
    def target(self) -> Decimal:
        return one_place(self.school.target_pct)

    @property
    def below_target(self) -> bool:
        attendance = self.headline.attendance
        return attendance is not None and attendance < self.school.target_pct

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
    rows), trust leads (aggregates), governors (`aggregate_only`: also suppressed)."""
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
    if aggregate_only or not pupil_level:
        drill = None
    if aggregate_only and 0 < headline.pupils < MINIMUM_GROUP:
        headline = breakdowns.hide(headline)

    def link(dimension: str, key: str) -> str | None:
        return drill(dimension, key) if drill else None

    # National figures sit in their own like-for-like table (reporting.comparison): pupils
    # aged 5 to 15 over the year to date, not the period's whole roll.
    tables = [
        sections.headline_table(school, headline, [], link),
        comparison.like_for_like_table(school=school, period=period, aggregate_only=aggregate_only),
    ]
    keys = breakdowns.AGGREGATE_DIMENSIONS if aggregate_only else list(breakdowns.DIMENSIONS)
    for result in breakdowns.breakdowns(df, keys):
        if aggregate_only:
            result = breakdowns.suppress(result)
        tables.append(sections.breakdown_table(school, result, link))

    this_year, last_year = daily.trend(day_codes, *selectors.trend_span(period))
    tables.append(sections.trend_table(school, period, this_year, last_year))
    reasons = daily.by_code(day_codes, period)
    tables.append(sections.reasons_table(reasons, headline.possible))
    tables.append(sections.weekday_table(daily.weekdays(day_codes, period)))
    tables.append(sections.lateness_table(reasons, df, headline.possible, aggregate_only))
    tables.append(
        sections.count_table(
            "bands",
            "Pupils in each band",
            "Band",
            bands.band_counts(df, hide_small=aggregate_only),
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
                bands.movement_counts(df, hide_small=aggregate_only),
                lambda key: link("movement", key),
                note=movement.describe(before, after),
            )
        )
        if not aggregate_only:
            tables.append(sections.matrix_table(bands.movement_matrix(df), period))
    if pupil_level:
        tables.append(interventions.impact_table(school=school, period=period, drill=drill))
    if aggregate_only:
        for table in tables:
            table.questions = questions_for(
                table.name, school=school, headline=headline, table=table
            )
    return Report(school, period, headline, tables, df, aggregate_only)


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
