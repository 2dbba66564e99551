"""The trust view: every school of a trust side by side, the sheet a trust's attendance
lead keeps (docs/domain.md §9), computed from each school's own calendar. The local
authority's view (reporting/area.py) is the same rows for the schools of an LA number:
`school_rows` takes any set of schools.

Each school has its own half-terms, so figures are per school: the year to date (as the
DfE daily-data tool counts it) plus the current half-term against the one before. A fixed
handful of queries per school, however many pupils it has.

Trust leads do not work with the pupils, so their figures go through reporting.disclosure
as the governors' do: the same plan as the school's own report for the year to date, so
the trust view and that report agree cell for cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from registers import figures, rates
from registers.models import School, Trust

from . import bands, breakdowns, disclosure, selectors
from .disclosure import Withheld
from .periods import YTD, resolve_period
from .tables import ChartSpec, Column, Kind, Table

Figure = Decimal | Withheld | None


@dataclass(frozen=True)
class SchoolRow:
    school: School
    pupils: int | Withheld
    attendance: Figure  # year to date
    half_term: Figure  # the current half-term
    change: Figure  # current half-term minus the previous one, points
    authorised: Figure
    unauthorised: Figure
    persistent: Figure
    severe: Figure
    pp_gap: Figure
    send_gap: Figure
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


def school_row(school: School, today: dt.date, *, withhold: bool = True) -> SchoolRow | None:
    """The school's row; `withhold=False` gives the exact figures (tests of the sums)."""
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
    plan = disclosure.plan(
        whole.pupils, whole.persistent_pupils, whole.severe_pupils, bands.band_values(df)
    )
    hidden = plan.headline if withhold else {}
    label = str(current.half_term) if current.half_term else ""
    if withhold and disclosure.is_small(whole.pupils):  # 1–4 pupils: nothing of it is shown
        return SchoolRow(school, *[disclosure.SMALL] * 10, period_label=label)
    return SchoolRow(
        school=school,
        pupils=whole.pupils,
        attendance=whole.attendance,
        half_term=half_term,
        change=change,
        authorised=whole.authorised,
        unauthorised=whole.unauthorised,
        persistent=disclosure.headline_value(whole.persistent, hidden.get("persistent")),
        severe=disclosure.headline_value(whole.severe, hidden.get("severe")),
        pp_gap=_gap(df, df["pupil_premium"], withhold),
        send_gap=_gap(df, df["sen"] != "N", withhold),
        period_label=label,
    )


def _gap(df, mask, withhold: bool) -> Figure:
    """A group's attendance gap to the rest, withheld when either side has 1–4 pupils."""
    if not len(df):
        return None
    inside = int(mask.sum())
    if withhold and (disclosure.is_small(inside) or disclosure.is_small(len(df) - inside)):
        return disclosure.SMALL
    return breakdowns.gap_for(df, mask)


def trust_rows(trust: Trust, *, today: dt.date, sort: str = "name") -> list[SchoolRow]:
    schools = School.objects.filter(trust=trust).order_by("name")
    return school_rows(schools, today=today, sort=sort)


def school_rows(
    schools: Iterable[School], *, today: dt.date, sort: str = "name"
) -> list[SchoolRow]:
    """Each school's row (small numbers withheld), sorted by a SORTS key (`-key`: down)."""
    with selectors.report_reads():
        rows = [row for s in schools if (row := school_row(s, today)) is not None]
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = "name", "name"
    getter = SORTS[key][1]
    # Schools without a figure (none, or withheld) go last either way.
    present = [r for r in rows if getter(r) is not None and not isinstance(getter(r), Withheld)]
    missing = [r for r in rows if r not in present]
    present.sort(key=getter, reverse=sort.startswith("-"))
    return present + missing  # schools without a figure go last either way


def trust_table(
    rows: list[SchoolRow], *, name: str = "trust", title: str = "Schools of the trust"
) -> Table:
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
        "minus other pupils' (points); SEND means SEN support or an EHC plan. "
        + disclosure.legend_text()
    )
    return Table(
        name,
        title,
        columns,
        table_rows,
        note=note,
        chart=ChartSpec("bar", [2]),
    )
