"""The demo school's calendar: English half-terms computed from the academic year.

Pure rules first (so they can be tested without a database), then one writer that stores
them and derives the school days with the ordinary calendar service. The dates follow the
common pattern of English local authorities; 2026/27 comes out as Autumn 1 2 Sep – 23 Oct,
Autumn 2 2 Nov – 18 Dec, Spring 1 5 Jan – 12 Feb, Spring 2 22 Feb – 26 Mar,
Summer 1 12 Apr – 21 May and Summer 2 1 Jun – 21 Jul.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registers.models import AcademicYear, Closure, HalfTerm, School
from registers.models.calendar import academic_year_start
from registers.services.calendar import rebuild_school_days

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
MONDAY, WEDNESDAY, FRIDAY = 0, 2, 4


@dataclass(frozen=True)
class TermSpec:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ClosureSpec:
    date: dt.date
    session: str
    reason: str


def _on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += DAY
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= DAY
    return day


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous algorithm): Good Friday and Easter Monday are bank
    holidays, so a term that contains them is closed on those days."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    la = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * la) // 451
    month, day = divmod(h + la - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def half_terms(start_year: int) -> list[TermSpec]:
    """The six half-terms of the academic year that starts in September of start_year."""
    y, n = start_year, start_year + 1
    autumn_start = _on_or_after(dt.date(y, 9, 1), WEDNESDAY)
    october_break = _on_or_before(dt.date(y, 10, 31), MONDAY)  # last Monday of October
    christmas_end = _on_or_before(dt.date(y, 12, 20), FRIDAY)
    february_break = _on_or_after(dt.date(n, 2, 1), MONDAY) + 2 * WEEK  # third Monday
    easter_end = _on_or_before(dt.date(n, 3, 31), FRIDAY)  # last Friday of March
    may_break = _on_or_after(dt.date(n, 5, 22), MONDAY)
    summer2_start = may_break + WEEK
    if summer2_start == _on_or_before(dt.date(n, 5, 31), MONDAY):
        summer2_start += DAY  # the spring bank holiday is the last Monday of May
    return [
        TermSpec("Autumn 1", autumn_start, october_break - 3 * DAY),
        TermSpec("Autumn 2", october_break + WEEK, christmas_end),
        TermSpec("Spring 1", _weekday_on_or_after(dt.date(n, 1, 5)), february_break - 3 * DAY),
        TermSpec("Spring 2", february_break + WEEK, easter_end),
        TermSpec("Summer 1", easter_end + 17 * DAY, may_break - 3 * DAY),
        TermSpec("Summer 2", summer2_start, _weekday_on_or_before(dt.date(n, 7, 21))),
    ]


def closures(terms: list[TermSpec]) -> list[ClosureSpec]:
    """INSET days, an early Christmas finish and the bank holidays that fall in term."""
    by_name = {t.name: t for t in terms}
    n = by_name["Spring 1"].start.year
    easter = easter_sunday(n)
    whole_days = [
        (by_name["Autumn 1"].start, "INSET day"),
        (by_name["Spring 2"].start, "INSET day"),
        (easter - 2 * DAY, "Good Friday (bank holiday)"),
        (easter + DAY, "Easter Monday (bank holiday)"),
        (_on_or_after(dt.date(n, 5, 1), MONDAY), "Early May bank holiday"),
    ]
    found = []
    for day, reason in whole_days:
        if any(t.start <= day <= t.end for t in terms):
            found += [ClosureSpec(day, "AM", reason), ClosureSpec(day, "PM", reason)]
    found.append(ClosureSpec(by_name["Autumn 2"].end, "PM", "Early finish for Christmas"))
    return sorted(found, key=lambda c: (c.date, c.session))


def demo_years(today: dt.date) -> list[int]:
    """The academic year containing today and the one before it, so the demo has more than
    a term of marks and a previous year to compare with whenever it is run."""
    current = academic_year_start(today)
    return [current - 1, current]


def store_calendar(*, school: School, years: list[int]) -> int:
    """Create the years, half-terms and closures (idempotently) and derive the school days."""
    for start_year in years:
        year, _ = AcademicYear.objects.get_or_create(school=school, start_year=start_year)
        terms = half_terms(start_year)
        for term in terms:
            HalfTerm.objects.update_or_create(
                academic_year=year,
                name=term.name,
                defaults={"school": school, "start_date": term.start, "end_date": term.end},
            )
        for closure in closures(terms):
            Closure.objects.update_or_create(
                school=school,
                date=closure.date,
                session=closure.session,
                defaults={"reason": closure.reason},
            )
    return rebuild_school_days(school=school)
