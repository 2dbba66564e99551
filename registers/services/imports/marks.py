"""import_marks: load a school's marks from an MIS export, fast and all or nothing.

A school-year file is ~300k rows, so nothing here goes row by row to the database: pupils,
school days, closures and the existing marks of the file's date range are loaded into dicts
in a few queries and every row is checked in memory. Then, in one transaction, new marks
are inserted and changed ones updated set-based (see bulk.py), with one amendment each.
No lock is held while the file is checked: an update only applies to a mark that still
holds what was read, and a mark inserted meanwhile hits the unique constraint; either
way the whole import is refused and can simply be run again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance_portal import bulk
from registers import code_rules, codes
from registers.actors import Actor
from registers.models import Closure, LeaveRequest, Mark, MarkAmendment, Pupil, School, SchoolDay
from registers.models.base import Session
from registers.services.code_checks import CHECKED_CODES
from registers.services.stored_figures import refresh_sessions
from registers.services.versions import advance_registers, lock_registers, marks_written

from .csvfile import (
    CsvFile,
    ImportFailed,
    Problems,
    RowError,
    max_length,
    open_table,
    parse_date,
)

COLUMNS = ("upn", "date", "session", "code", "minutes_late", "comment")
MAX_MINUTES_LATE = 600
IMPORT_ROLE = "MIS import"
COMMENT_MAX = max_length(Mark, "comment")


@dataclass
class MarksResult:
    created: int = 0
    amended: int = 0
    comments_updated: int = 0  # amendments that changed the comment alone
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"marks: {self.created} created, {self.amended} amended "
            f"({self.comments_updated} only in the comment), {self.unchanged} unchanged"
        )


# A checked row: (pupil_id, date, session, code, minutes_late, comment). Plain tuples
# because a year's file makes 300k of them.
_Entry = tuple[int, dt.date, str, str, int | None, str]


@dataclass
class _Calendar:
    """What the school's calendar says about the file's dates."""

    days: dict[dt.date, tuple[bool, bool]] = field(default_factory=dict)
    closures: dict[tuple[dt.date, str], str] = field(default_factory=dict)

    def problem(self, day: dt.date, session: str) -> str | None:
        opened = self.days.get(day)
        if opened is None:
            if day.weekday() >= 5:
                return f"{day} is a {day:%A}, not a school day"
            if (day, Session.AM) in self.closures and (day, Session.PM) in self.closures:
                return f"{day} is not a school day (school closed all day)"
            return f"{day} is not a school day (outside the half-terms)"
        if not opened[0 if session == Session.AM else 1]:
            reason = self.closures.get((day, session)) or "closed"
            return f"the {session} session on {day} is closed ({reason})"
        return None


def _parse(file: CsvFile, school: School, problems: Problems) -> list[_Entry]:
    """Check every row against the pupils and the calendar; only good rows are returned."""
    table = open_table(file, required=COLUMNS)
    pick = itemgetter(*(table.columns[c] for c in COLUMNS))
    calendar = _Calendar(
        days={
            d: (am, pm)
            for d, am, pm in SchoolDay.objects.for_school(school).values_list(
                "date", "am_open", "pm_open"
            )
        },
        closures={
            (d, s): r
            for d, s, r in Closure.objects.for_school(school).values_list(
                "date", "session", "reason"
            )
        },
    )
    pupils = {
        upn: (pk, admitted, left, born)
        for upn, pk, admitted, left, born in Pupil.objects.for_school(school).values_list(
            "upn", "pk", "admission_date", "leaving_date", "date_of_birth"
        )
    }
    part_time = _part_time_timetables(school)
    # Dates and (date, session) verdicts repeat thousands of times in a year's file.
    dates: dict[str, dt.date | None] = {}
    closed: dict[tuple[dt.date, str], str | None] = {}
    sessions = (Session.AM, Session.PM)

    entries: list[_Entry] = []
    seen: dict[tuple[str, dt.date, str], int] = {}
    add, errors = problems.add, problems.errors
    for number, values in table.rows(problems):
        upn, day_text, session, code, late_text, comment = pick(values)
        before = len(errors)
        pupil = pupils.get(upn)
        if pupil is None:
            add(f"unknown UPN {upn!r}" if upn else "upn is empty", number)
        if day_text in dates:
            day = dates[day_text]
        else:
            day = dates[day_text] = parse_date(day_text)
        if day is None:
            add(f"date {day_text!r} is not a date (use YYYY-MM-DD)", number)
        if session not in sessions:
            add(f"session {session!r} is not AM or PM", number)
        if code not in codes.BY_CODE:
            add(f"code {code!r} is not a DfE attendance code", number)
        elif wrong_session := code_rules.session_problem(code, session):
            # As the register refuses it: / is the morning's present mark, \ the afternoon's.
            add(f"session {session}: {wrong_session}", number)
        minutes_late = None
        if late_text:
            # isascii: str.isdigit() also says yes to "²" (int() fails) and to "٣".
            if late_text.isascii() and late_text.isdigit() and int(late_text) <= MAX_MINUTES_LATE:
                minutes_late = int(late_text)
            else:
                add(f"minutes_late {late_text!r} is not a whole number from 0 to 600", number)
        if len(comment) > COMMENT_MAX:
            add(f"comment is longer than {COMMENT_MAX} characters", number)
        if day is not None and pupil is not None:
            admitted, left = pupil[1], pupil[2]
            if day < admitted or (left is not None and day > left):
                add(f"pupil {upn} is not on roll on {day}", number)
            elif code in CHECKED_CODES:
                facts = _facts(pupil, upn, day, code, minutes_late, school, part_time)
                if problem := code_rules.problem(facts):
                    add(problem, number)
        if day is not None and session in sessions:
            key = (day, session)
            if key not in closed:
                closed[key] = calendar.problem(day, session)
            if closure := closed[key]:
                add(closure, number)
            if (upn, day, session) in seen:
                add(f"{upn} {day} {session} is also on row {seen[upn, day, session]}", number)
            else:
                seen[upn, day, session] = number
        # No new problem means the pupil and the date were found (each adds one otherwise).
        if len(errors) == before and pupil is not None and day is not None:
            entries.append((pupil[0], day, session, code, minutes_late, comment))
    return entries


def _part_time_timetables(school: School) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """The days of each pupil's granted part-time timetables (C2 comes only from them)."""
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for pupil_id, start, end in (
        LeaveRequest.objects.for_school(school)
        .granted()
        .filter(kind=LeaveRequest.Kind.PART_TIME)
        .values_list("pupil_id", "start_date", "end_date")
    ):
        spans.setdefault(pupil_id, []).append((start, end))
    return spans


