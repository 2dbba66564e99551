"""Lesson attendance for the office and the head: by subject, teacher, period and weekday,
for the school, a year group or a form, for all pupils or one of the dashboard's groups
(registers/flags.py). Counted in the database, one query per breakdown.

In a lesson a pupil counts as attending when present, late or out of the lesson with a
reason (the school knows where they were); pupils with a statutory absence code for the
session have no lesson mark and are not counted (docs/domain.md §11)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from registers import flags
from registers.lessons import rules
from registers.lessons.models import LessonMark
from registers.models import Membership, School

DIMENSIONS = {
    "subject": ("By subject", "register__lesson__teaching_class__subject"),
    # By the teacher's membership (two teachers may share a name), labelled by their name.
    "teacher": ("By teacher", "register__lesson__teacher_id"),
    "period": ("By period of the day", "register__lesson__period__name"),
    "weekday": ("By day of the week", "register__lesson__day"),
}


def group_choices() -> list[tuple[str, str]]:
    """The dashboard's groups: each yes/no flag both ways, and SEND's three."""
    found = [("", "All pupils")]
    for flag in flags.YES_NO:
        found += [(f"{flag.field}:yes", flag.yes), (f"{flag.field}:no", flag.no)]
    found += [(f"{flags.SEN}:{code}", label) for code, label in flags.SEN_LABELS.items()]
    return found


def _group_filter(group: str) -> Q:
    if not group:
        return Q()
    field, _, value = group.partition(":")
    if field == flags.SEN:
        return Q(pupil__sen=value)
    return Q(**{f"pupil__{field}": value == "yes"})


@dataclass(frozen=True)
class Line:
    label: str
    marks: int
    absent: int
    late: int
    out: int

    @property
    def attended_pct(self) -> float | None:
        return None if not self.marks else round(100 * (self.marks - self.absent) / self.marks, 1)


def lesson_attendance(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    year_group: str = "",
    form_id: int | None = None,
    group: str = "",
) -> dict[str, tuple[str, list[Line]]]:
    """Each breakdown's title and lines, for lessons from `start` to `end`."""
    marks = LessonMark.objects.for_school(school).filter(date__gte=start, date__lte=end)
    if year_group:
        marks = marks.filter(pupil__year_group=year_group)
    if form_id is not None:
        marks = marks.filter(pupil__form_id=form_id)
    marks = marks.filter(_group_filter(group))
    counts = {
        "marks": Count("id"),
        "absent": Count("id", filter=Q(kind=rules.Kind.ABSENT)),
        "late": Count("id", filter=Q(kind=rules.Kind.LATE)),
        "out": Count("id", filter=Q(kind=rules.Kind.OUT)),
    }
    tables = {}
    for key, (title, column) in DIMENSIONS.items():
        rows = list(marks.values(column).annotate(**counts).order_by(column))
        labels = _labels(key, [row[column] for row in rows])
        lines = [
            Line(labels[row[column]], row["marks"], row["absent"], row["late"], row["out"])
            for row in rows
        ]
        tables[key] = (
            title,
            sorted(lines, key=lambda line: line.label) if key == "teacher" else lines,
        )
    return tables


def _labels(key: str, values: list) -> dict:
    if key == "weekday":
        return {v: rules.WEEKDAYS[v - 1] for v in values}
    if key == "teacher":
        members = Membership.objects.filter(pk__in=values).select_related("user")
        return {m.pk: m.user.get_full_name() or m.user.username for m in members}
    return {v: str(v) for v in values}
