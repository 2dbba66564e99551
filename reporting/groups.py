"""Figures by group (year, form, PP, FSM, SEND, EAL, social worker, looked after, young
carer …) and pupils per band, for a date range, as plain rows: what the API serves.

The same frame, breakdowns and disclosure plan as the school's report (reporting.report):
`withhold=True` (aggregate-only readers: governors, trust leads, aggregate API tokens) hides
small numbers exactly as their pages do; staff-level readers get exact figures. A trust is
one population here: its schools' pupils in one frame (each pupil banded by their own
school's policy), planned as one, and then withheld further wherever subtracting the
schools' own figures (which the same reader sees) would name a school's small group
(reporting.pooled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from registers.models import School

from . import bands, breakdowns, disclosure, pooled, selectors
from .breakdowns import GroupFigures
from .report import withheld_headline

FIGURES = (
    "pupils",
    "possible",
    "attendance",
    "authorised",
    "unauthorised",
    "absence",
    "persistent",
    "severe",
    "attendance_gap",
    "persistent_gap",
)


@dataclass(frozen=True)
class Groups:
    rows: list[dict]  # the whole school (dimension "school") first, then each breakdown
    bands: list[dict]  # band, label, pupils, share


def _frames(schools: list[School], start: dt.date, end: dt.date) -> list[pd.DataFrame]:
    frames = []
    for school in schools:
        pupils = selectors.pupil_values(school=school, start=start, end=end)
        counts = selectors.pupil_counts(school=school, start=start, end=end)
        frames.append(
            breakdowns.pupil_frame(
                pupils, counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
            )
        )
    return frames


def _row(figures: GroupFigures, dimension_label: str) -> dict:
    row = {
        "dimension": figures.dimension,
        "dimension_label": dimension_label,
        "key": figures.key,
        "label": figures.label,
    }
    row.update({name: getattr(figures, name) for name in FIGURES})
    row["suppressed"] = figures.suppressed
    return row


def group_figures(
    *, schools: list[School], start: dt.date, end: dt.date, withhold: bool, forms: bool
) -> Groups:
    """The figures of one school (or a trust's schools together) by group. `forms`: with
    the form breakdown (a form is one teacher's class: never for governors or a trust)."""
    frames = _frames(schools, start, end)
    keys = list(breakdowns.DIMENSIONS) if forms else breakdowns.AGGREGATE_DIMENSIONS
    if withhold and len(frames) > 1:
        return _pooled(frames, keys)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    headline = breakdowns.whole_school(df)
    plan = None
    if withhold:
        plan = disclosure.plan(
            headline.pupils,
            headline.persistent_pupils,
            headline.severe_pupils,
            bands.band_values(df),
        )
        headline = withheld_headline(headline, plan)
    rows = [_row(headline, "Whole school")]
    band_rows = bands.band_counts(df, marks=plan.bands if plan else None)
    if withhold and headline.suppressed:
        # 1–4 pupils in all: any breakdown would be about them.
        band_rows = [
            bands.CountRow(r.key, r.label, disclosure.PROTECTED, disclosure.PROTECTED)
            for r in band_rows
        ]
        return Groups(rows, [_band(r) for r in band_rows])
    for result in breakdowns.breakdowns(df, keys):
        if plan is not None:
            result = breakdowns.withhold(result, plan)
            if result is None:
                continue
        rows += [_row(r, result.dimension.title) for r in result.rows]
    return Groups(rows, [_band(r) for r in band_rows])


def _pooled(frames: list[pd.DataFrame], keys: list[str]) -> Groups:
    """A trust's schools together, withheld against each school's own figures too
    (reporting.pooled): a trust's reader can see those and subtract."""
    found = pooled.pooled(frames, keys)
    df = pd.concat(frames, ignore_index=True)
    headline = breakdowns.whole_school(df)
    if found.everything:
        return Groups(
            [_row(breakdowns.hide(headline, disclosure.PROTECTED), "Whole school")],
            [
                _band(bands.CountRow(r.key, r.label, disclosure.PROTECTED, disclosure.PROTECTED))
                for r in bands.band_counts(df)
            ],
        )
    rows = [_row(withheld_headline(headline, found.plan), "Whole school")]
    for result in found.results:
        rows += [_row(r, result.dimension.title) for r in result.rows]
    return Groups(rows, [_band(r) for r in bands.band_counts(df, marks=found.plan.bands)])


def _band(row: bands.CountRow) -> dict:
    return {"band": row.key, "label": row.label, "pupils": row.pupils, "share": row.share}