def _facts(pupil, upn, day, code, minutes_late, school, part_time) -> code_rules.MarkFacts:
    from registers.services.leave import is_compulsory_school_age

    return code_rules.MarkFacts(
        code=code,
        day=day,
        who=f"pupil {upn}",
        minutes_late=minutes_late,
        compulsory_school_age=is_compulsory_school_age(date_of_birth=pupil[3], day=day),
        on_roll=True,
        register_open_minutes=school.register_open_minutes,
        part_time_timetable=any(s <= day <= e for s, e in part_time.get(pupil[0], ())),
    )


NEW_FIELDS = (
    "school_id", "pupil_id", "date", "session", "code_id", "minutes_late", "comment",
    "source", "recorded_by_id", "created_at", "updated_at",
)  # fmt: skip
AMEND_FIELDS = (
    "code_id", "minutes_late", "comment", "source", "recorded_by_id", "version", "updated_at",
)  # fmt: skip
HISTORY_FIELDS = (
    "school_id", "mark_id", "pupil_id", "date", "session", "old_code", "new_code",
    "old_minutes_late", "new_minutes_late", "old_comment", "new_comment", "mark_version",
    "reason", "changed_by_id", "changed_by_name", "changed_by_role", "created_at",
)  # fmt: skip
# The guard: a mark is only amended if it still holds what this import read.
READ_FIELDS = ("code_id", "minutes_late", "comment", "version")
CHANGED_MEANWHILE = (
    "marks of this file were changed by someone else while it was importing; "
    "nothing was imported, run the import again"
)


