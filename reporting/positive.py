"""Who has good news to hear: pupils at 100% for a week, and pupils whose attendance this
half-term is well up on the last (the officer sends them positive messages in bulk from the
celebration page; the schools' practice: "positive calls made and bespoke letters sent home
to acknowledge improvement"). Pupil-level, so only for the office (manage_cases)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from registers.figures import counts_by_pupil_over
from registers.models import HalfTerm, Pupil, School
from registers.rates import attendance_pct

# Points of attendance gained since the last half-term that count as an improvement.
IMPROVEMENT_POINTS = Decimal(5)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    achievement: str  # the {{ achievement }} of the message
    period: str  # keys the messages: one per pupil and period, however often clicked
    pupils: list[Pupil]


def full_week(*, school: School, monday: dt.date, today: dt.date) -> Group:
    friday = min(monday + dt.timedelta(days=4), today)
    (week,) = counts_by_pupil_over(school=school, ranges=[(monday, friday)])
    ids = [pk for pk, c in week.items() if c.possible and c.attended == c.possible]
    iso = monday.isocalendar()
    return Group(
        "full_week",
        f"100% in the week of {monday:%-d %B}",
        f"100% attendance in the week beginning {monday:%-d %B}",
        f"{iso.year}-W{iso.week:02d}",
        list(Pupil.objects.for_school(school).filter(pk__in=ids).order_by("surname", "forename")),
    )


def improved(*, school: School, today: dt.date) -> Group | None:
    """Up IMPROVEMENT_POINTS or more on the last half-term; None before the second one."""
    terms = list(
        HalfTerm.objects.for_school(school)
        .filter(start_date__lte=today)
        .order_by("-start_date")[:2]
    )
    if len(terms) < 2:
        return None
    current, last = terms
    now, before = counts_by_pupil_over(
        school=school,
        ranges=[(current.start_date, today), (last.start_date, last.end_date)],
    )
    ids = []
    for pk, counts in now.items():
        pct, was = attendance_pct(counts), before.get(pk)
        was_pct = attendance_pct(was) if was else None
        if pct is not None and was_pct is not None and pct - was_pct >= IMPROVEMENT_POINTS:
            ids.append(pk)
    return Group(
        "improved",
        f"up {IMPROVEMENT_POINTS} points or more since {last.name}",
        f"attendance has improved a lot since {last.name}",
        f"improved:{current.pk}",
        list(Pupil.objects.for_school(school).filter(pk__in=ids).order_by("surname", "forename")),
    )


def groups(*, school: School, monday: dt.date, today: dt.date) -> list[Group]:
    found = [full_week(school=school, monday=monday, today=today)]
    if (better := improved(school=school, today=today)) is not None:
        found.append(better)
    return found
