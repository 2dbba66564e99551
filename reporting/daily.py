"""Whole-school patterns with pandas over the (day × code) counts of one query: the
week-by-week trend beside last year, the day-of-week pattern, absence by reason, lateness.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from registers import codes
from registers.figures import WeekdayPattern

from .periods import Period
from .selectors import DayCode

COLUMNS = ("possible", "attended", "authorised", "unauthorised", "late")
MEMBERS = {
    "possible": codes.POSSIBLE_CODES,
    "attended": codes.PRESENT_CODES | codes.AEA_CODES,
    "authorised": codes.AUTHORISED_CODES,
    "unauthorised": codes.UNAUTHORISED_CODES,
    "late": codes.LATE_CODES,
}


@dataclass(frozen=True)
class WeekRow:
    monday: dt.date
    possible: int
    attended: int


def day_frame(rows: list[DayCode]) -> pd.DataFrame:
    """One row per (day, code) with the sessions split into the DfE categories."""
    df = pd.DataFrame.from_records(
        [(r.date, r.code, r.sessions) for r in rows], columns=["date", "code", "sessions"]
    )
    for column, members in MEMBERS.items():
        df[column] = df["sessions"].where(df["code"].isin(members), 0)
    return df


def _between(df: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return df[(df["date"] >= start) & (df["date"] <= end)]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weeks(df: pd.DataFrame) -> list[WeekRow]:
    if df.empty:
        return []
    weekly = (
        df.assign(monday=df["date"].map(_monday)).groupby("monday")[["possible", "attended"]].sum()
    )
    return [
        WeekRow(monday, int(row.possible), int(row.attended))
        for monday, row in weekly.sort_index().iterrows()
    ]


def trend(
    df: pd.DataFrame, this_year: tuple[dt.date, dt.date], last_year: tuple[dt.date, dt.date]
) -> tuple[list[WeekRow], list[WeekRow]]:
    return _weeks(_between(df, *this_year)), _weeks(_between(df, *last_year))


def weekdays(df: pd.DataFrame, period: Period) -> list[WeekdayPattern]:
    """Absence and lateness by ISO weekday over the period (Monday/Friday patterns)."""
    rows = _between(df, period.start, period.end)
    if rows.empty:
        return []
    by_day = (
        rows.assign(weekday=rows["date"].map(lambda d: d.isoweekday()))
        .groupby("weekday")[list(COLUMNS)]
        .sum()
    )
    return [
        WeekdayPattern(
            weekday=int(day),
            possible=int(r.possible),
            absent=int(r.authorised + r.unauthorised),
            late=int(r.late),
        )
        for day, r in by_day.sort_index().iterrows()
    ]


def by_code(df: pd.DataFrame, period: Period) -> dict[str, int]:
    """Sessions per code over the period (reasons for absence, L and U for lateness)."""
    rows = _between(df, period.start, period.end)
    return {code: int(n) for code, n in rows.groupby("code")["sessions"].sum().items()}
