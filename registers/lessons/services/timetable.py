"""import_timetable: a school's periods, classes, lessons and class lists from three CSV files
(docs/interfaces.md). All or nothing with row numbers; a second run of the same files
changes nothing.

A teacher or a pupil booked twice in one period, or an unknown teacher, period, class or
pupil, refuses the whole import. Lessons a new timetable drops are deleted, or kept inactive
where registers were taken in them (those registers keep their lesson).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from attendance_portal.dates import monday_of
from registers.lessons import rules
from registers.lessons.models import ClassMember, Lesson, Period, TeachingClass, Timetable
from registers.models import AcademicYear, Membership, Pupil, School
from registers.services.imports.csvfile import CsvFile, Problems, Row, max_length, open_table

PERIOD_COLUMNS = ("name", "session", "start_time", "end_time")
CLASS_COLUMNS = ("class_code", "subject", "teacher_username", "day", "period", "week")
MEMBER_COLUMNS = ("class_code", "upn")
TEACHING_ROLES = (Membership.Role.TEACHER, Membership.Role.OFFICER, Membership.Role.HEAD)

Slot = tuple[str, int, str]  # (week, day, period name)


@dataclass
class TimetableResult:
    periods: int = 0
    classes: int = 0
    lessons: int = 0
    members: int = 0
    changes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        changed = ", ".join(f"{n} {what}" for what, n in self.changes.items() if n)
        return (
            f"timetable: {self.periods} periods, {self.classes} classes, {self.lessons} "
            f"lessons, {self.members} class places; {changed or 'nothing changed'}"
        )


@dataclass(frozen=True)
class _PeriodRow:
    number: int
    name: str
    session: str
    start: dt.time
    end: dt.time
    week: str


@dataclass(frozen=True)
class _LessonRow:
    number: int
    code: str
    subject: str
    teacher: str
    day: int
    period: _PeriodRow
    week: str


def _time(row: Row, column: str) -> dt.time | None:
    value = row.get(column)
    try:
        parsed = dt.time.fromisoformat(value) if len(value) == 5 and value[2] == ":" else None
    except ValueError:
        parsed = None
    if parsed is None:
        row.fail(f"{column} {value!r} is not a time (use HH:MM, e.g. 08:50)")
    return parsed


def _read_periods(file: CsvFile) -> dict[tuple[str, str], _PeriodRow]:
    table = open_table(file, required=PERIOD_COLUMNS, optional=("week",))
    problems = Problems(file.name)
    periods: dict[tuple[str, str], _PeriodRow] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        name = row.text("name", max_length=max_length(Period, "name"))
        session = row.choice("session", ("AM", "PM"))
        start, end = _time(row, "start_time"), _time(row, "end_time")
        week = row.choice("week", ("", *rules.WEEKS))
        if start and end and end <= start:
            row.fail(f"end_time {end:%H:%M} is not after start_time {start:%H:%M}")
        if not row.ok or session is None or week is None or start is None or end is None:
            continue
        for other in ((name, week), (name, ""), *((name, w) for w in rules.WEEKS if not week)):
            if other in periods:
                row.fail(f"period {name} is also on row {periods[other].number}")
                break
        else:
            periods[(name, week)] = _PeriodRow(number, name, session, start, end, week)
    problems.raise_if_any()
    return periods


def _read_classes(
    file: CsvFile, periods: dict[tuple[str, str], _PeriodRow], teachers: dict[str, Membership]
) -> list[_LessonRow]:
    table = open_table(file, required=CLASS_COLUMNS)
    problems = Problems(file.name)
    lessons: list[_LessonRow] = []
    subjects: dict[str, tuple[int, str]] = {}
    taken: dict[tuple[str, Slot], int] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        code = row.text("class_code", max_length=max_length(TeachingClass, "code"))
        subject = row.text("subject", max_length=max_length(TeachingClass, "subject"))
        username = row.text("teacher_username", max_length=150)
        day_name = row.choice("day", rules.WEEKDAYS)
        week = row.choice("week", ("", *rules.WEEKS)) or "A"
        period_name = row.get("period")
        period = periods.get((period_name, week)) or periods.get((period_name, ""))
        if period is None:
            row.fail(f"period {period_name!r} is not in the periods file for week {week}")
        if username and username not in teachers:
            row.fail(f"teacher_username {username!r} is not a teacher at this school")
        if code in subjects and subjects[code][1] != subject:
            first, other = subjects[code]
            row.fail(f"class {code} is {other!r} on row {first}, {subject!r} here")
        if not row.ok or day_name is None or period is None:
            continue
        subjects.setdefault(code, (number, subject))
        day = rules.WEEKDAYS.index(day_name) + 1
        slot: Slot = (week, day, period.name)
        where = f"week {week} {day_name} {period.name}"
        for who, label in ((f"teacher:{username}", f"teacher {username}"), (code, f"class {code}")):
            if (who, slot) in taken:
                row.fail(f"{label} is booked twice in {where} (also on row {taken[(who, slot)]})")
            taken.setdefault((who, slot), number)
        if row.ok:
            lessons.append(_LessonRow(number, code, subject, username, day, period, week))
    problems.raise_if_any()
    return lessons


def _read_members(
    file: CsvFile, lessons: list[_LessonRow], pupils: dict[str, int]
) -> set[tuple[str, int]]:
    table = open_table(file, required=MEMBER_COLUMNS)
    problems = Problems(file.name)
    slots: dict[str, list[Slot]] = defaultdict(list)
    for lesson in lessons:
        slots[lesson.code].append((lesson.week, lesson.day, lesson.period.name))
    members: dict[tuple[str, int], int] = {}
    booked: dict[tuple[int, Slot], tuple[int, str]] = {}
    for number, values in table.rows(problems):
        row = Row(number, values, table, problems)
        code, upn = row.get("class_code"), row.get("upn")
        if code not in slots:
            row.fail(f"class_code {code!r} is not in the classes file")
        if upn not in pupils:
            row.fail(f"upn {upn!r} is not a pupil of this school")
        if not row.ok:
            continue
        key = (code, pupils[upn])
        if key in members:
            row.fail(f"pupil {upn} is in class {code} on row {members[key]} already")
            continue
        members[key] = number
        for week, day, period in slots[code]:
            first = booked.setdefault((pupils[upn], (week, day, period)), (number, code))
            if first[0] != number:
                row.fail(
                    f"pupil {upn} is booked twice in week {week} {rules.WEEKDAYS[day - 1]} "
                    f"{period}: class {first[1]} (row {first[0]}) and class {code}"
                )
    problems.raise_if_any()
    return set(members)


def _week_a_monday(school: School, today: dt.date) -> dt.date:
    """Week A starts with the academic year (its 1 September's week) unless already set."""
    year = AcademicYear.objects.for_school(school).filter(start_year__lte=today.year).last()
    return monday_of(year.start_date if year is not None else today)


@transaction.atomic
def import_timetable(
    *, school: School, periods: CsvFile, classes: CsvFile, members: CsvFile
) -> TimetableResult:
    teachers = {
        m.user.username: m
        for m in Membership.objects.filter(school=school, role__in=TEACHING_ROLES).select_related(
            "user"
        )
    }
    pupils = dict(Pupil.objects.for_school(school).values_list("upn", "pk"))
    period_rows = _read_periods(periods)
    lesson_rows = _read_classes(classes, period_rows, teachers)
    wanted_members = _read_members(members, lesson_rows, pupils)

    result = TimetableResult()
    weeks = (
        2
        if any(p.week == "B" for p in period_rows.values())
        or any(lesson.week == "B" for lesson in lesson_rows)
        else 1
    )
    timetable = Timetable.objects.select_for_update().filter(school=school).first()
    if timetable is None:
        today = timezone.localdate()
        Timetable.objects.create(
            school=school, weeks=weeks, week_a_monday=_week_a_monday(school, today)
        )
    elif timetable.weeks != weeks:
        timetable.weeks = weeks
        timetable.save(update_fields=["weeks", "updated_at"])
    period_objs = _store_periods(school, period_rows, result)
    class_objs = _store_classes(school, lesson_rows, result)
    _store_lessons(school, lesson_rows, period_objs, class_objs, teachers, result)
    _store_members(school, wanted_members, class_objs, result)
    result.periods, result.classes = len(period_objs), len(class_objs)
    result.lessons, result.members = len(lesson_rows), len(wanted_members)
    return result


def _store_periods(
    school: School, rows: dict[tuple[str, str], _PeriodRow], result: TimetableResult
) -> dict[tuple[str, str], Period]:
    existing = {(p.name, p.week): p for p in Period.objects.for_school(school)}
    stored: dict[tuple[str, str], Period] = {}
    created = updated = 0
    for key, row in rows.items():
        values = {"session": row.session, "start_time": row.start, "end_time": row.end}
        period = existing.pop(key, None)
        if period is None:
            period = Period.objects.create(school=school, name=row.name, week=row.week, **values)
            created += 1
        elif any(getattr(period, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(period, k, v)
            period.save(update_fields=[*values, "updated_at"])
            updated += 1
        stored[key] = period
    result.changes.update({"periods created": created, "periods changed": updated})
    # Periods the file no longer has stay only while past lessons refer to them.
    Period.objects.filter(pk__in=[p.pk for p in existing.values()], lessons=None).delete()
    return stored


def _store_classes(
    school: School, rows: list[_LessonRow], result: TimetableResult
) -> dict[str, TeachingClass]:
    existing = {c.code: c for c in TeachingClass.objects.for_school(school)}
    created = updated = 0
    for row in rows:
        found = existing.get(row.code)
        if found is None:
            existing[row.code] = TeachingClass.objects.create(
                school=school, code=row.code, subject=row.subject
            )
            created += 1
        elif found.subject != row.subject:
            found.subject = row.subject
            found.save(update_fields=["subject", "updated_at"])
            updated += 1
    result.changes.update({"classes created": created, "classes changed": updated})
    wanted = {row.code for row in rows}
    return {code: c for code, c in existing.items() if code in wanted}


def _store_lessons(
    school: School,
    rows: list[_LessonRow],
    periods: dict[tuple[str, str], Period],
    classes: dict[str, TeachingClass],
    teachers: dict[str, Membership],
    result: TimetableResult,
) -> None:
    existing = {
        (lesson.teaching_class_id, lesson.week, lesson.day, lesson.period_id): lesson
        for lesson in Lesson.objects.for_school(school)
    }
    new, changed = [], []
    for row in rows:
        period = periods[(row.period.name, row.period.week)]
        key = (classes[row.code].pk, row.week, row.day, period.pk)
        teacher = teachers[row.teacher]
        lesson = existing.pop(key, None)
        if lesson is None:
            new.append(
                Lesson(
                    school=school,
                    teaching_class=classes[row.code],
                    teacher=teacher,
                    day=row.day,
                    week=row.week,
                    period=period,
                )
            )
        elif lesson.teacher_id != teacher.pk or not lesson.active:
            lesson.teacher, lesson.active = teacher, True
            changed.append(lesson)
    dropped = [lesson.pk for lesson in existing.values() if lesson.active]
    kept = set(
        Lesson.objects.filter(pk__in=dropped, registers__isnull=False).values_list("pk", flat=True)
    )
    Lesson.objects.filter(pk__in=kept).update(active=False)
    Lesson.objects.filter(pk__in=set(dropped) - kept).delete()
    # Off first, then on with their teachers: two teachers swapping lessons would otherwise
    # meet in the one-teacher-per-period constraint halfway through.
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in changed]).update(active=False)
    Lesson.objects.bulk_update(changed, ["teacher", "active"])
    Lesson.objects.bulk_create(new)
    result.changes.update(
        {
            "lessons created": len(new),
            "lessons changed": len(changed),
            "lessons dropped": len(dropped),
        }
    )


def _store_members(
    school: School,
    wanted: set[tuple[str, int]],
    classes: dict[str, TeachingClass],
    result: TimetableResult,
) -> None:
    wanted_ids = {(classes[code].pk, pupil) for code, pupil in wanted}
    existing = dict(
        ((class_id, pupil), pk)
        for pk, class_id, pupil in ClassMember.objects.for_school(school).values_list(
            "pk", "teaching_class_id", "pupil_id"
        )
    )
    gone = [pk for key, pk in existing.items() if key not in wanted_ids]
    ClassMember.objects.filter(pk__in=gone).delete()
    ClassMember.objects.bulk_create(
        [
            ClassMember(school=school, teaching_class_id=class_id, pupil_id=pupil)
            for class_id, pupil in sorted(wanted_ids - existing.keys())
        ]
    )
    result.changes.update(
        {"class places added": len(wanted_ids - existing.keys()), "class places removed": len(gone)}
    )
