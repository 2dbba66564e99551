"""import_calendar: half-terms and planned closures, then the derived school days.

Half-terms are matched by (academic year, name) and created or updated, never deleted.
The closures file is the complete list for the half-terms of the terms file: closures
inside those half-terms that the file no longer lists are removed. A calendar change that
would take away a session on which marks are recorded is refused, so no mark is left on a
day that is not a school day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from registers.models import AcademicYear, Closure, HalfTerm, Mark, School, SchoolDay
from registers.models.base import Session
from registers.models.calendar import academic_year_start
from registers.services.calendar import rebuild_school_days

from .csvfile import CsvFile, ImportFailed, Problems, Row, RowError, max_length, open_table

TERMS_COLUMNS = ("name", "start_date", "end_date")
CLOSURES_COLUMNS = ("date", "session", "reason")
SESSIONS = {"AM": (Session.AM,), "PM": (Session.PM,), "ALL": (Session.AM, Session.PM)}


@dataclass(frozen=True)
class TermRow:
    row: int | None  # None for a half-term already in the database and not in the file
    name: str
    start: dt.date
    end: dt.date

    @property
    def start_year(self) -> int:
        return academic_year_start(self.start)

    def describe(self) -> str:
        where = f"row {self.row}" if self.row else "already in the calendar"
        return f"{self.name} {self.start}–{self.end} ({where})"


@dataclass(frozen=True)
class ClosureRow:
    row: int
    date: dt.date
    sessions: tuple[str, ...]
    reason: str


@dataclass
class CalendarResult:
    half_terms_created: int = 0
    half_terms_updated: int = 0
    half_terms_unchanged: int = 0
    closures_created: int = 0
    closures_updated: int = 0
    closures_removed: int = 0
    school_days_changed: int = 0

    def summary(self) -> str:
        return (
            f"half-terms: {self.half_terms_created} created, {self.half_terms_updated} updated, "
            f"{self.half_terms_unchanged} unchanged; closures: {self.closures_created} created, "
            f"{self.closures_updated} updated, {self.closures_removed} removed; "
            f"school days changed: {self.school_days_changed}"
        )


def _read_terms(file: CsvFile, problems: Problems) -> list[TermRow]:
    table = open_table(file, required=TERMS_COLUMNS)
    terms: list[TermRow] = []
    seen: dict[tuple[int, str], int] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        name = row.text("name", max_length=max_length(HalfTerm, "name"))
        start, end = row.date("start_date"), row.date("end_date")
        if start and end and end < start:
            row.fail(f"end_date {end} is before start_date {start}")
        elif start and end and academic_year_start(start) != academic_year_start(end):
            row.fail("a half-term cannot run across 31 July into the next academic year")
        if not (row.ok and start and end):
            continue
        key = (academic_year_start(start), name)
        if key in seen:
            row.fail(f"half-term {name!r} of this academic year is also on row {seen[key]}")
            continue
        seen[key] = number
        terms.append(TermRow(number, name, start, end))
    return terms


def _read_closures(file: CsvFile, problems: Problems) -> list[ClosureRow]:
    table = open_table(file, required=CLOSURES_COLUMNS)
    closures: list[ClosureRow] = []
    taken: dict[tuple[dt.date, str], int] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        day = row.date("date")
        session = row.choice("session", tuple(SESSIONS))
        reason = row.text("reason", max_length=200, required=False)
        if not (row.ok and day and session):
            continue
        clashes = sorted({taken[(day, s)] for s in SESSIONS[session] if (day, s) in taken})
        if clashes:
            row.fail(f"{day} {session} is already closed by row {clashes[0]}")
            continue
        taken.update({(day, s): number for s in SESSIONS[session]})
        closures.append(ClosureRow(number, day, SESSIONS[session], reason))
    return closures


def _check_overlaps(terms: list[TermRow], problems: Problems) -> None:
    """Two half-terms may not share a day; `terms` mixes file rows and untouched ones."""
    ordered = sorted(terms, key=lambda t: t.start)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.start > first.end:
                break
            if second.row is None and first.row is None:
                continue  # an old overlap is not this file's fault
            row = second.row or first.row
            other = first if second.row else second
            problems.add(f"half-term overlaps {other.describe()}", row)


def _check_placement(closures: list[ClosureRow], terms: list[TermRow], problems: Problems):
    for closure in closures:
        day = closure.date
        if day.weekday() >= 5:
            problems.add(f"{day} is a {day:%A}: only weekdays can be closed", closure.row)
        elif not any(t.start <= day <= t.end for t in terms):
            problems.add(
                f"{day} is not inside any half-term, so there is nothing to close", closure.row
            )


def _open_sessions(school: School) -> set[tuple[dt.date, str]]:
    opened: set[tuple[dt.date, str]] = set()
    days = SchoolDay.objects.for_school(school).values_list("date", "am_open", "pm_open")
    for day, am, pm in days:
        if am:
            opened.add((day, Session.AM))
        if pm:
            opened.add((day, Session.PM))
    return opened


def import_calendar(
    *, school: School, terms: CsvFile, closures: CsvFile | None = None
) -> CalendarResult:
    errors: list[RowError] = []
    term_problems, closure_problems = (
        Problems(terms.name),
        Problems(closures.name if closures else None),
    )
    term_rows: list[TermRow] = []
    closure_rows: list[ClosureRow] = []
    terms_readable = True
    try:
        term_rows = _read_terms(terms, term_problems)
    except ImportFailed as exc:
        errors += exc.errors
        terms_readable = False
    if closures is not None:
        try:
            closure_rows = _read_closures(closures, closure_problems)
        except ImportFailed as exc:
            errors += exc.errors

    in_file = {(t.start_year, t.name) for t in term_rows}
    kept = [
        TermRow(None, t.name, t.start_date, t.end_date)
        for t in HalfTerm.objects.for_school(school).select_related("academic_year")
        if (t.academic_year.start_year, t.name) not in in_file
    ]
    _check_overlaps(term_rows + kept, term_problems)
    if terms_readable:  # otherwise every closure would look outside the half-terms
        _check_placement(closure_rows, term_rows + kept, closure_problems)
    errors += term_problems.errors + closure_problems.errors
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        before = _open_sessions(school)
        result = CalendarResult()
        _save_terms(school, term_rows, result)
        if closures is not None:
            _save_closures(school, closure_rows, term_rows, result)
        result.school_days_changed = rebuild_school_days(school=school)
        _refuse_lost_marks(school, before - _open_sessions(school))
    return result


def _save_terms(school: School, rows: list[TermRow], result: CalendarResult) -> None:
    years = {}
    for start_year in sorted({t.start_year for t in rows}):
        years[start_year] = AcademicYear.objects.get_or_create(
            school=school, start_year=start_year
        )[0]
    existing = {
        (t.academic_year.start_year, t.name): t
        for t in HalfTerm.objects.for_school(school).select_related("academic_year")
    }
    for row in rows:
        term = existing.get((row.start_year, row.name))
        if term is None:
            HalfTerm.objects.create(
                school=school,
                academic_year=years[row.start_year],
                name=row.name,
                start_date=row.start,
                end_date=row.end,
            )
            result.half_terms_created += 1
        elif (term.start_date, term.end_date) != (row.start, row.end):
            term.start_date, term.end_date = row.start, row.end
            term.save(update_fields=["start_date", "end_date", "updated_at"])
            result.half_terms_updated += 1
        else:
            result.half_terms_unchanged += 1


def _save_closures(
    school: School, rows: list[ClosureRow], terms: list[TermRow], result: CalendarResult
) -> None:
    wanted = {(c.date, s): c.reason for c in rows for s in c.sessions}
    existing = {(c.date, c.session): c for c in Closure.objects.for_school(school)}
    stale = [
        c.pk
        for key, c in existing.items()
        if key not in wanted and any(t.start <= c.date <= t.end for t in terms)
    ]
    if stale:
        result.closures_removed = Closure.objects.filter(pk__in=stale).delete()[0]
    for (day, session), reason in wanted.items():
        closure = existing.get((day, session))
        if closure is None:
            Closure.objects.create(school=school, date=day, session=session, reason=reason)
            result.closures_created += 1
        elif closure.reason != reason:
            closure.reason = reason
            closure.save(update_fields=["reason", "updated_at"])
            result.closures_updated += 1


def _refuse_lost_marks(school: School, lost: set[tuple[dt.date, str]]) -> None:
    """Raise (rolling the import back) if marks sit on sessions the new calendar removes."""
    if not lost:
        return
    marked = sorted(
        {
            (day, session)
            for day, session in Mark.objects.for_school(school)
            .filter(date__in={d for d, _ in lost})
            .values_list("date", "session")
            if (day, session) in lost
        }
    )
    if marked:
        shown = ", ".join(f"{d} {s}" for d, s in marked[:5]) + (" …" if len(marked) > 5 else "")
        raise ImportFailed(
            [
                RowError(
                    f"marks are recorded on {len(marked)} session(s) that this calendar would "
                    f"close or remove ({shown}); amend those marks or correct the calendar"
                )
            ]
        )
