from __future__ import annotations

from django.db import models

from .base import SchoolScopedQuerySet

# The code of the stored row that counts open sessions a pupil on roll has no mark for.
UNMARKED = ""
WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri")


class WeekCount(models.Model):
    """The stored figures: counted sessions per pupil, school week and code, one count per
    weekday (docs/domain.md §2, "Stored figures").

    Invariant: the rows of a pupil equal registers.figures_store.recompute from the marks,
    the calendar and the pupil's dates on roll. A row with code `c` counts, for each weekday
    of the week starting `week` (a Monday), the marks coded `c` that count (the pupil on roll,
    the session open: registers.figures.counted_marks); the row with code "" (UNMARKED)
    counts the open sessions the pupil was on roll for and has no mark in. Rows of all zeros
    are not stored. Every writer of marks, of the calendar or of a pupil's dates on roll
    recomputes the (pupil, week) rows it touched in its own transaction
    (registers.figures_store.refresh); `manage.py verify_figures` checks the invariant.

    A count per weekday, not per week: a report's range may start or end mid-week (a
    half-term starting on a Wednesday, `attendance_stats --from`), and the weekday table
    needs the day; summing a weekday's column over the weeks whose day falls in the range
    is exact."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    # No index of its own: the unique constraint's index starts with the pupil.
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    week = models.DateField()  # the Monday
    code = models.CharField(max_length=2, blank=True)
    mon = models.PositiveSmallIntegerField(default=0)
    tue = models.PositiveSmallIntegerField(default=0)
    wed = models.PositiveSmallIntegerField(default=0)
    thu = models.PositiveSmallIntegerField(default=0)
    fri = models.PositiveSmallIntegerField(default=0)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "week", "code"], name="registers_weekcount_one_per_code"
            ),
        ]
        indexes = [
            # Reports sum one school's rows over a range of weeks: covering, so PostgreSQL
            # answers from the index alone.
            models.Index(
                fields=["school", "week"],
                include=["pupil", "code", *WEEKDAY_FIELDS],
                name="registers_weekcount_scan_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.week} {self.code or 'unmarked'}"
