"""A register taken in one lesson on one date, its marks, and the reminders sent for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from registers.lessons import rules
from registers.models.base import SchoolScopedQuerySet, Session, TimeStamped

KIND_CHOICES = [(k.value, label) for k, label in rules.KIND_LABELS.items()]


class LessonRegister(TimeStamped):
    """One lesson's register on one date. `version` advances on every save, so that two
    teachers saving it at once cannot overwrite each other (the second save is stale), as
    the AM/PM register's (registers.Register)."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.PROTECT, related_name="registers")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "date"], name="lessons_register_one_per_day")
        ]
        indexes = [
            # Missing lesson registers: a school's registers of a day.
            models.Index(fields=["school", "date"], name="lessons_register_day_idx"),
        ]


class LessonMark(TimeStamped):
    """A pupil's mark in one lesson. Not a statutory mark: the session's code stays on
    registers.Mark; an absence here may raise an internal-truancy alert."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    register = models.ForeignKey(LessonRegister, on_delete=models.CASCADE, related_name="marks")
    pupil = models.ForeignKey(
        "registers.Pupil", on_delete=models.PROTECT, related_name="lesson_marks"
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "pupil"], name="lessons_mark_once"),
            models.CheckConstraint(
                condition=Q(minutes_late__isnull=True) | Q(kind=rules.Kind.LATE.value),
                name="lessons_lessonmark_minutes_only_when_late",
            ),
            models.CheckConstraint(
                condition=Q(minutes_late__isnull=True) | Q(minutes_late__lte=120),
                name="lessons_lessonmark_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind=rules.Kind.OUT.value) | ~Q(reason=""),
                name="lessons_lessonmark_out_needs_reason",
            ),
        ]
        indexes = [
            # Reports and patterns read a school's lesson marks over a date range.
            models.Index(
                fields=["school", "date"], include=["kind", "pupil"], name="lessons_mark_day_idx"
            ),
            # The pupil's lesson history (their page, the last lesson they were seen in).
            models.Index(fields=["pupil", "date"], name="lessons_mark_pupil_idx"),
        ]


class LessonReminder(models.Model):
    """A reminder sent to a teacher of a missing lesson register: at most one per lesson,
    day and teacher, however often the reminder job runs (registers.register_reminders)."""

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey("lessons.Lesson", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "lesson", "date"], name="lessons_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.date}"
