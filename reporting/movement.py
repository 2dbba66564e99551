"""Band movement since the last half-term: each pupil's year-to-date band at the end of
the previous half-term against their year-to-date band at the end of the period.

Both sides use the year to date, as the nightly sweep stores it and as schools review
bands "at the end of each half-term" (docs/domain.md §9). The stored figures (escalation's
PupilFigure) are used when the sweep has run in the window: they are what the school saw
at the time, and "nothing recomputes the past". Without them, the same figure is worked
out from the marks. Two queries per side at most, whatever the number of pupils.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from escalation.models import PupilFigure
from registers import figures
from registers.models import School

from .bands import bands_for
from .periods import Period

STORED = "the nightly stored figures"
FROM_MARKS = "the marks"


@dataclass(frozen=True)
class Snapshot:
    bands: dict[int, str]
    as_of: dt.date
    source: str


def stored_snapshot(*, school: School, start: dt.date, end: dt.date) -> Snapshot | None:
    """Bands of the last night the sweep stored in [start, end], if it stored any."""
    nights = PupilFigure.objects.for_school(school).filter(as_of__gte=start, as_of__lte=end)
    night = nights.aggregate(night=Max("as_of"))["night"]
    if night is None:
        return None
    rows = (
        PupilFigure.objects.for_school(school)
        .on(night)
        .exclude(band="")
        .values_list("pupil_id", "band")
    )
    return Snapshot(dict(rows), night, STORED)


def marks_snapshot(*, school: School, day: dt.date) -> Snapshot:
    start, end = figures.year_to_date(day)
    counts = figures.counts_by_pupil(school=school, start=start, end=end)
    bands = bands_for(counts, target_pct=school.target_pct, formal_pct=school.formal_meeting_pct)
    return Snapshot(bands, day, FROM_MARKS)


def snapshot(*, school: School, start: dt.date, end: dt.date) -> Snapshot:
    return stored_snapshot(school=school, start=start, end=end) or marks_snapshot(
        school=school, day=end
    )


def band_movement(*, school: School, period: Period) -> tuple[Snapshot, Snapshot] | None:
    """(before, after) snapshots, or None when there is no previous half-term."""
    if period.previous is None or period.is_empty:
        return None
    before = snapshot(school=school, start=period.previous.start, end=period.previous.end)
    after = snapshot(school=school, start=period.start, end=period.end)
    return before, after


def describe(before: Snapshot, after: Snapshot) -> str:
    source = before.source if before.source == after.source else f"{STORED} and {FROM_MARKS}"
    return (
        f"Each pupil's year-to-date band on {after.as_of:%-d %b %Y} against their band on "
        f"{before.as_of:%-d %b %Y} (the last half-term), from {source}."
    )