def import_marks(
    *, school: School, file: CsvFile, changed_by_name: str, changed_by_id: int | None = None
) -> MarksResult:
    """Import a marks file; a changed code, lateness or comment is an amendment.

    The registers of the changed sessions are locked first and their versions advanced, so
    a class register opened before the import cannot be saved over what it changed.
    """
    problems = Problems(file.name)
    entries = _parse(file, school, problems)
    problems.raise_if_any()
    result = MarksResult()
    if not entries:
        return result
    reason = f"imported from {PurePath(file.name).name}"[:500]
    dates = [e[1] for e in entries]
    existing = {
        (pupil_id, day, session): (pk, code, minutes, comment, version)
        for pk, pupil_id, day, session, code, minutes, comment, version in Mark.objects.for_school(
            school
        )
        .between(min(dates), max(dates))
        .values_list(
            "pk", "pupil_id", "date", "session", "code_id", "minutes_late", "comment", "version"
        )
    }
    now = timezone.now()
    new, amended, history, touched = [], [], [], []
    source = Mark.Source.IMPORT.value
    for pupil_id, day, session, code, minutes, comment in entries:
        old = existing.get((pupil_id, day, session))
        if old is None:
            new.append(
                (school.pk, pupil_id, day, session, code, minutes, comment, source,
                 changed_by_id, now, now)
            )  # fmt: skip
            touched.append((pupil_id, day, session))
            continue
        pk, old_code, old_minutes, old_comment, version = old
        if (old_code, old_minutes, old_comment) == (code, minutes, comment):
            result.unchanged += 1
            continue
        if (old_code, old_minutes) == (code, minutes):
            result.comments_updated += 1
        amended.append(
            (pk, code, minutes, comment, source, changed_by_id, version + 1, now,
             old_code, old_minutes, old_comment, version)
        )  # fmt: skip
        history.append(
            (school.pk, pk, pupil_id, day, session, old_code, code, old_minutes, minutes,
             old_comment, comment, version + 1, reason, changed_by_id, changed_by_name,
             IMPORT_ROLE, now)
        )  # fmt: skip
        touched.append((pupil_id, day, session))
    if not touched:
        return result

    forms = dict(Pupil.objects.for_school(school).values_list("pk", "form_id"))
    try:
        with transaction.atomic():
            # Registers before marks, as every writer of marks does (services.versions).
            registers = lock_registers(
                school_id=school.pk, keys=[(forms.get(p), d, s) for p, d, s in touched]
            )
            advance_registers(registers.values())
            bulk.insert(Mark, NEW_FIELDS, new)
            # Each amendment before its mark's change: the database refuses the change
            # of a mark without the amendment of its new version (migration 0014).
            bulk.insert(MarkAmendment, HISTORY_FIELDS, history)
            if bulk.update(Mark, AMEND_FIELDS, amended, guard=READ_FIELDS) != len(amended):
                raise ImportFailed([RowError(CHANGED_MEANWHILE, file.name)])
            refresh_sessions(school=school, keys=[(p, d) for p, d, _ in touched])
            marks_written(
                school_id=school.pk,
                keys=touched,
                actor=Actor(user=None, name=changed_by_name, position=IMPORT_ROLE),
            )
    except IntegrityError:
        # A register saved for the same sessions between our read and our writes: a first
        # mark inserted meanwhile, or an amendment of the same version.
        raise ImportFailed([RowError(CHANGED_MEANWHILE, file.name)]) from None
    result.created, result.amended = len(new), len(amended)
    return result
