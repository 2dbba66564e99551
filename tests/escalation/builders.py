"""Plain helpers that write marks quickly for escalation tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from registers.models import Mark, Pupil, School, SchoolDay

PRESENT = {"AM": "/", "PM": "\\"}


def school_days(school: School, start: dt.date | None = None, end: dt.date | None = None):
    days = SchoolDay.objects.for_school(school).order_by("date")
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    return list(days.values_list("date", flat=True))


def give_marks(
    pupil: Pupil, days: Iterable[dt.date], *, absent_sessions: int = 0, code: str = "O"
) -> None:
    """Present every session of `days`, except the first `absent_sessions`, coded `code`."""
    marks = []
    for n, (day, session) in enumerate((d, s) for d in days for s in ("AM", "PM")):
        marks.append(
            Mark(
                school_id=pupil.school_id,
                pupil=pupil,
                date=day,
                session=session,
                code_id=code if n < absent_sessions else PRESENT[session],
            )
        )
    Mark.objects.bulk_create(marks)
