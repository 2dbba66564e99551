"""Compulsory school age (s8 Education Act 1996 and the prescribed-days order, docs/domain.md §10).

Pure rules, no ORM. A child reaches compulsory school age on the prescribed day (31 August,
31 December or 31 March) on or after their fifth birthday, and it ends on the last Friday in
June of the school year in which they turn 16. Penalty notices, notices to improve, the s7
duty in letters and the `X` code all turn on it, session by session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dt.date(dob.year + years, 3, 1)


@dataclass(frozen=True)
class SchoolAge:
    """The first and last day of compulsory school age, both included."""

    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and first <= self.end

    def spans(self, first: dt.date, last: dt.date) -> bool:
        """Of compulsory school age on every day of [first, last]."""
        return self.start <= first and last <= self.end


def compulsory_school_age(date_of_birth: dt.date) -> SchoolAge:
    fifth = _birthday(date_of_birth, 5)
    prescribed = sorted(
        dt.date(y, m, d)
        for y in (fifth.year, fifth.year + 1)
        for m, d in ((3, 31), (8, 31), (12, 31))
    )
    start = next(p for p in prescribed if p >= fifth)
    sixteenth = _birthday(date_of_birth, 16)
    june_30 = dt.date(sixteenth.year + (1 if sixteenth.month >= 9 else 0), 6, 30)
    end = june_30 - dt.timedelta(days=(june_30.weekday() - 4) % 7)
    return SchoolAge(start, end)


def is_compulsory_school_age(*, date_of_birth: dt.date, day: dt.date) -> bool:
    """Education Act 1996 s8: from the prescribed day (31 Aug, 31 Dec, 31 Mar) on or after
    the fifth birthday, to the last Friday in June of the school year the pupil turns 16."""
    return compulsory_school_age(date_of_birth).covers(day)


def not_of_school_age_message(*, name: str, date_of_birth: dt.date, day: dt.date) -> str:
    """Why a legal step is refused for a pupil outside compulsory school age on `day`."""
    age = compulsory_school_age(date_of_birth)
    if day < age.start:
        when = f"reaches compulsory school age only on {age.start:%-d %B %Y}"
    else:
        when = f"was past compulsory school age from {age.end + dt.timedelta(days=1):%-d %B %Y}"
    return (
        f"{name} is not of compulsory school age on {day:%-d %B %Y} ({when}). Penalty "
        "notices and notices to improve are only for parents of pupils of compulsory "
        "school age (s444 Education Act 1996); work with the family on support instead."
    )
