"""Reads for the reports. Every query is set-based (one per question, whatever the number
of pupils) and reads the stored figures (registers.models.WeekCount, through
registers.figures), so the reports count exactly what the pupil pages and the sweep count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from attendance_portal.dates import monday_of
from registers import codes, figures, flags
from registers.models import Mark, Pupil, School, SchoolDay, WeekCount
from registers.models.calendar import academic_year_start
from registers.models.figures import UNMARKED, WEEKDAY_FIELDS
from registers.models.pupils import YEAR_GROUPS
from registers.rates import SessionCounts

from .periods import Period

# What a breakdown needs to know about a pupil. Names and UPNs are fetched only for the
# staff drill-down, never for aggregate pages, so they cannot leak into a governor's page.
GROUP_FIELDS = (
    "id",
    "year_group",
    "form_id",
    "form__name",
    "gender",
    *flags.FIELDS,
)
YEAR_GROUP = GROUP_FIELDS.index("year_group")
NAME_FIELDS = ("forename", "surname", "upn")
ATTENDED_CODES = codes.PRESENT_CODES | codes.AEA_CODES


@contextmanager
def report_reads() -> Iterator[None]:
    """Run a report's queries with PostgreSQL's JIT compiler off and grouping by hashing.

    The report's aggregates are costed as "expensive" (tens of thousands of stored rows,
    and the marks the few mark-level reads scan), so PostgreSQL JIT-compiles them;
    measured on the 1,500-pupil benchmark that added about 100 ms to each query, and never
    pays back on queries that run in well under a second. And grouping by hashing beats
    sorting the rows first for the few thousand groups a report has. One statement, so
    the query count stays as it was; set_config(…, true) is SET LOCAL: both end with the
    transaction.
    """
    # On the database the report reads: the replica, when there is one and it may
    # (attendance_portal.replica); its transaction is the report's one snapshot.
    alias = router.db_for_read(Mark) or DEFAULT_DB_ALIAS
    database = connections[alias]
    if database.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        with database.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('enable_sort', 'off', true)"
            )
        yield


def pupil_values(*, school: School, start: dt.date, end: dt.date) -> list[tuple]:
    """Group fields (in GROUP_FIELDS order) of the pupils on roll at any point of [start,
    end], one query. Tuples, not .values() dicts: a dict per pupil was a third of the
    pupil frame's time for 1,000 pupils.

    The year group is the one the pupil was in during the period: the MIS records a
    pupil's year group now (a leaver's, when they left), so a period of an earlier academic
    year moves each pupil back a year for each year since (last year's Year 1 were in
    Reception then)."""
    rows = (
        figures.pupils_on_roll(school=school, start=start, end=end)
        .values_list(*GROUP_FIELDS, "leaving_date")
        .order_by("id")
    )
    today = timezone.localdate()
    period_year, this_year = academic_year_start(end), academic_year_start(today)
    found = []
    for *fields, leaving_date in rows:
        recorded = (
            academic_year_start(leaving_date)
            if leaving_date and leaving_date < today
            else this_year
        )
        years_back = recorded - period_year
        if years_back > 0 and fields[YEAR_GROUP] in YEAR_GROUPS:
            fields[YEAR_GROUP] = YEAR_GROUPS[
                max(0, YEAR_GROUPS.index(fields[YEAR_GROUP]) - years_back)
            ]
        found.append(tuple(fields))
    return found


def pupil_names(*, school: School, pupil_ids: list[int]) -> dict[int, dict]:
    """Names and UPNs of these pupils, for the staff drill-down only (one query)."""
    rows = Pupil.objects.for_school(school).filter(pk__in=pupil_ids).values("id", *NAME_FIELDS)
    return {row["id"]: row for row in rows}


def pupil_counts(*, school: School, start: dt.date, end: dt.date) -> dict[int, SessionCounts]:
    return figures.counts_by_pupil(school=school, start=start, end=end)


@dataclass(frozen=True)
class DayCode:
    date: dt.date
    code: str
    sessions: int


def trend_span(period: Period) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The period, and the same weeks of last year (the same distance into the year)."""
    last_start = period.previous_year_start + (period.start - period.year_start)
    return (period.start, period.end), (last_start, last_start + (period.end - period.start))


def period_counts(
    *, school: School, period: Period
) -> tuple[dict[int, SessionCounts], list[DayCode]]:
    """The period's counts per pupil, and the counted sessions per day and code over the
    period and the same weeks of last year: the breakdowns, the trend, the day-of-week
    pattern, reasons and lateness all come from these two queries. The period's two
    groupings share one scan (figures.counts_by_pupil_and_day); last year's weeks are a
    range scan of their own, since one range from them to this period read the whole year
    between (a 1,000-pupil school: 375,000 marks read for 70,000 counted, 190 ms)."""
    (start, end), (last_start, last_end) = trend_span(period)
    counts, by_day = figures.counts_by_pupil_and_day(school=school, start=start, end=end)
    # A period is shorter than a year, so last year's weeks end before it starts; were they
    # ever to overlap, a day would still be counted once.
    last_end = min(last_end, start - dt.timedelta(days=1))
    last_year = figures.counts_by_day_and_code(school=school, start=last_start, end=last_end)
    days = [DayCode(day, code, n) for (day, code), n in [*by_day.items(), *last_year.items()]]
    return counts, days


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class FormWeek:
    form_id: int
    form: str
    pupils: int
    possible: int
    attended: int
    late: int


def form_week(*, school: School, monday: dt.date) -> list[FormWeek]:
    """Each form's sessions in the week starting `monday` (one query of the stored figures,
    registers.models.WeekCount), for the league. A pupil counts in their form today."""
    week = sum((F(f) for f in WEEKDAY_FIELDS[1:]), F(WEEKDAY_FIELDS[0]))
    rows = (
        WeekCount.objects.for_school(school)
        .filter(week=monday, pupil__form__isnull=False)
        .exclude(code=UNMARKED)
        .values("pupil__form_id", "pupil__form__name")
        .annotate(
            pupils=Count("pupil_id", distinct=True),
            possible=Coalesce(Sum(week, filter=Q(code__in=codes.POSSIBLE_CODES)), 0),
            attended=Coalesce(Sum(week, filter=Q(code__in=ATTENDED_CODES)), 0),
            late=Coalesce(Sum(week, filter=Q(code="L")), 0),
        )
        .order_by("pupil__form__name")
    )
    return [
        FormWeek(
            r["pupil__form_id"],
            r["pupil__form__name"],
            r["pupils"],
            r["possible"],
            r["attended"],
            r["late"],
        )
        for r in rows
    ]


def school_weeks(*, school: School, around: dt.date) -> list[dt.date]:
    """Mondays of the school's weeks with a school day, up to the week of `around`."""
    days = (
        SchoolDay.objects.for_school(school)
        .filter(date__lte=monday_of(around) + dt.timedelta(days=6))
        .annotate(week=TruncWeek("date"))
        .values_list("week", flat=True)
        .distinct()
        .order_by("-week")[:60]
    )
    return sorted(_as_date(d) for d in days)
