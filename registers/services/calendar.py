"""Derive the school days from half-terms and closures."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from registers.models import Closure, HalfTerm, School, SchoolDay
from registers.services.partitions import ensure_mark_partitions
from registers.services.stored_figures import refresh


def weekdays(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


@transaction.atomic
def rebuild_school_days(*, school: School) -> int:
    """Make SchoolDay rows match the half-terms and closures; returns how many rows changed.

    A school day is a Monday–Friday inside a half-term less whole-day closures; a closed
    session marks the day's am_open/pm_open false. Idempotent: a second run changes nothing.
    """
    closed = set(Closure.objects.for_school(school).values_list("date", "session"))
    terms = list(HalfTerm.objects.for_school(school))
    if terms:
        # Every mark is on a school day: its year's marks partition exists before the first.
        ensure_mark_partitions(
            first_day=min(t.start_date for t in terms), last_day=max(t.end_date for t in terms)
        )
    wanted: dict[dt.date, tuple[int, bool, bool]] = {}
    for term in terms:
        for day in weekdays(term.start_date, term.end_date):
            am, pm = (day, "AM") not in closed, (day, "PM") not in closed
            if am or pm:
                wanted[day] = (term.pk, am, pm)

    changed = 0
    existing = {d.date: d for d in SchoolDay.objects.for_school(school)}
    opened = {day: (d.am_open, d.pm_open) for day, d in existing.items()}
    stale = [d.pk for day, d in existing.items() if day not in wanted]
    if stale:
        changed += SchoolDay.objects.filter(pk__in=stale).delete()[0]
    to_create, to_update = [], []
    for day, (term_id, am, pm) in wanted.items():
        row = existing.get(day)
        if row is None:
            to_create.append(
                SchoolDay(school=school, date=day, half_term_id=term_id, am_open=am, pm_open=pm)
            )
        elif (row.half_term_id, row.am_open, row.pm_open) != (term_id, am, pm):
            row.half_term_id, row.am_open, row.pm_open = term_id, am, pm
            to_update.append(row)
    SchoolDay.objects.bulk_create(to_create, batch_size=1000)
    SchoolDay.objects.bulk_update(to_update, ["half_term", "am_open", "pm_open"], batch_size=1000)
    # A day gained, lost or with a session closed changes every pupil's possible and
    # unmarked sessions in its week (a half-term's term id alone changes no figure).
    moved = [d for d, row in existing.items() if d not in wanted]
    moved += [row.date for row in to_create]
    moved += [row.date for row in to_update if (row.am_open, row.pm_open) != opened[row.date]]
    if moved:
        refresh(school=school, start=min(moved), end=max(moved))
    return changed + len(to_create) + len(to_update)


def open_sessions(*, school: School, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Every open (date, session) of the school in [start, end], in order."""
    sessions = []
    for day in SchoolDay.objects.for_school(school).between(start, end).order_by("date"):
        if day.am_open:
            sessions.append((day.date, "AM"))
        if day.pm_open:
            sessions.append((day.date, "PM"))
    return sessions
