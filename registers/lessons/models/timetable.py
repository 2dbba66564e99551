"""The timetable as data (import_timetable): periods, teaching classes, their lessons
(a class, a teacher, a day, a period, a week) and their members."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q

from attendance_portal.dates import monday_of
from registers.lessons import rules
from registers.models.base import SchoolScopedQuerySet, Session, TimeStamped

WEEK_CHOICES = [(w, f"Week {w}") for w in rules.WEEKS]
DAY_CHOICES = [(i, name) for i, name in enumerate(rules.WEEKDAYS, start=1)]


class Timetable(TimeStamped):
    """A school's timetable cycle: one week, or weeks A and B alternating from a Monday."""

    school = models.OneToOneField(
        "registers.School", on_delete=models.CASCADE, related_name="timetable"
    )
    weeks = models.PositiveSmallIntegerField(default=1)
    week_a_monday = models.DateField(help_text="A Monday of week A; weeks alternate from it.")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__in=[1, 2]), name="lessons_timetable_one_or_two_weeks"
            )
        ]

    def week_of(self, day: dt.date) -> str:
        return rules.week_of(monday_of(day), week_a_monday=self.week_a_monday, weeks=self.weeks)


class Period(TimeStamped):
    """A period of the school day (P1 08:50–09:50), in the AM or PM session; `week` is blank
    when the period is the same in both weeks."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=20)
    session = models.CharField(max_length=2, choices=Session.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    week = models.CharField(max_length=1, choices=WEEK_CHOICES, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start_time", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name", "week"], name="lessons_period_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="lessons_period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TeachingClass(TimeStamped):
    """A class as the timetable names it (10X/Ma1), with its subject."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    subject = models.CharField(max_length=60)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="lessons_class_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"


class ClassMember(models.Model):
    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    teaching_class = models.ForeignKey(
        TeachingClass, on_delete=models.CASCADE, related_name="members"
    )
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.CASCADE, related_name="class_memberships"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teaching_class", "pupil"], name="lessons_classmember_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teaching_class_id}: {self.pupil_id}"


class LessonQuerySet(SchoolScopedQuerySet):
    def active(self):
        return self.filter(active=True)

    def on(self, day: dt.date, week: str):
        """The lessons of `day` in timetable week `week` (none at weekends)."""
        return self.active().filter(day=day.isoweekday(), week=week)


class Lesson(TimeStamped):
    """One slot of the timetable: a class, taught by a teacher, in a period of a weekday of
    week A or B. A lesson dropped by a later import is kept (inactive) when registers were
    taken in it, so those registers keep their lesson."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    teaching_class = models.ForeignKey(
        TeachingClass, on_delete=models.CASCADE, related_name="lessons"
    )
    teacher = models.ForeignKey(
        "registers.Membership", on_delete=models.PROTECT, related_name="lessons"
    )
    day = models.PositiveSmallIntegerField(choices=DAY_CHOICES)
    week = models.CharField(max_length=1, choices=WEEK_CHOICES, default="A")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="lessons")
    active = models.BooleanField(default=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["day", "period__start_time"]
        constraints = [
            # A teacher teaches one class at a time, and a class has one lesson at a time.
            models.UniqueConstraint(
                fields=["teacher", "week", "day", "period"],
                condition=Q(active=True),
                name="lessons_lesson_teacher_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["teaching_class", "week", "day", "period"],
                name="lessons_lesson_class_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(day__gte=1, day__lte=5), name="lessons_lesson_weekday"
            ),
        ]
        indexes = [
            # The day's lessons of a school (missing registers) and of a teacher (their day).
            models.Index(fields=["school", "week", "day"], name="lessons_lesson_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.teaching_class.code} {rules.WEEKDAYS[self.day - 1]} {self.period.name}"
