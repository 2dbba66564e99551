"""The stored figures (registers.models.WeekCount), kept in step with the marks.

Every write that changes what counts (a mark, a school day or closure, a pupil's dates on
roll) calls `refresh` for the pupils and dates it touched, in its own transaction, after
its own writes: the (pupil, week) rows of those weeks are recomputed from the marks exactly
as the DfE method counts them (registers.figures.counted_marks) and only the rows that
differ are rewritten. `verify` recomputes every row and lists the differences (`manage.py
verify_figures`, the weekly beat task, the nightly sweep's reconciliation).

Concurrency: refresh locks the pupils' rows (FOR NO KEY UPDATE, in id order, after the
caller's own register and mark locks) before it reads the marks. Two writers touching the
same pupil's week therefore recompute one after the other, and the second reads the
first's committed marks: the last recompute sees every mark. NO KEY, so a concurrent
INSERT of a mark (which takes KEY SHARE on its pupil) is not blocked by it. Every read here
goes to the database written to (`_primary`), never a reporting replica: a recompute must
see its own transaction's marks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import router, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from attendance_portal import bulk
from attendance_portal.dates import monday_of
from registers.figures import counted_marks
from registers.models import Pupil, School, SchoolDay, WeekCount
from registers.models.figures import UNMARKED, WEEKDAY_FIELDS

logger = logging.getLogger(__name__)

_WEEK = dt.timedelta(days=7)
CHUNK = 900  # SQLite's limit on parameters, with room to spare
FIELDS = ["school_id", "pupil_id", "week", "code", *WEEKDAY_FIELDS]

# (pupil id, Monday, code) -> the five weekday counts
Key = tuple[int, dt.date, str]
Rows = dict[Key, tuple[int, ...]]


def _primary() -> str:
    return router.db_for_write(WeekCount)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def recompute(
    *,
    school: School | int,
    pupil_ids: Iterable[int] | None = None,
    first_week: dt.date | None = None,
    last_week: dt.date | None = None,
) -> Rows:
    """The stored rows as the marks make them, for these pupils (None: every pupil of the
    school) and the weeks from the Monday `first_week` to the Monday `last_week` (None: no
    bound). Zero rows are left out. Three queries: the counted marks per pupil, week, code
    and weekday; the open sessions; the pupils' dates on roll."""
    ids = None if pupil_ids is None else sorted(set(pupil_ids))
    if ids == []:
        return {}
    db = _primary()
    days = SchoolDay.objects.using(db).for_school(school)
    if first_week is not None:
        days = days.filter(date__gte=first_week)
    if last_week is not None:
        days = days.filter(date__lt=last_week + _WEEK)
    open_days = list(days.order_by("date").values_list("date", "am_open", "pm_open"))
    if not open_days:
        return {}
    start, end = open_days[0][0], open_days[-1][0]
    per_day = {
        field: Count("pk", filter=Q(date__iso_week_day=n))
        for n, field in enumerate(WEEKDAY_FIELDS, start=1)
    }
    marks = (
        counted_marks(school=school, start=start, end=end, pupil_ids=ids)
        .using(db)
        .annotate(monday=TruncWeek("date"))
        .values_list("pupil_id", "monday", "code_id")
        .annotate(**per_day)
        .order_by()
    )
    rows: Rows = {}
    marked: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0] * 5)
    for pupil_id, monday, code, *counts in marks:
        monday = _as_date(monday)
        rows[(pupil_id, monday, code)] = tuple(counts)
        total = marked[(pupil_id, monday)]
        for k, n in enumerate(counts):
            total[k] += n
    pupils = Pupil.objects.using(db).for_school(school).on_roll_between(start, end)
    if ids is not None:
        pupils = pupils.filter(pk__in=ids)
    for pk, admitted, left in pupils.values_list("pk", "admission_date", "leaving_date"):
        unmarked: dict[dt.date, list[int]] = {}
        for day, am, pm in open_days:
            if day < admitted or (left is not None and day > left):
                continue
            monday = monday_of(day)
            week = unmarked.get(monday)
            if week is None:
                # Open sessions less the marks that count in them.
                week = unmarked[monday] = [-n for n in marked.get((pk, monday), [0] * 5)]
            week[day.weekday()] += int(am) + int(pm)
        for monday, counts in unmarked.items():
            if any(counts):
                rows[(pk, monday, UNMARKED)] = tuple(counts)
    return rows


