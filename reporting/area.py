"""The local authority's view: every school with the LA's number side by side, beside the
national figures (issue 18). A local authority's attendance team follows every school in
its area (the 2024 guidance's termly targeted-support meetings) but never works with a
pupil here: the rows are the trust view's (reporting.trust.school_rows, through
reporting.disclosure), so whatever computes those figures computes these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from registers.models import School

from . import national
from .tables import Cell, Column, Kind, Table
from .trust import SchoolRow, school_rows, trust_table

# The national measures, in the order of the schools' table.
MEASURES = (
    ("Attendance", national.ATTENDANCE),
    ("Authorised", national.AUTHORISED),
    ("Unauthorised", national.UNAUTHORISED),
    ("Persistent absence", national.PERSISTENT),
    ("Severe absence", national.SEVERE),
)


def area_schools(la_number: str) -> QuerySet[School]:
    """The schools of an LA number (none for a blank one)."""
    if not la_number:
        return School.objects.none()
    return School.objects.filter(la_number=la_number).order_by("name")


def area_rows(la_number: str, *, today: dt.date, sort: str = "name") -> list[SchoolRow]:
    return school_rows(area_schools(la_number), today=today, sort=sort)


def area_table(rows: list[SchoolRow]) -> Table:
    return trust_table(rows, name="schools", title="Schools of the local authority")


def national_table(phases: Iterable[str]) -> Table:
    """England, then each phase the LA's schools have, from reporting/data (each row says
    its source: the census and the daily data measure different years)."""
    benchmarks = [national.england()]
    for phase in sorted(set(phases)):
        found = national.phase_figures(phase)
        if found is not None:
            benchmarks.append(found)
    columns = [Column("Comparison", Kind.TEXT)] + [Column(t, Kind.PCT) for t, _ in MEASURES]
    rows: list[list[Cell]] = [
        [b.label, *(b.values.get(key) for _, key in MEASURES)] for b in benchmarks
    ]
    sources = {b.origin.citation for b in benchmarks if b.origin is not None}
    return Table(
        "national",
        "National figures",
        columns,
        rows,
        note="Sources: " + "; ".join(sorted(sources)) + ".",
    )
