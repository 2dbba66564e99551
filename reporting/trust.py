"""The trust view: every school of a trust side by side, the sheet a trust's attendance
lead keeps (DOMAIN.md §9), computed from each school's own calendar.

Each school has its own half-terms, so figures are per school: the year to date (as the
DfE daily-data tool counts it) plus the current half-term against the one before. A fixed
handful of queries per school, however many pupils it has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from registers import figures, rates
from registers.models import School, Trust

from . import breakdowns, selectors
from .periods import YTD, resolve_period
from .tables import ChartSpec, Column, Kind, Table


@dataclass(frozen=True)
class SchoolRow:
    school: School
    pupils: int
    attendance: Decimal | None  # year to date
    half_term: Decimal | None  # the current half-term
    change: Decimal | None  # current half-term minus the previous one, points
    authorised: Decimal | None
    unauthorised: Decimal | None
    persistent: Decimal | None
    severe: Decimal | None
    pp_gap: Decimal | None
    send_gap: Decimal | None
    period_label: str


SORTS = {
    "name": ("School", lambda r: r.school.name),
    "pupils": ("Pupils", lambda r: r.pupils),
    "attendance": ("Attendance (year to date)", lambda r: r.attendance),
    "half_term": ("Attendance (this half-term)", lambda r: r.half_term),
    "change": ("Change on last half-term", lambda r: r.change),
    "authorised": ("Authorised", lambda r: r.authorised),
    "unauthorised": ("Unauthorised", lambda r: r.unauthorised),
    "persistent": ("Persistent absence", lambda r: r.persistent),
    "severe": ("Severe absence", lambda r: r.severe),
    "pp_gap": ("Pupil premium gap", lambda r: r.pp_gap),
    "send_gap": ("SEND gap", lambda r: r.send_gap),
}


def school_row(school: School, today: dt.date) -> SchoolRow | None:
    ytd = resolve_period(school=school, key=YTD, today=today)
    if ytd is None:
        return None
    current = resolve_period(school=school, key=None, today=today)
    previous = current.previous
    # One scan of the school's marks for the year to date, this half-term and the last
    # one (three scans before: a third of the trust view's time).
    ranges = [(ytd.start, ytd.end), (current.start, current.end)]
    if previous is not None:
        ranges.append((previous.start, previous.end))
    counts, this_term, *last_term = figures.counts_by_pupil_over(school=school, ranges=ranges)
    pupils = selectors.pupil_values(school=school, start=ytd.start, end=ytd.end)
    df = breakdowns.pupil_frame(
        pupils, counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct
    )
    whole = breakdowns.whole_school(df)
    now = rates.summed(this_term.values())
    half_term = rates.attendance_pct(now)
    change = None
    if last_term:
        before = rates.summed(last_term[0].values())
        if before.possible and now.possible:
            change = rates.percent(
                now.attended * before.possible - before.attended * now.possible,
                now.possible * before.possible,
            )
    has_pupils = len(df) > 0
    return SchoolRow(
        school=school,
        pupils=whole.pupils,
        attendance=whole.attendance,
        half_term=half_term,
        change=change,
        authorised=whole.authorised,
        unauthorised=whole.unauthorised,
        persistent=whole.persistent,
        severe=whole.severe,
        pp_gap=breakdowns.gap_for(df, df["pupil_premium"]) if has_pupils else None,
        send_gap=breakdowns.gap_for(df, df["sen"] != "N") if has_pupils else None,
        period_label=str(current.half_term) if current.half_term else "",
    )


def trust_rows(trust: Trust, *, today: dt.date, sort: str = "name") -> list[SchoolRow]:
    schools = School.objects.filter(trust=trust).order_by("name")
    with selectors.report_reads():
        rows = [row for s in schools if (row := school_row(s, today)) is not None]
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = "name", "name"
    getter = SORTS[key][1]
    present = [r for r in rows if getter(r) is not None]
    missing = [r for r in rows if getter(r) is None]
    present.sort(key=getter, reverse=sort.startswith("-"))
    return present + missing  # schools without a figure go last either way


def trust_table(rows: list[SchoolRow]) -> Table:
    kinds = {
        "name": Kind.TEXT,
        "pupils": Kind.COUNT,
        "change": Kind.GAP,
        "pp_gap": Kind.GAP,
        "send_gap": Kind.GAP,
    }
    columns = [Column(title, kinds.get(key, Kind.PCT)) for key, (title, _) in SORTS.items()]
    table_rows = [[getter(r) for _, getter in SORTS.values()] for r in rows]
    note = (
        "Year-to-date figures from each school's own calendar. Gaps: the group's attendance "
        "minus other pupils' (points); SEND means SEN support or an EHC plan."
    )
    return Table(
        "trust",
        "Schools of the trust",
        columns,
        table_rows,
        note=note,
        chart=ChartSpec("bar", [2]),
    )
