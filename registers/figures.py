"""Attendance figures computed in the database, set-based: one query per question,
whatever the number of pupils.

A mark counts only while its pupil is on roll (admission date to leaving date, both
included) and only in an open session of a school day ("a closed session is not a possible
session for anyone", docs/interfaces.md), so figures stay right when on-roll dates or the
calendar change after marks were entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When

from attendance_portal.dates import monday_of
from registers import codes
from registers.models import Mark, Pupil, School, SchoolDay, WeekCount
from registers.models.calendar import academic_year_start
from registers.models.figures import UNMARKED, WEEKDAY_FIELDS
from registers.rates import SessionCounts
from registers.school_age import SchoolAge, compulsory_school_age

# The codes each count is made of, as filters for the database and, for counts folded in
# Python from per-code rows, as the positions of SessionCounts each code adds to.
CATEGORY_CODES = codes.COUNT_CATEGORIES
COUNT_FILTERS = {name: Q(code_id__in=members) for name, members in CATEGORY_CODES.items()}
COUNT_ANNOTATIONS = {name: Count("pk", filter=q) for name, q in COUNT_FILTERS.items()}
_CATEGORIES = tuple(CATEGORY_CODES)
# SessionCounts(*totals) relies on the same order.
assert tuple(f.name for f in fields(SessionCounts)) == _CATEGORIES
_CODE_POSITIONS = {
    code: tuple(j for j, name in enumerate(_CATEGORIES) if code in CATEGORY_CODES[name])
    for code in codes.BY_CODE
}
_DAY = dt.timedelta(days=1)


def year_to_date(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current academic year (from 1 August) up to `today`."""
    return dt.date(academic_year_start(today), 8, 1), today


