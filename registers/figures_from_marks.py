"""The figures counted straight from the marks: the DfE method as the portal computed it
before the stored figures (registers.models.WeekCount), kept as the reference the stored
figures are checked against (the property test, before-and-after comparisons of reports).

Reports never read these: they sum the stored rows (registers.figures)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from django.db.models import Count

from registers.figures import _fold, counted_marks, pupils_on_roll
from registers.models import School, SchoolDay
from registers.rates import SessionCounts


def counts_by_pupil(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> dict[int, SessionCounts]:
    """Session counts per pupil id of the marks that count in [start, end]."""
    rows = (
        counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .values_list("pupil_id", "code_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _fold(rows, covers=[[0]], ranges=1)[0]


def counts_by_day_and_code(
    *, school: School, start: dt.date, end: dt.date
) -> dict[tuple[dt.date, str], int]:
    """Counted sessions per day and code."""
    rows = (
        counted_marks(school=school, start=start, end=end)
        .values_list("date", "code_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(day, code): n for day, code, n in rows}


def unmarked_by_pupil(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    pupil_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """Open sessions of [start, end] on which the pupil was on roll and has no mark: the
    on-roll open sessions (running totals over the school days) less the counted marks."""
    if end < start:
        return {}
    days = list(
        SchoolDay.objects.for_school(school)
        .between(start, end)
        .order_by("date")
        .values_list("date", "am_open", "pm_open")
    )
    if not days:
        return {}
    dates = [d for d, _, _ in days]
    running = [0]
    for _, am, pm in days:
        running.append(running[-1] + int(am) + int(pm))
    pupils = pupils_on_roll(school=school, start=start, end=end)
    if pupil_ids is not None:
        pupils = pupils.filter(pk__in=list(pupil_ids))
    marked = dict(
        counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .values_list("pupil_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {}
    for pk, admitted, left in pupils.values_list("pk", "admission_date", "leaving_date"):
        first = bisect_left(dates, admitted)
        last = bisect_right(dates, left) if left is not None else len(dates)
        sessions = running[last] - running[first] if last > first else 0
        missing = sessions - marked.get(pk, 0)
        if missing > 0:
            found[pk] = missing
    return found


def counts_by_code(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Counted sessions per code."""
    rows = (
        counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .values_list("code_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def sessions_by_pupil_and_code(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    codes: Iterable[str] | None = None,
    pupil_ids: Iterable[int] | None = None,
) -> dict[int, dict[str, int]]:
    marks = counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
    if codes is not None:
        marks = marks.filter(code_id__in=list(codes))
    found: dict[int, dict[str, int]] = {}
    for pupil_id, code, n in marks.values_list("pupil_id", "code_id").annotate(n=Count("pk")):
        found.setdefault(pupil_id, {})[code] = n
    return found


def daily_sessions(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int]
) -> list[tuple[int, dt.date, str, int]]:
    rows = (
        counted_marks(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .values_list("pupil_id", "date", "code_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return list(rows)


# The readers of registers.figures these stand in for, by name (tests compare the two).
READERS = (
    "counts_by_pupil",
    "counts_by_day_and_code",
    "unmarked_by_pupil",
    "counts_by_code",
    "sessions_by_pupil_and_code",
    "daily_sessions",
)