def stored(
    *,
    school: School | int,
    pupil_ids: Iterable[int] | None = None,
    first_week: dt.date | None = None,
    last_week: dt.date | None = None,
) -> dict[Key, tuple[int, tuple[int, ...]]]:
    """The stored rows, as recompute gives them, with each row's primary key."""
    rows = WeekCount.objects.using(_primary()).for_school(school)
    if pupil_ids is not None:
        rows = rows.filter(pupil_id__in=sorted(set(pupil_ids)))
    if first_week is not None:
        rows = rows.filter(week__gte=first_week)
    if last_week is not None:
        rows = rows.filter(week__lte=last_week)
    return {
        (pupil_id, week, code): (pk, tuple(counts))
        for pk, pupil_id, week, code, *counts in rows.values_list(
            "pk", "pupil_id", "week", "code", *WEEKDAY_FIELDS
        )
    }


@dataclass(frozen=True)
class Difference:
    pupil_id: int
    week: dt.date
    code: str
    stored: tuple[int, ...] | None
    from_marks: tuple[int, ...] | None

    def describe(self, upn: str) -> str:
        code = self.code or "unmarked"
        return (
            f"{upn} week of {self.week.isoformat()} {code}: stored "
            f"{_show(self.stored)}, from the marks {_show(self.from_marks)}"
        )


def _show(counts: tuple[int, ...] | None) -> str:
    return "none" if counts is None else " ".join(map(str, counts))


def _differences(
    want: Rows, have: dict[Key, tuple[int, tuple[int, ...]]]
) -> tuple[list[Difference], list[int]]:
    found, stale = [], []
    for key in sorted(want.keys() | have.keys()):
        old = have.get(key)
        new = want.get(key)
        if (old[1] if old else None) != new:
            found.append(Difference(*key, old[1] if old else None, new))
            if old:
                stale.append(old[0])
    return found, stale


def _write(school: School | int, differences: list[Difference], stale: list[int]) -> None:
    school_id = school if isinstance(school, int) else school.pk
    for start in range(0, len(stale), CHUNK):
        WeekCount.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
    bulk.insert(
        WeekCount,
        FIELDS,
        [
            (school_id, d.pupil_id, d.week, d.code, *d.from_marks)
            for d in differences
            if d.from_marks is not None
        ],
    )


def _lock_pupils(school: School | int, pupil_ids: list[int] | None) -> None:
    pupils = Pupil.objects.for_school(school)
    if pupil_ids is not None:
        pupils = pupils.filter(pk__in=pupil_ids)
    list(pupils.select_for_update(no_key=True).order_by("pk").values_list("pk"))


@transaction.atomic
def refresh(
    *,
    school: School | int,
    pupil_ids: Iterable[int] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """Bring the stored rows of these pupils (None: all the school's) in the weeks of
    [start, end] (None: unbounded) in step with the marks. Returns how many rows changed.

    Callers call it inside their own transaction, after their writes."""
    ids = None if pupil_ids is None else sorted(set(pupil_ids))
    if ids == []:
        return 0
    first = monday_of(start) if start is not None else None
    last = monday_of(end) if end is not None else None
    _lock_pupils(school, ids)
    want = recompute(school=school, pupil_ids=ids, first_week=first, last_week=last)
    have = stored(school=school, pupil_ids=ids, first_week=first, last_week=last)
    differences, stale = _differences(want, have)
    _write(school, differences, stale)
    return len(differences)


def refresh_sessions(*, school: School | int, keys: Iterable[tuple[int, dt.date]]) -> int:
    """refresh for the (pupil id, date) pairs a writer of marks touched: their pupils over
    the weeks from the first to the last date (one recompute, set-based)."""
    keys = list(keys)
    if not keys:
        return 0
    dates = [d for _, d in keys]
    return refresh(school=school, pupil_ids={p for p, _ in keys}, start=min(dates), end=max(dates))


def reconcile(*, school: School, start: dt.date, end: dt.date) -> int:
    """The nightly sweep's check of the days it judges: the stored rows of [start, end]'s
    weeks against the marks, made right where they differ (each difference logged as an
    error: a writer missed them). Its own short transaction: the pupils' locks are not
    held through the sweep. Returns how many rows it rewrote (0 when all agree)."""
    changed = refresh(school=school, start=start, end=end)
    if changed:
        logger.error(
            "Stored figures of school %s differed from the marks in %d rows of %s to %s (repaired)",
            school.urn,
            changed,
            start,
            end,
        )
    return changed


def verify(*, school: School, repair: bool = False) -> list[Difference]:
    """Every stored row of the school against the marks: the differences (none when the
    invariant holds). With `repair`, the stored rows are made right, in one transaction."""
    with transaction.atomic():
        if repair:
            _lock_pupils(school, None)
        differences, stale = _differences(recompute(school=school), stored(school=school))
        if differences:
            logger.error(
                "Stored figures of school %s differ from the marks in %d rows%s",
                school.urn,
                len(differences),
                " (repaired)" if repair else "",
            )
            if repair:
                _write(school, differences, stale)
    return differences
