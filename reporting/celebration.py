"""The weekly celebration: the form attendance league, for assembly.

Classes, not individuals (docs/domain.md §9): no pupil is named, and a form's figure is its
pupils' sessions summed, so one pupil's long illness is never singled out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from attendance_portal.dates import monday_of, parse_date
from registers import rates
from registers.models import School

from . import selectors


@dataclass(frozen=True)
class LeagueRow:
    rank: int
    form: str
    attendance: Decimal | None
    late: int
    winner: bool


@dataclass(frozen=True)
class League:
    monday: dt.date
    rows: list[LeagueRow]
    previous: dt.date | None
    following: dt.date | None

    @property
    def winners(self) -> list[LeagueRow]:
        return [r for r in self.rows if r.winner]


def read_week(value: str | None, today: dt.date) -> tuple[dt.date, str]:
    """?week=YYYY-MM-DD (any day of the week): its Monday, and '' when it was usable; this
    week and the reason when it was malformed or outside attendance_portal.dates' bounds."""
    if not value:
        return monday_of(today), ""
    try:
        return monday_of(parse_date(value)), ""
    except ValueError as exc:
        return monday_of(today), str(exc)


def build_league(*, school: School, monday: dt.date, today: dt.date) -> League:
    forms = selectors.form_week(school=school, monday=monday)
    scored = [(rates.percent(f.attended, f.possible), f) for f in forms if f.possible]
    # Highest attendance first; forms with the same figure share a place (and a win).
    scored.sort(key=lambda item: (-(item[0] or 0), item[1].form))
    rows: list[LeagueRow] = []
    for position, (pct, form) in enumerate(scored, start=1):
        tied = rows and rows[-1].attendance == pct
        rank = rows[-1].rank if tied else position
        rows.append(LeagueRow(rank, form.form, pct, form.late, rank == 1))
    weeks = selectors.school_weeks(school=school, around=max(monday, monday_of(today)))
    earlier = [w for w in weeks if w < monday]
    later = [w for w in weeks if monday < w <= monday_of(today)]
    return League(
        monday=monday,
        rows=rows,
        previous=earlier[-1] if earlier else None,
        following=later[0] if later else None,
    )