def counted_marks(
    *, school: School | int, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> QuerySet[Mark]:
    """The marks of [start, end] that count: the pupil was on roll and the session open."""
    days = SchoolDay.objects.for_school(school).between(start, end)
    marks = (
        Mark.objects.for_school(school)
        .between(start, end)
        # Said twice (a mark's pupil is always of the mark's school) so that PostgreSQL
        # hashes this school's pupils for the on-roll join, not every pupil of the
        # database: at 300 schools that scan of 300,000 pupils would come with each figure.
        .filter(pupil__school=school)
        .filter(date__gte=F("pupil__admission_date"))
        .filter(Q(pupil__leaving_date__isnull=True) | Q(date__lte=F("pupil__leaving_date")))
        # A closure entered after the marks (or a day dropped from the calendar) takes the
        # session out of everyone's possible sessions, whatever was recorded in it.
        # The open days are one uncorrelated sub-select per session, hashed once per query
        # (the school is fixed): the correlated EXISTS it replaces made PostgreSQL cost the
        # plan at millions, so it JIT-compiled every figure (a second per query) and gave
        # up parallel workers. A school's year of counts went from 2.3 s to 0.9 s under
        # load (docs/benchmarks.md "Trust scale"), 1.7x the bare GROUP BY.
        .filter(
            Q(session="AM", date__in=days.filter(am_open=True).values("date"))
            | Q(session="PM", date__in=days.filter(pm_open=True).values("date"))
        )
    )
    if pupil_ids is not None:
        marks = marks.filter(pupil_id__in=list(pupil_ids))
    return marks


def _stored(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> QuerySet[WeekCount]:
    """The stored rows (registers.models.WeekCount) of the weeks that touch [start, end]."""
    rows = WeekCount.objects.for_school(school).filter(week__gte=monday_of(start), week__lte=end)
    if pupil_ids is not None:
        rows = rows.filter(pupil_id__in=list(pupil_ids))
    return rows


def _in_range(start: dt.date, end: dt.date) -> Sum:
    """A row's sessions on the days of [start, end]: weekday k of the week is in the
    range when the week's Monday is in [start - k days, end - k days]."""
    parts = [
        Case(
            When(week__gte=start - k * _DAY, week__lte=end - k * _DAY, then=F(field)),
            default=Value(0),
        )
        for k, field in enumerate(WEEKDAY_FIELDS)
    ]
    return Sum(sum(parts[1:], parts[0]))


def counts_by_pupil(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> dict[int, SessionCounts]:
    """Session counts per pupil id (pupils with no counted marks are absent from the dict),
    summed from the stored figures: per pupil and code, folded into the six counts here."""
    if end < start:
        return {}
    rows = (
        _stored(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .exclude(code=UNMARKED)
        .values_list("pupil_id", "code")
        .annotate(n=_in_range(start, end))
        .order_by()
    )
    return _fold(rows, covers=[[0]], ranges=1)[0]


def sessions_by_pupil_and_code(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    codes: Iterable[str] | None = None,
    pupil_ids: Iterable[int] | None = None,
) -> dict[int, dict[str, int]]:
    """Counted sessions per pupil id and code of [start, end] (only `codes`, if given), from
    the stored figures: the few codes a letter or a list quotes (C2 and I, …)."""
    if end < start:
        return {}
    rows = _stored(school=school, start=start, end=end, pupil_ids=pupil_ids).exclude(code=UNMARKED)
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    found: dict[int, dict[str, int]] = {}
    for pupil_id, code, n in (
        rows.values_list("pupil_id", "code").annotate(n=_in_range(start, end)).order_by()
    ):
        if n:
            found.setdefault(pupil_id, {})[code] = n
    return found


def daily_sessions(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int]
) -> list[tuple[int, dt.date, str, int]]:
    """(pupil id, day, code, counted sessions) of [start, end] for a few pupils, from the
    stored figures: for figures whose range differs per pupil (a case's opening date)."""
    if end < start:
        return []
    rows = (
        _stored(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .exclude(code=UNMARKED)
        .values_list("pupil_id", "week", "code", *WEEKDAY_FIELDS)
    )
    found = []
    for pupil_id, week, code, *per_day in rows:
        for k, n in enumerate(per_day):
            day = week + k * _DAY
            if n and start <= day <= end:
                found.append((pupil_id, day, code, n))
    return found


def counts_by_pupil_and_day(
    *, school: School, start: dt.date, end: dt.date
) -> tuple[dict[int, SessionCounts], dict[tuple[dt.date, str], int]]:
    """counts_by_pupil, and the counted sessions per day and code, of [start, end]."""
    return (
        counts_by_pupil(school=school, start=start, end=end),
        counts_by_day_and_code(school=school, start=start, end=end),
    )


def counts_by_day_and_code(
    *, school: School, start: dt.date, end: dt.date
) -> dict[tuple[dt.date, str], int]:
    """Counted sessions per day and code (the trend, weekday, reasons and lateness tables);
    empty for an empty range."""
    if end < start:
        return {}
    rows = (
        _stored(school=school, start=start, end=end)
        .exclude(code=UNMARKED)
        .values_list("week", "code")
        .annotate(*(Sum(f) for f in WEEKDAY_FIELDS))
        .order_by()
    )
    found = {}
    for week, code, *per_day in rows:
        for k, n in enumerate(per_day):
            day = week + k * _DAY
            if n and start <= day <= end:
                found[(day, code)] = n
    return found


def counts_by_pupil_over(
    *,
    school: School,
    ranges: Sequence[tuple[dt.date, dt.date]],
    pupil_ids: Iterable[int] | None = None,
) -> list[dict[int, SessionCounts]]:
    """counts_by_pupil for each of several date ranges (the nightly sweep's year to date
    and its last two monitoring points, the trust view's year and half-terms), from one
    read of the stored rows: a sum per range, each exactly counts_by_pupil's."""
    ranges = [(s, e) for s, e in ranges]
    live = [(i, s, e) for i, (s, e) in enumerate(ranges) if s <= e]
    if not live:
        return [{} for _ in ranges]
    sums = {f"n{i}": _in_range(s, e) for i, s, e in live}
    rows = (
        _stored(
            school=school,
            start=min(s for _, s, _ in live),
            end=max(e for _, _, e in live),
            pupil_ids=pupil_ids,
        )
        .exclude(code=UNMARKED)
        .values_list("pupil_id", "code")
        .annotate(**sums)
        .order_by()
    )
    covers = [[i] for i, _, _ in live]
    return _fold(rows, covers=covers, ranges=len(ranges))


def _fold(
    rows: Iterable[Sequence], *, covers: list[list[int]], ranges: int
) -> list[dict[int, SessionCounts]]:
    """Per-range SessionCounts per pupil from rows of (pupil_id, code, n per slice).

    Slice k adds to the ranges in covers[k]; a code adds to the counts it belongs to."""
    sums: list[dict[int, list[int]]] = [{} for _ in range(ranges)]
    width = len(_CATEGORIES)
    for pupil_id, code, *per_slice in rows:
        positions = _CODE_POSITIONS.get(code, ())
        for k, n in enumerate(per_slice):
            if not n:
                continue
            for i in covers[k]:
                total = sums[i].get(pupil_id)
                if total is None:
                    total = sums[i][pupil_id] = [0] * width
                for j in positions:
                    total[j] += n
    return [{pk: SessionCounts(*total) for pk, total in r.items()} for r in sums]


def fold_codes(sessions: Iterable[tuple[str, int]]) -> SessionCounts:
    """The six counts of (code, sessions) pairs: each code adds its sessions to the counts
    it belongs to (an unknown code to none). For figures read per code, for the reason
    counts_by_pupil gives."""
    total = [0] * len(_CATEGORIES)
    for code, n in sessions:
        for j in _CODE_POSITIONS.get(code, ()):
            total[j] += n
    return SessionCounts(*total)


def totals(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> SessionCounts:
    """Summed session counts: how DfE aggregates (sum sessions, never average rates)."""
    by_code = counts_by_code(school=school, start=start, end=end, pupil_ids=pupil_ids)
    return fold_codes(by_code.items())


def pupils_on_roll(*, school: School, start: dt.date, end: dt.date) -> QuerySet[Pupil]:
    return Pupil.objects.for_school(school).on_roll_between(start, end)


def counts_by_code(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Sessions per code, for reason breakdowns (illness, medical, holiday, late …)."""
    if end < start:
        return {}
    rows = (
        _stored(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .exclude(code=UNMARKED)
        .values_list("code")
        .annotate(n=_in_range(start, end))
        .order_by()
    )
    return {code: n for code, n in rows if n}


@dataclass(frozen=True)
class WeekdayPattern:
    weekday: int  # ISO: 1 = Monday … 5 = Friday
    possible: int
    absent: int
    late: int


def remaining_sessions(*, school: School, after: dt.date) -> int:
    """Open sessions left in the academic year after `after` (for the calculator)."""
    year_end = dt.date(academic_year_start(after) + 1, 7, 31)
    days = SchoolDay.objects.for_school(school).filter(date__gt=after, date__lte=year_end)
    row = days.aggregate(
        am=Count("pk", filter=Q(am_open=True)), pm=Count("pk", filter=Q(pm_open=True))
    )
    return (row["am"] or 0) + (row["pm"] or 0)


# --- Sessions with no mark (Regulation 10: a mark at every session) -------------------


def past_end(end: dt.date, *, today: dt.date) -> dt.date:
    """The last day of [.., end] whose sessions are past: a session of `today` may still
    have its register open, so a missing mark counts only from the day before today."""
    return min(end, today - _DAY)


def unmarked_by_pupil(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    pupil_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """Open sessions of [start, end] on which the pupil was on roll and has no mark, per
    pupil id (pupils with none are absent from the dict).

    Callers pass an `end` that is already past (past_end). Summed from the stored rows
    with code UNMARKED, which count exactly those sessions (registers.models.WeekCount)."""
    if end < start:
        return {}
    rows = (
        _stored(school=school, start=start, end=end, pupil_ids=pupil_ids)
        .filter(code=UNMARKED)
        .values_list("pupil_id")
        .annotate(n=_in_range(start, end))
        .order_by()
    )
    return {pk: n for pk, n in rows if n > 0}


@dataclass(frozen=True)
class MissingMark:
    pupil_id: int
    upn: str
    name: str
    form: str
    date: dt.date
    session: str
    form_id: int | None = None


def missing_marks(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> list[MissingMark]:
    """Every open session of [start, end] on which a pupil on roll has no mark, by date,
    session, form and name (the school-wide "missing marks" list and a pupil's own)."""
    if end < start:
        return []
    sessions = [
        (d, s)
        for d, am, pm in SchoolDay.objects.for_school(school)
        .between(start, end)
        .order_by("date")
        .values_list("date", "am_open", "pm_open")
        for s, is_open in (("AM", am), ("PM", pm))
        if is_open
    ]
    # Only the pupils with a gap (unmarked_by_pupil: counts, no rows per mark): a school
    # that marks every session reads no mark here at all.
    gaps = unmarked_by_pupil(school=school, start=start, end=end, pupil_ids=pupil_ids)
    if not gaps:
        return []
    pupils = list(
        pupils_on_roll(school=school, start=start, end=end)
        .filter(pk__in=list(gaps))
        .select_related("form")
    )
    marked = set(
        counted_marks(
            school=school, start=start, end=end, pupil_ids=[p.pk for p in pupils]
        ).values_list("pupil_id", "date", "session")
    )
    found = [
        MissingMark(p.pk, p.upn, p.name, p.form.name if p.form else "", day, session, p.form_id)
        for day, session in sessions
        for p in pupils
        if p.on_roll(day) and (p.pk, day, session) not in marked
    ]
    return sorted(found, key=lambda m: (m.date, m.session, m.form, m.name, m.upn))


# --- The penalty-notice window (docs/domain.md §4, docs/interfaces.md fpn_candidates) -------------

FPN_THRESHOLD = 10  # unauthorised sessions …
FPN_WEEKS = 10  # … within this many school weeks


@dataclass(frozen=True)
class FpnWindow:
    start: dt.date  # first school day of the window
    end: dt.date  # last school day of the window up to the as-of date


def fpn_window(*, school: School, as_of: dt.date) -> FpnWindow | None:
    """The 10 most recent school weeks up to and including the week of `as_of`.

    A school week is a Monday–Sunday week with at least one open session; the window may
    span half-term breaks, terms and academic years. None if there is no school day yet.
    """
    week_end = monday_of(as_of) + dt.timedelta(days=6)
    days = list(
        SchoolDay.objects.for_school(school)
        .filter(date__lte=week_end)
        .order_by("-date")
        .values_list("date", flat=True)[: FPN_WEEKS * 7]
    )
    weeks: list[dt.date] = []
    for day in days:
        monday = monday_of(day)
        if monday not in weeks:
            weeks.append(monday)
    weeks = weeks[:FPN_WEEKS]
    if not weeks:
        return None
    first_week = weeks[-1]
    in_window = [d for d in days if d >= first_week and d <= as_of]
    if not in_window:
        return None
    return FpnWindow(start=min(in_window), end=max(in_window))


@dataclass(frozen=True)
class FpnCandidate:
    pupil_id: int
    upn: str
    unauthorised_sessions: int
    window: FpnWindow


def fpn_candidates(*, school: School, as_of: dt.date) -> list[FpnCandidate]:
    """Pupils meeting the national threshold for *considering* a penalty notice, by UPN.

    Only sessions on which the pupil was of compulsory school age count (a penalty notice
    is an alternative to prosecution under s444 Education Act 1996, which concerns pupils
    of that age): a child who reaches it inside the window counts from that day, one past
    it counts the sessions before it ended. Only pupils on roll on `as_of` are listed: a
    pupil who left inside the window is for their new school and the local authority, and
    the nightly sweep (which works on the pupils on roll) agrees."""
    window = fpn_window(school=school, as_of=as_of)
    if window is None:
        return []
    return _candidates(_school_age_counts(school=school, window=window), window)


def _candidates(found: dict[int, tuple[str, int]], window: FpnWindow) -> list[FpnCandidate]:
    return sorted(
        (FpnCandidate(pk, upn, n, window) for pk, (upn, n) in found.items() if n >= FPN_THRESHOLD),
        key=lambda c: c.upn,
    )


def school_age_fpn_sessions(
    *, school: School, window: FpnWindow, pupil_ids: Iterable[int]
) -> dict[int, int]:
    """G/N/O/U sessions of compulsory school age in the window, per pupil on roll at its
    end: the count the threshold is decided on (the referral pack and notices quote it)."""
    found = _school_age_counts(school=school, window=window, pupil_ids=pupil_ids)
    return {pk: n for pk, (_, n) in found.items()}


def _school_age_counts(
    *, school: School, window: FpnWindow, pupil_ids: Iterable[int] | None = None
) -> dict[int, tuple[str, int]]:
    """(UPN, G/N/O/U sessions of compulsory school age in the window) per pupil on roll on
    the window's last day. The rows are the window's unauthorised marks only: few."""
    on_roll = Pupil.objects.for_school(school).on_roll(window.end).values("pk")
    rows = (
        counted_marks(school=school, start=window.start, end=window.end, pupil_ids=pupil_ids)
        .filter(code_id__in=codes.FPN_CODES, pupil_id__in=on_roll)
        .values_list("pupil_id", "pupil__upn", "pupil__date_of_birth", "date")
    )
    ages: dict[int, SchoolAge] = {}
    found: dict[int, tuple[str, int]] = {}
    for pk, upn, dob, day in rows:
        age = ages.get(pk) or ages.setdefault(pk, compulsory_school_age(dob))
        if age.covers(day):
            found[pk] = (upn, found.get(pk, (upn, 0))[1] + 1)
    return found


# The threshold counts G, N, O and U: today exactly the unauthorised codes, so the nightly
# sweep reads each pupil's count in the window from the unauthorised sessions of the
# window it scans anyway (fpn_from_counts). Should the two sets ever differ, this stops the
# import rather than let the sweep count the wrong codes.
assert codes.FPN_CODES == codes.UNAUTHORISED_CODES


def fpn_from_counts(
    *, school: School, window: FpnWindow, counts: dict[int, SessionCounts], upns: dict[int, str]
) -> list[FpnCandidate]:
    """fpn_candidates, for the pupils in `upns` (those on roll on the night), from
    counts_by_pupil over [window.start, as_of]; the same list fpn_candidates gives, by UPN.

    A pupil of compulsory school age all through the window keeps the scan's count; one
    outside it all through is dropped; the few whose age starts or ends inside the window
    are counted again session by session (_school_age_counts)."""
    over = {pk: c.unauthorised for pk, c in counts.items() if pk in upns}
    over = {pk: n for pk, n in over.items() if n >= FPN_THRESHOLD}
    if not over:
        return []
    dobs = dict(
        Pupil.objects.for_school(school)
        .filter(pk__in=list(over))
        .values_list("pk", "date_of_birth")
    )
    found: dict[int, tuple[str, int]] = {}
    partly = []
    for pk, n in over.items():
        age = compulsory_school_age(dobs[pk])
        if age.spans(window.start, window.end):
            found[pk] = (upns[pk], n)
        elif age.overlaps(window.start, window.end):
            partly.append(pk)
    if partly:
        found |= _school_age_counts(school=school, window=window, pupil_ids=partly)
    return _candidates(found, window)
