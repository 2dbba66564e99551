"""Sessions with no mark, for the office to fill (Regulation 10: a mark at every session)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from registers import figures
from registers.models import School
from registers.models.calendar import academic_year_start


@dataclass
class MissingRegister:
    """One register (form, date, session) with pupils on roll who have no mark in it."""

    date: dt.date
    session: str
    form_id: int | None
    form: str
    pupils: list[figures.MissingMark] = field(default_factory=list)


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The academic year so far, up to yesterday (today's registers may still be open)."""
    yesterday = today - dt.timedelta(days=1)
    return dt.date(academic_year_start(yesterday), 8, 1), yesterday


def missing_by_register(
    *, school: School, start: dt.date, end: dt.date, pupil_ids: Iterable[int] | None = None
) -> list[MissingRegister]:
    """The sessions with no mark of [start, end], one row per register, newest first."""
    found: dict[tuple[dt.date, str, str], MissingRegister] = {}
    for m in figures.missing_marks(school=school, start=start, end=end, pupil_ids=pupil_ids):
        row = found.get((m.date, m.session, m.form))
        if row is None:
            row = found[m.date, m.session, m.form] = MissingRegister(
                m.date, m.session, m.form_id, m.form
            )
        row.pupils.append(m)
    return sorted(found.values(), key=lambda r: (r.date, r.session, r.form), reverse=True)


def unmarked_total(
    *, school: School, today: dt.date, pupil_ids: Iterable[int] | None = None
) -> int:
    """Sessions with no mark this academic year before today (the data-quality count)."""
    start, end = default_range(today)
    return sum(
        figures.unmarked_by_pupil(school=school, start=start, end=end, pupil_ids=pupil_ids).values()
    )
