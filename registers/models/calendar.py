from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from .base import SchoolScopedQuerySet, TimeStamped


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which the academic year containing `day` began (1 Aug – 31 Jul)."""
    return day.year if day.month >= 8 else day.year - 1


class AcademicYear(TimeStamped):
    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="years")
    start_year = models.PositiveSmallIntegerField()

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "start_year"], name="registers_academicyear_one_per_school"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.start_year, 8, 1)

    @property
    def end_date(self) -> dt.date:
        return dt.date(self.start_year + 1, 7, 31)


class HalfTermQuerySet(SchoolScopedQuerySet):
    def containing(self, day: dt.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


class HalfTerm(TimeStamped):
    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="half_terms"
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="half_terms"
    )
    name = models.CharField(max_length=60)
    start_date = models.DateField()
    end_date = models.DateField()

    objects = HalfTermQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "name"], name="registers_halfterm_name_unique_in_year"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="registers_halfterm_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year}"


class Closure(TimeStamped):
    """A planned closure of one session (a whole-day closure is two rows, AM and PM)."""

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=[("AM", "Morning"), ("PM", "Afternoon")])
    reason = models.CharField(max_length=200, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "session"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "session"], name="registers_closure_one_per_session"
            )
        ]


class SchoolDayQuerySet(SchoolScopedQuerySet):
    def between(self, start: dt.date, end: dt.date):
        return self.filter(date__gte=start, date__lte=end)


class SchoolDay(models.Model):
    """A day the school meets: Monday–Friday inside a half-term, less whole-day closures.

    Derived from the half-terms and closures by import_calendar and rebuilt on each import;
    it lets registers, figures and the penalty-notice window ask "is this a school day" and
    "which weeks had school" with one indexed query.
    """

    school = models.ForeignKey(
        "registers.School", on_delete=models.CASCADE, related_name="school_days"
    )
    half_term = models.ForeignKey(HalfTerm, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    am_open = models.BooleanField(default=True)
    pm_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolDayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="registers_schoolday_unique"),
            models.CheckConstraint(
                condition=Q(am_open=True) | Q(pm_open=True),
                name="registers_schoolday_some_session_open",
            ),
        ]

    def __str__(self) -> str:
        return self.date.isoformat()

    def is_open(self, session: str) -> bool:
        return self.am_open if session == "AM" else self.pm_open
