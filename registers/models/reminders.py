"""Reminders of missing registers sent (registers.services.reminders): one row per email,
so that no teacher is reminded twice of the same register and no officer gets two
summaries in the same hour, however often the beat task runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .base import SchoolScopedQuerySet


class RegisterReminder(models.Model):
    class Kind(models.TextChoices):
        TEACHER = "teacher", "Teacher's missing register"
        SUMMARY = "summary", "Officer's hourly summary"

    school = models.ForeignKey("registers.School", on_delete=models.CASCADE)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField()
    # A teacher's reminder names one register; a summary names the hour it covers.
    form = models.ForeignKey("registers.Form", null=True, blank=True, on_delete=models.CASCADE)
    session = models.CharField(max_length=2, blank=True)
    hour = models.PositiveSmallIntegerField(default=0)
    registers = models.PositiveSmallIntegerField(default=1)  # how many the email listed
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "form", "date", "session"],
                condition=Q(kind="teacher"),
                name="registers_reminder_once_per_teacher_register",
            ),
            models.UniqueConstraint(
                fields=["recipient", "school", "date", "hour"],
                condition=Q(kind="summary"),
                name="registers_reminder_summary_once_an_hour",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.form} {self.session}" if self.kind == self.Kind.TEACHER else "summary"
        return f"{self.get_kind_display()}: {what}, {self.date} to {self.recipient}"
